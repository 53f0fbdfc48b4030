#include "strategydialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPushButton>

namespace starling::ui {

namespace {

struct StrategyInfo
{
    const char *name;
    const char *help;
};

constexpr StrategyInfo kStrategies[] = {{"equal", "equal shares (paper 1's block allocation)"},
                                        {"cpu", "shares by CPU speed (1 / T_i)"},
                                        {"bw", "shares by link speed (B_i)"},
                                        {"pdds", "paper 2: performance ratio W1/T_i + W2*B_i"},
                                        {"optimal", "the provably optimal one-round split"},
                                        {"dynamic", "self-scheduling: adapts while the job runs"}};

} // namespace

StrategyDialog::StrategyDialog(const QString &current, double w1, double w2, QWidget *parent)
    : QDialog(parent), m_strategy(new QComboBox(this)), m_w1(new QDoubleSpinBox(this)),
      m_w2(new QDoubleSpinBox(this)), m_reason(new QLineEdit(this))
{
    setWindowTitle(tr("Distribution strategy"));
    auto *form = new QFormLayout(this);
    for (const StrategyInfo &s : kStrategies)
        m_strategy->addItem(QStringLiteral("%1: %2").arg(QLatin1String(s.name), tr(s.help)),
                            QLatin1String(s.name));
    form->addRow(tr("Strategy:"), m_strategy);
    for (QDoubleSpinBox *w : {m_w1, m_w2}) {
        w->setRange(0, 1e6);
        w->setDecimals(2);
        w->setSingleStep(0.1);
    }
    form->addRow(tr("W1 (weight of T_i):"), m_w1);
    form->addRow(tr("W2 (weight of B_i):"), m_w2);
    m_reason->setMaxLength(500);
    m_reason->setPlaceholderText(tr("optional"));
    form->addRow(tr("Reason:"), m_reason);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Apply"));
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (strategy() == u"pdds" && m_w1->value() == 0 && m_w2->value() == 0)
            return; // the cluster refuses both zero; keep the dialog open
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
    connect(m_strategy, &QComboBox::currentIndexChanged, this, [this] {
        const bool pdds = strategy() == u"pdds";
        m_w1->setEnabled(pdds);
        m_w2->setEnabled(pdds);
    });
    setWeights(w1, w2);
    setStrategy(current);
}

QString StrategyDialog::strategy() const
{
    return m_strategy->currentData().toString();
}

void StrategyDialog::setStrategy(const QString &name)
{
    const int at = m_strategy->findData(name);
    m_strategy->setCurrentIndex(at >= 0 ? at : 3);
    const bool pdds = strategy() == u"pdds";
    m_w1->setEnabled(pdds);
    m_w2->setEnabled(pdds);
}

std::optional<double> StrategyDialog::w1() const
{
    return strategy() == u"pdds" ? std::optional<double>(m_w1->value()) : std::nullopt;
}

std::optional<double> StrategyDialog::w2() const
{
    return strategy() == u"pdds" ? std::optional<double>(m_w2->value()) : std::nullopt;
}

void StrategyDialog::setWeights(double w1, double w2)
{
    m_w1->setValue(w1);
    m_w2->setValue(w2);
}

QString StrategyDialog::reason() const
{
    return m_reason->text().trimmed();
}

} // namespace starling::ui
