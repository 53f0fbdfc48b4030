#pragma once

#include "cluster/operatorcommand.h"
#include "consolemodel/clustersource.h"

#include <QHash>
#include <QObject>
#include <QStringList>

#include <optional>

namespace starling::consolemodel {

// What an operator asks of the cluster from the console, sent as bridge commands (one per
// node for a multi-node selection) with every answer reported in words, the cluster's errors
// included as they came: nothing is swallowed and nothing waits forever (the source answers
// every command, "not_connected" when the link is down).
class OperatorActions final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OperatorActions)

public:
    explicit OperatorActions(ClusterSource *source, QObject *parent = nullptr);

    void drain(const QStringList &nodes, const QString &reason);
    void resume(const QStringList &nodes, const QString &reason);
    void setWeight(const QStringList &nodes, double weight, const QString &reason);
    void setStrategy(const QString &name, std::optional<double> w1, std::optional<double> w2,
                     const QString &reason);

    int pending() const { return int(m_pending.size()); }

signals:
    // One per command: "drain slave-3: DRAINING, 2 tasks to finish" or
    // "drain slave-3 refused (bad_state): slave-3 is already DRAINING".
    void answered(const QString &summary, bool ok);

private:
    void send(const cluster::OperatorCommand &command, const QString &what);
    void onAnswer(const QString &id, bool ok, const QJsonObject &result, const QString &code,
                  const QString &message);

    ClusterSource *m_source;
    QHash<QString, QString> m_pending; // command id -> what it asked ("drain slave-3")
};

} // namespace starling::consolemodel
