#include "bridgelink.h"

#include <QEventLoop>
#include <QRegularExpression>
#include <QTimer>

#include <optional>

namespace starling::cli {

namespace {

// Runs the event loop until `done` says so or the time is up; returns whether it was done.
template<typename Ready> bool waitFor(Ready ready, int timeoutMs, QObject *source)
{
    if (ready())
        return true;
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    QTimer check; // signals below quit the loop; this catches state changes between them
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (ready())
            loop.quit();
    });
    Q_UNUSED(source);
    timeout.start(timeoutMs);
    check.start(20);
    while (!ready() && timeout.isActive())
        loop.exec();
    return ready();
}

} // namespace

BridgeLink::BridgeLink(cluster::ClusterStateFile state) : m_state(std::move(state))
{
    QObject::connect(&m_client, &bridge::BridgeClient::snapshotReceived,
                     [this](const QJsonObject &snapshot) { m_unreadSnapshot = snapshot; });
}

QString BridgeLink::clientName()
{
    QString user = qEnvironmentVariable("USER", QStringLiteral("operator"));
    user.remove(QRegularExpression(QStringLiteral("[^A-Za-z0-9._@-]")));
    return (user.isEmpty() ? QStringLiteral("operator") : user.left(48)) + QStringLiteral("-cli");
}

Expected<std::unique_ptr<BridgeLink>> BridgeLink::open(const QString &runDirFlag)
{
    auto state = findCluster(runDirFlag);
    if (!state)
        return Error{state.error()};
    auto link = std::make_unique<BridgeLink>(std::move(state).value());
    if (const auto connected = link->connect(); !connected)
        return Error{connected.error()};
    return link;
}

Expected<bool> BridgeLink::connect(int timeoutMs)
{
    bool welcomed = false;
    std::optional<QString> failure;
    const auto a = QObject::connect(&m_client, &bridge::BridgeClient::welcomed,
                                    [&](quint64) { welcomed = true; });
    const auto b = QObject::connect(&m_client, &bridge::BridgeClient::failed,
                                    [&](const QString &message) { failure = message; });
    m_client.setTlsTrust(m_state.tls);
    m_client.connectToBridge(m_state.bridgeHost, m_state.bridgePort, m_state.token.toLatin1(),
                             clientName());
    const bool done =
        waitFor([&] { return welcomed || failure.has_value(); }, timeoutMs, &m_client);
    QObject::disconnect(a);
    QObject::disconnect(b);
    if (failure)
        return Error{QStringLiteral("cannot reach the cluster's bridge at %1:%2: %3")
                         .arg(m_state.bridgeHost)
                         .arg(m_state.bridgePort)
                         .arg(*failure)};
    if (!done)
        return Error{QStringLiteral("the cluster's bridge at %1:%2 did not answer within %3 s")
                         .arg(m_state.bridgeHost)
                         .arg(m_state.bridgePort)
                         .arg(timeoutMs / 1000.0)};
    return true;
}

Expected<BridgeLink::Reply> BridgeLink::command(const QJsonObject &command, int timeoutMs)
{
    std::optional<Reply> reply;
    std::optional<QString> failure;
    QString id;
    const auto a = QObject::connect(&m_client, &bridge::BridgeClient::replied,
                                    [&](const QString &replyId, bool ok, const QJsonObject &result,
                                        const QString &code, const QString &message) {
                                        if (replyId == id)
                                            reply = Reply{ok, result, code, message};
                                    });
    const auto b = QObject::connect(&m_client, &bridge::BridgeClient::failed,
                                    [&](const QString &message) { failure = message; });
    const auto c = QObject::connect(&m_client, &bridge::BridgeClient::disconnected, [&] {
        if (!reply)
            failure = QStringLiteral("the bridge closed the connection");
    });
    id = m_client.sendCommand(command);
    waitFor([&] { return reply.has_value() || failure.has_value(); }, timeoutMs, &m_client);
    QObject::disconnect(a);
    QObject::disconnect(b);
    QObject::disconnect(c);
    if (reply)
        return *reply;
    if (failure)
        return Error{*failure};
    return Error{QStringLiteral("no answer from the cluster within %1 s").arg(timeoutMs / 1000.0)};
}

Expected<QJsonObject> BridgeLink::nextSnapshot(int timeoutMs)
{
    std::optional<QString> failure;
    const auto b = QObject::connect(&m_client, &bridge::BridgeClient::failed,
                                    [&](const QString &message) { failure = message; });
    const auto c = QObject::connect(&m_client, &bridge::BridgeClient::disconnected, [&] {
        failure = QStringLiteral("the bridge closed the connection");
    });
    waitFor([&] { return m_unreadSnapshot.has_value() || failure.has_value(); }, timeoutMs,
            &m_client);
    QObject::disconnect(b);
    QObject::disconnect(c);
    if (m_unreadSnapshot)
        return *std::exchange(m_unreadSnapshot, std::nullopt);
    if (failure)
        return Error{*failure};
    return Error{
        QStringLiteral("no snapshot from the cluster within %1 s").arg(timeoutMs / 1000.0)};
}

Expected<cluster::ClusterStateFile> findCluster(const QString &runDirFlag)
{
    const QString runDir = cluster::resolveRunDir(runDirFlag);
    return cluster::readStateFile(cluster::stateFilePath(runDir));
}

util::TlsTrust trustForMaster(const QUrl &master, const QString &runDirFlag)
{
    const auto state = findCluster(runDirFlag);
    if (!state)
        return {};
    const QUrl known(state->masterUrl);
    const bool same = known.scheme() == master.scheme() && known.host() == master.host() &&
                      known.port() == master.port();
    return same ? state->tls : util::TlsTrust{};
}

} // namespace starling::cli
