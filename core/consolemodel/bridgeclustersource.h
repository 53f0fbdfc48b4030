#pragma once

#include "bridge/bridgeclient.h"
#include "consolemodel/clustersource.h"
#include "consolemodel/historyfetch.h"
#include "util/expected.h"
#include "util/tlstrust.h"

#include <QTimer>

#include <functional>

namespace starling::consolemodel {

// Where a bridge is and the token it wants.
struct BridgeEndpoint
{
    QString host;
    quint16 port = 0;
    QByteArray token;
    QString origin; // for messages: "the state file /x/.starling/cluster.json" or "host:port"
    util::TlsTrust tls = {}; // TLS slice: the state file's `tls`; empty = clear text
};

// Asked before every connection attempt, so a cluster restarted with a new port and token is
// found again by re-reading its state file.
using EndpointResolver = std::function<Expected<BridgeEndpoint>()>;

EndpointResolver endpointFromStateFile(const QString &stateFilePath);
EndpointResolver fixedEndpoint(const BridgeEndpoint &endpoint);
// `--connect HOST:PORT --token-file FILE`, checked: a host, a port 1-65535, a token file of at
// most 4 KiB holding 64 hex characters (surrounding white space allowed).
Expected<BridgeEndpoint> parseConnectArguments(const QString &hostPort, const QString &tokenFile);

// The console's link to the monitor: a BridgeClient that reconnects with back-off (first
// retry after 1 s, doubling to 30 s, reset by a welcome) and pings to measure the round trip.
// After every welcome, the first snapshot names the slaves whose history it then fetches.
class BridgeClusterSource final : public ClusterSource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BridgeClusterSource)

public:
    struct Timing
    {
        int firstRetryMs = 1000;
        int maxRetryMs = 30000;
        int pingMs = 2000;
        int handshakeMs = 5000;
    };

    BridgeClusterSource(EndpointResolver resolver, QString clientName, QObject *parent = nullptr);
    ~BridgeClusterSource() override;

    void setTiming(const Timing &timing);
    int nextRetryMs() const { return m_retryMs; }

    void start() override;
    void stop() override;
    LinkState linkState() const override { return m_state; }
    QString sendCommand(const QJsonObject &command) override;

private:
    void attempt();
    void lost(const QString &why); // schedules the next attempt
    void setState(LinkState state, const QString &detail);
    void fetchHistory(const cluster::ClusterSnapshot &snapshot);

    EndpointResolver m_resolver;
    QString m_clientName;
    bridge::BridgeClient m_client;
    QTimer m_retryTimer;
    QTimer m_pingTimer;
    Timing m_timing;
    int m_retryMs = 1000;
    bool m_running = false;
    LinkState m_state = LinkState::Disconnected;
    QString m_origin;
    HistoryFetch m_history;
    bool m_historyWanted = false; // welcomed, the history not yet asked for
};

} // namespace starling::consolemodel
