#include "operatoractions.h"

#include "util/oneline.h"

namespace starling::consolemodel {

namespace {

QString describeResult(const QString &op, const QJsonObject &r)
{
    if (op == u"strategy") {
        QString text = util::oneLine(r.value(u"strategy").toString(), 32);
        if (r.contains(u"w1"))
            text += QStringLiteral(" (w1 %1, w2 %2)")
                        .arg(r.value(u"w1").toDouble())
                        .arg(r.value(u"w2").toDouble());
        if (r.contains(u"previous"))
            text +=
                QStringLiteral(", was %1").arg(util::oneLine(r.value(u"previous").toString(), 32));
        return text;
    }
    QString text = util::oneLine(r.value(u"state").toString(), 32);
    if (op == u"weight")
        text += QStringLiteral(", weight %1").arg(r.value(u"weight").toDouble());
    const int assigned = r.value(u"assigned").toInt();
    if (op == u"drain" && assigned > 0)
        text += QStringLiteral(", %1 task%2 to finish")
                    .arg(assigned)
                    .arg(assigned == 1 ? QString() : QStringLiteral("s"));
    return text;
}

cluster::OperatorCommand nodeCommand(cluster::CommandOp op, const QString &node,
                                     const QString &reason)
{
    cluster::OperatorCommand command;
    command.op = op;
    command.node = node;
    command.reason = reason;
    return command;
}

} // namespace

OperatorActions::OperatorActions(ClusterSource *source, QObject *parent)
    : QObject(parent), m_source(source)
{
    connect(m_source, &ClusterSource::commandAnswered, this, &OperatorActions::onAnswer);
}

void OperatorActions::drain(const QStringList &nodes, const QString &reason)
{
    for (const QString &node : nodes)
        send(nodeCommand(cluster::CommandOp::Drain, node, reason),
             QStringLiteral("drain %1").arg(node));
}

void OperatorActions::resume(const QStringList &nodes, const QString &reason)
{
    for (const QString &node : nodes)
        send(nodeCommand(cluster::CommandOp::Resume, node, reason),
             QStringLiteral("resume %1").arg(node));
}

void OperatorActions::setWeight(const QStringList &nodes, double weight, const QString &reason)
{
    for (const QString &node : nodes) {
        cluster::OperatorCommand command = nodeCommand(cluster::CommandOp::Weight, node, reason);
        command.weight = weight;
        send(command, QStringLiteral("weight %1 = %2").arg(node).arg(weight));
    }
}

void OperatorActions::setStrategy(const QString &name, std::optional<double> w1,
                                  std::optional<double> w2, const QString &reason)
{
    cluster::OperatorCommand command;
    command.op = cluster::CommandOp::Strategy;
    command.strategy = name;
    command.w1 = w1;
    command.w2 = w2;
    command.reason = reason;
    send(command, QStringLiteral("strategy %1").arg(name));
}

void OperatorActions::send(const cluster::OperatorCommand &command, const QString &what)
{
    const QString id = m_source->sendCommand(command.toJson());
    m_pending.insert(id, what);
}

void OperatorActions::onAnswer(const QString &id, bool ok, const QJsonObject &result,
                               const QString &code, const QString &message)
{
    const auto it = m_pending.find(id);
    if (it == m_pending.end())
        return; // somebody else's command
    const QString what = it.value();
    m_pending.erase(it);
    const QString op = what.section(u' ', 0, 0);
    if (ok)
        emit answered(QStringLiteral("%1: %2").arg(what, describeResult(op, result)), true);
    else
        emit answered(QStringLiteral("%1 refused (%2): %3")
                          .arg(what, util::oneLine(code, 40), util::oneLine(message, 300)),
                      false);
}

} // namespace starling::consolemodel
