#include "eventlogview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QScrollBar>
#include <QTableView>
#include <QVBoxLayout>

namespace starling::ui {

EventLogView::EventLogView(EventLogModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_table(new QTableView(this)), m_node(new QComboBox(this)),
      m_text(new QLineEdit(this))
{
    m_filter.setSourceModel(model);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *bar = new QHBoxLayout;
    using Category = consolemodel::EventLine::Category;
    for (const auto &[category, label] :
         {std::pair{Category::State, tr("state")}, std::pair{Category::Operator, tr("operator")},
          std::pair{Category::Failure, tr("failures")}, std::pair{Category::Job, tr("jobs")},
          std::pair{Category::Transfer, tr("transfers")},
          std::pair{Category::Other, tr("other")}}) {
        auto *box = new QCheckBox(label, this);
        box->setObjectName(QStringLiteral("category-%1").arg(int(category)));
        box->setChecked(true);
        connect(box, &QCheckBox::toggled, this,
                [this, c = category](bool on) { m_filter.setCategoryVisible(c, on); });
        bar->addWidget(box);
    }
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("node:"), this));
    m_node->addItem(tr("all"), QString());
    connect(m_node, &QComboBox::currentIndexChanged, this,
            [this] { m_filter.setNodeFilter(m_node->currentData().toString()); });
    bar->addWidget(m_node);
    m_text->setPlaceholderText(tr("filter text"));
    m_text->setClearButtonEnabled(true);
    connect(m_text, &QLineEdit::textChanged, &m_filter, &EventFilterModel::setTextFilter);
    bar->addWidget(m_text, 1);
    layout->addLayout(bar);

    m_table->setModel(&m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    m_table->setColumnWidth(EventLogModel::Time, 100);
    m_table->setColumnWidth(EventLogModel::Category, 80);
    m_table->setColumnWidth(EventLogModel::Node, 80);
    m_table->setColumnWidth(EventLogModel::Who, 110);
    layout->addWidget(m_table);
    // Follow new lines while the operator is at the end; stay put while they read back.
    connect(&m_filter, &QAbstractItemModel::rowsInserted, this, [this] {
        QScrollBar *bar = m_table->verticalScrollBar();
        if (bar->value() >= bar->maximum() - 2)
            QMetaObject::invokeMethod(m_table, &QTableView::scrollToBottom, Qt::QueuedConnection);
    });
}

void EventLogView::setNodes(const QStringList &names)
{
    if (names == m_nodes)
        return;
    m_nodes = names;
    const QString current = m_node->currentData().toString();
    m_node->blockSignals(true);
    m_node->clear();
    m_node->addItem(tr("all"), QString());
    for (const QString &n : names)
        m_node->addItem(n, n);
    const int at = m_node->findData(current);
    m_node->setCurrentIndex(at >= 0 ? at : 0);
    m_node->blockSignals(false);
}

void EventLogView::focusTextFilter()
{
    m_text->setFocus(Qt::ShortcutFocusReason);
    m_text->selectAll();
}

} // namespace starling::ui
