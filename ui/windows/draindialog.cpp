#include "draindialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace starling::ui {

DrainDialog::DrainDialog(const QStringList &nodes, QWidget *parent)
    : QDialog(parent), m_nodes(nodes), m_reason(new QLineEdit(this))
{
    setWindowTitle(tr("Drain %1").arg(nodes.join(QStringLiteral(", "))));
    auto *layout = new QVBoxLayout(this);
    auto *text = new QLabel(
        tr("<b>%1</b> will take no new tasks, finish what %2, and then be DRAINED. Resume "
           "brings %3 back.")
            .arg(nodes.join(QStringLiteral(", ")),
                 nodes.size() == 1 ? tr("it holds") : tr("they hold"),
                 nodes.size() == 1 ? tr("it") : tr("them")),
        this);
    text->setWordWrap(true);
    layout->addWidget(text);
    layout->addWidget(new QLabel(tr("Reason (kept in the cluster's history):"), this));
    m_reason->setMaxLength(500);
    m_reason->setPlaceholderText(tr("e.g. disk swap"));
    layout->addWidget(m_reason);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Drain"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(420, sizeHint().height());
}

QString DrainDialog::reason() const
{
    return m_reason->text().trimmed();
}

void DrainDialog::setReason(const QString &reason)
{
    m_reason->setText(reason);
}

} // namespace starling::ui
