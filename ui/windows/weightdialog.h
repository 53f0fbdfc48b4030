#pragma once

#include "cluster/clustersnapshot.h"

#include <QDialog>
#include <QStringList>

QT_BEGIN_NAMESPACE
class QDoubleSpinBox;
class QLineEdit;
class QTableWidget;
QT_END_NAMESPACE

namespace starling::ui {

// Sets W_i on the selected slaves, with a preview of every ACTIVE slave's share of new work
// before and after (consolemodel::previewWeights), so the operator sees what the change will do
// before applying it.
class WeightDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WeightDialog)

public:
    WeightDialog(const cluster::ClusterSnapshot &snapshot, const QStringList &nodes,
                 QWidget *parent = nullptr);

    QStringList nodes() const { return m_nodes; }
    double weight() const;
    void setWeight(double weight);
    QString reason() const;
    // The preview as shown: one row per slave, columns name, weight, share, new weight, new share.
    const QTableWidget *preview() const { return m_preview; }

private:
    void updatePreview();

    cluster::ClusterSnapshot m_snapshot;
    QStringList m_nodes;
    QDoubleSpinBox *m_weight;
    QLineEdit *m_reason;
    QTableWidget *m_preview;
};

} // namespace starling::ui
