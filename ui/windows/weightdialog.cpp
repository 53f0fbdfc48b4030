#include "weightdialog.h"

#include "consolemodel/weightpreview.h"
#include "util/valueformat.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace starling::ui {

WeightDialog::WeightDialog(const cluster::ClusterSnapshot &snapshot, const QStringList &nodes,
                           QWidget *parent)
    : QDialog(parent), m_snapshot(snapshot), m_nodes(nodes), m_weight(new QDoubleSpinBox(this)),
      m_reason(new QLineEdit(this)), m_preview(new QTableWidget(this))
{
    setWindowTitle(tr("Weight of %1").arg(nodes.join(QStringLiteral(", "))));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_weight->setRange(0.01, 1e6);
    m_weight->setDecimals(2);
    m_weight->setSingleStep(0.5);
    double current = 1;
    if (!nodes.isEmpty()) {
        if (const cluster::NodeView *n = snapshot.nodeByName(nodes.first()))
            current = n->weight;
    }
    m_weight->setValue(current);
    form->addRow(tr("New weight W_i:"), m_weight);
    m_reason->setMaxLength(500);
    m_reason->setPlaceholderText(tr("optional"));
    form->addRow(tr("Reason:"), m_reason);
    layout->addLayout(form);
    auto *explain = new QLabel(tr("Share of new work under the load model (W_i / sum of W over "
                                  "ACTIVE slaves):"),
                               this);
    explain->setWordWrap(true);
    layout->addWidget(explain);
    m_preview->setColumnCount(5);
    m_preview->setHorizontalHeaderLabels(
        {tr("slave"), tr("weight"), tr("share now"), tr("new weight"), tr("new share")});
    m_preview->verticalHeader()->hide();
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_preview->setSelectionMode(QAbstractItemView::NoSelection);
    m_preview->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    layout->addWidget(m_preview);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Apply"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    connect(m_weight, &QDoubleSpinBox::valueChanged, this, &WeightDialog::updatePreview);
    updatePreview();
    resize(520, 360);
}

double WeightDialog::weight() const
{
    return m_weight->value();
}

void WeightDialog::setWeight(double weight)
{
    m_weight->setValue(weight);
}

QString WeightDialog::reason() const
{
    return m_reason->text().trimmed();
}

void WeightDialog::updatePreview()
{
    const auto rows = consolemodel::previewWeights(m_snapshot, m_nodes, m_weight->value());
    m_preview->setRowCount(int(rows.size()));
    for (int r = 0; r < int(rows.size()); ++r) {
        const consolemodel::WeightShare &w = rows[size_t(r)];
        const QStringList cells{w.name + (w.active ? QString() : tr(" (not ACTIVE)")),
                                QString::number(w.weight, 'g', 4), util::formatPercent(w.share),
                                QString::number(w.newWeight, 'g', 4),
                                util::formatPercent(w.newShare)};
        for (int c = 0; c < cells.size(); ++c) {
            auto *item = new QTableWidgetItem(cells[c]);
            if (w.changed) {
                QFont bold = item->font();
                bold.setBold(true);
                item->setFont(bold);
            }
            m_preview->setItem(r, c, item);
        }
    }
}

} // namespace starling::ui
