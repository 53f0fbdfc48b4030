#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <map>

class QTcpServer;
class QTcpSocket;

namespace starling::bridge {

class BridgeSession;

// The monitor's end of the bridge (PROTOCOL.md): NDJSON over TCP. It frames, authenticates,
// checks envelopes, fans snapshots and events out, and bounds the memory every client can cost;
// what a command means is the owner's business (commandReceived -> reply / replyError).
// Single-threaded: lives in the thread whose event loop runs it; never blocks.
class BridgeServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BridgeServer)

public:
    struct Config
    {
        QByteArray token = {};              // required; compared in constant time, never logged
        qsizetype lineLimit = 65536;        // longest line a client may send, in bytes
        qint64 clientBufferLimit = 1 << 20; // unsent bytes per client before snapshots drop
        int maxClients = 64; // authenticated clients; one more is refused at its hello
        int helloTimeoutMs = 5000;
        // Connections that have not said hello yet have quotas of their own, so a flood of
        // them cannot take the room operators need: a new one past either quota closes the
        // oldest waiting one (of its address, else of all) at once. Big enough for a burst of
        // honest clients from one host (make bench connects 16 at once); since the oldest
        // goes, a flood cannot hold places whatever the size.
        int preHelloPerAddress = 16;
        int preHelloMax = 64;
        int acceptRetryMs = 250; // after accept() fails (out of descriptors), try again after
        // With a certificate (PEM, checked by tls::TlsIdentity) the bridge speaks TLS only; a
        // clear-text hello fails the handshake. Each handshake is a pre-hello connection
        // (TlsAcceptingServer), under the quotas and the hello timeout.
        QByteArray certificatePem = {};
        QByteArray privateKeyPem = {};
    };

    explicit BridgeServer(Config config, QObject *parent = nullptr);
    ~BridgeServer() override;

    // Port 0 picks a free port; returns the bound port, or why it could not listen.
    Expected<quint16> listen(const QHostAddress &address, quint16 port);
    void close(); // stops listening and drops every client
    bool isListening() const;
    quint16 serverPort() const;

    // Serialised once and written to every authenticated client (and kept for the next one to
    // join). A client with more than clientBufferLimit unsent bytes skips this snapshot.
    void publishSnapshot(const QJsonObject &snapshot);
    // Written to every authenticated client; one so far behind that this event would take it
    // past 2 x clientBufferLimit is closed with "too_slow" instead.
    void publishEvent(const QJsonObject &event);
    // Answers a command; ignored if the client has gone.
    void reply(quint64 clientId, const QString &commandId, const QJsonObject &result);
    void replyError(quint64 clientId, const QString &commandId, const QString &code,
                    const QString &message);

    int clientCount() const; // authenticated clients
    QList<quint64> clientIds() const;
    QString clientName(quint64 clientId) const;
    qint64 droppedSnapshots() const { return m_droppedSnapshots; }
    qint64 droppedSnapshots(quint64 clientId) const;
    qint64 pendingBytes(quint64 clientId) const; // 0 for an unknown client
    int preHelloCount() const { return int(m_preHello.size()); }
    qint64 acceptFailures() const { return m_acceptFailures; }
    // Issue 17: clients closed with "too_slow" since the server was made (/metrics counter).
    qint64 tooSlowClosures() const { return m_tooSlowClosures; }

signals:
    void commandReceived(quint64 clientId, const QString &clientName, const QJsonObject &command);
    void clientJoined(quint64 clientId, const QString &clientName);
    void clientLeft(quint64 clientId);

private:
    // A connection that has not said hello, until it does or its socket is gone (lingering
    // after an error counts: its descriptor is still open).
    struct PreHello
    {
        QPointer<BridgeSession> session;
        QString address;
    };

    void acceptConnections();
    void admit(QTcpSocket *socket);
    void makeRoomFor(const QString &address);
    void evict(std::map<quint64, PreHello>::iterator entry, const QString &why);
    void onAcceptError();
    Expected<bool> configureTls(); // TLS slice: a no-op without a certificate
    BridgeSession *authenticatedSession(quint64 clientId) const;

    Config m_config;
    QTcpServer *m_server;
    QHash<quint64, BridgeSession *> m_sessions; // open connections, by client id
    std::map<quint64, PreHello> m_preHello;     // by client id: oldest first
    QTimer m_acceptRetry;
    qint64 m_acceptFailures = 0;
    bool m_acceptFailing = false; // logs once per run of failures
    quint64 m_nextClientId = 1;
    QByteArray m_latestSnapshot;
    qint64 m_droppedSnapshots = 0;
    qint64 m_tooSlowClosures = 0;
};

} // namespace starling::bridge
