#include "bridgeclustersource.h"

#include "cluster/noderole.h"
#include "cluster/statefile.h"
#include "util/oneline.h"

#include <QFile>

#include <algorithm>

namespace starling::consolemodel {

EndpointResolver endpointFromStateFile(const QString &stateFilePath)
{
    return [stateFilePath]() -> Expected<BridgeEndpoint> {
        auto state = cluster::readStateFile(stateFilePath);
        if (!state)
            return Error{state.error(), QStringLiteral("no_cluster")};
        BridgeEndpoint e;
        e.host = state->bridgeHost;
        e.port = state->bridgePort;
        e.token = state->token.toLatin1();
        e.tls = state->tls;
        e.origin = QStringLiteral("the cluster in %1").arg(stateFilePath);
        return e;
    };
}

EndpointResolver fixedEndpoint(const BridgeEndpoint &endpoint)
{
    return [endpoint]() -> Expected<BridgeEndpoint> {
        return endpoint;
    };
}

Expected<BridgeEndpoint> parseConnectArguments(const QString &hostPort, const QString &tokenFile)
{
    const QString code = QStringLiteral("bad_usage");
    const qsizetype colon = hostPort.lastIndexOf(u':');
    bool portOk = false;
    const uint port = colon > 0 ? hostPort.mid(colon + 1).toUInt(&portOk) : 0;
    QString host = colon > 0 ? hostPort.left(colon) : QString();
    if (host.startsWith(u'[') && host.endsWith(u']')) // [::1]:7070
        host = host.mid(1, host.size() - 2);
    if (host.isEmpty() || !portOk || port < 1 || port > 65535)
        return Error{QStringLiteral("--connect wants HOST:PORT (port 1-65535), got \"%1\"")
                         .arg(util::oneLine(hostPort, 100)),
                     code};
    if (tokenFile.isEmpty())
        return Error{QStringLiteral("--connect needs --token-file FILE (the bridge's token)"),
                     code};
    QFile file(tokenFile);
    if (!file.open(QIODevice::ReadOnly))
        return Error{
            QStringLiteral("cannot read the token file %1: %2").arg(tokenFile, file.errorString()),
            code};
    const QByteArray raw = file.read(4097);
    if (raw.size() > 4096)
        return Error{QStringLiteral("the token file %1 is larger than 4 KiB").arg(tokenFile), code};
    const QByteArray token = raw.trimmed();
    const bool hex =
        token.size() == 64 && std::all_of(token.begin(), token.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        });
    if (!hex)
        return Error{QStringLiteral("the token file %1 does not hold a token (64 hex characters)")
                         .arg(tokenFile),
                     code};
    BridgeEndpoint e;
    e.host = host;
    e.port = quint16(port);
    e.token = token;
    e.origin = hostPort;
    return e;
}

BridgeClusterSource::BridgeClusterSource(EndpointResolver resolver, QString clientName,
                                         QObject *parent)
    : ClusterSource(parent), m_resolver(std::move(resolver)), m_clientName(std::move(clientName)),
      m_history([this](const QJsonObject &command) { return sendCommand(command); })
{
    connect(&m_history, &HistoryFetch::finished, this, &ClusterSource::historyReceived);
    connect(&m_history, &HistoryFetch::failed, this, &ClusterSource::historyFailed);
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &BridgeClusterSource::attempt);
    connect(&m_pingTimer, &QTimer::timeout, &m_client, &bridge::BridgeClient::ping);
    connect(&m_client, &bridge::BridgeClient::welcomed, this, [this] {
        m_retryMs = m_timing.firstRetryMs;
        m_pingTimer.start(m_timing.pingMs);
        m_client.ping();
        m_historyWanted = true;
        setState(LinkState::Connected, QStringLiteral("connected to %1").arg(m_origin));
    });
    connect(&m_client, &bridge::BridgeClient::snapshotReceived, this,
            [this](const QJsonObject &json) {
                const cluster::ClusterSnapshot snapshot = cluster::ClusterSnapshot::fromJson(json);
                emit snapshotReceived(snapshot);
                fetchHistory(snapshot);
            });
    connect(&m_client, &bridge::BridgeClient::eventReceived, this, &ClusterSource::eventReceived);
    connect(&m_client, &bridge::BridgeClient::replied, this,
            [this](const QString &id, bool ok, const QJsonObject &result, const QString &code,
                   const QString &message) {
                if (!m_history.take(id, ok, result, code, message))
                    emit commandAnswered(id, ok, result, code, message);
            });
    connect(&m_client, &bridge::BridgeClient::ponged, this,
            [this](const QString &, qint64 ms) { emit roundTripMeasured(ms); });
    connect(&m_client, &bridge::BridgeClient::failed, this,
            [this](const QString &message) { lost(message); });
    connect(&m_client, &bridge::BridgeClient::disconnected, this,
            [this] { lost(QStringLiteral("the monitor closed the connection")); });
}

