#pragma once

#include <QDialog>

#include <optional>

QT_BEGIN_NAMESPACE
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
QT_END_NAMESPACE

namespace starling::ui {

// Sets the cluster's default distribution strategy and, for PDDS, the weights W1 (of T_i)
// and W2 (of B_i).
class StrategyDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StrategyDialog)

public:
    StrategyDialog(const QString &current, double w1, double w2, QWidget *parent = nullptr);

    QString strategy() const;
    void setStrategy(const QString &name);
    std::optional<double> w1() const; // only for pdds
    std::optional<double> w2() const;
    void setWeights(double w1, double w2);
    QString reason() const;

private:
    QComboBox *m_strategy;
    QDoubleSpinBox *m_w1;
    QDoubleSpinBox *m_w2;
    QLineEdit *m_reason;
};

} // namespace starling::ui
