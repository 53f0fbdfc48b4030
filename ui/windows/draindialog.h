#pragma once

#include <QDialog>
#include <QStringList>

QT_BEGIN_NAMESPACE
class QLineEdit;
QT_END_NAMESPACE

namespace starling::ui {

// Asks why before nodes are drained: the reason goes into the cluster's record of who did
// what, and every other operator sees it in the node table and the event log.
class DrainDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DrainDialog)

public:
    DrainDialog(const QStringList &nodes, QWidget *parent = nullptr);

    QStringList nodes() const { return m_nodes; }
    QString reason() const;
    void setReason(const QString &reason);

private:
    QStringList m_nodes;
    QLineEdit *m_reason;
};

} // namespace starling::ui