BridgeClusterSource::~BridgeClusterSource() = default;

void BridgeClusterSource::setTiming(const Timing &timing)
{
    m_timing = timing;
    m_retryMs = timing.firstRetryMs;
    m_client.setHandshakeTimeout(timing.handshakeMs);
}

void BridgeClusterSource::start()
{
    if (m_running)
        return;
    m_running = true;
    m_retryMs = m_timing.firstRetryMs;
    m_client.setHandshakeTimeout(m_timing.handshakeMs);
    attempt();
}

void BridgeClusterSource::stop()
{
    m_running = false;
    m_retryTimer.stop();
    m_pingTimer.stop();
    m_historyWanted = false;
    m_history.cancel();
    m_client.disconnectFromBridge();
    setState(LinkState::Disconnected, QStringLiteral("stopped"));
}

QString BridgeClusterSource::sendCommand(const QJsonObject &command)
{
    QJsonObject c = command;
    c.insert(QStringLiteral("type"), QStringLiteral("command"));
    return m_client.sendCommand(c);
}

void BridgeClusterSource::attempt()
{
    if (!m_running)
        return;
    const auto endpoint = m_resolver();
    if (!endpoint) {
        lost(endpoint.error());
        return;
    }
    m_origin = endpoint->origin.isEmpty()
                   ? QStringLiteral("%1:%2").arg(endpoint->host).arg(endpoint->port)
                   : endpoint->origin;
    setState(LinkState::Connecting, QStringLiteral("connecting to %1").arg(m_origin));
    m_client.setTlsTrust(endpoint->tls);
    m_client.connectToBridge(endpoint->host, endpoint->port, endpoint->token, m_clientName);
}

void BridgeClusterSource::fetchHistory(const cluster::ClusterSnapshot &snapshot)
{
    if (!m_historyWanted)
        return;
    m_historyWanted = false;
    std::vector<std::pair<int, QString>> slaves;
    for (const cluster::NodeView &node : snapshot.nodes) {
        if (node.role == cluster::NodeRole::Slave)
            slaves.emplace_back(node.rank, node.name);
    }
    m_history.start(slaves);
}

void BridgeClusterSource::lost(const QString &why)
{
    m_pingTimer.stop();
    m_historyWanted = false;
    m_history.cancel();
    if (!m_running || m_retryTimer.isActive())
        return;
    const int delay = m_retryMs;
    m_retryMs = std::min(m_timing.maxRetryMs, m_retryMs * 2);
    m_retryTimer.start(delay);
    setState(LinkState::Disconnected,
             QStringLiteral("%1; retrying in %2 s").arg(why).arg(double(delay) / 1000, 0, 'g', 3));
}

void BridgeClusterSource::setState(LinkState state, const QString &detail)
{
    m_state = state;
    emit linkStateChanged(state, detail);
}

} // namespace starling::consolemodel
