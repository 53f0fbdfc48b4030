#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QString>

class QTcpServer;

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
        int maxClients = 64;                // open connections, authenticated or not
        int helloTimeoutMs = 5000;
        // TLS slice: with a certificate (PEM, checked by tls::TlsIdentity) the bridge is a
        // QSslServer and speaks TLS only; a clear-text hello fails the handshake.
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

signals:
    void commandReceived(quint64 clientId, const QString &clientName, const QJsonObject &command);
    void clientJoined(quint64 clientId, const QString &clientName);
    void clientLeft(quint64 clientId);

private:
    void acceptConnections();
    Expected<bool> configureTls(); // TLS slice: a no-op without a certificate
    BridgeSession *authenticatedSession(quint64 clientId) const;

    Config m_config;
    QTcpServer *m_server;
    QHash<quint64, BridgeSession *> m_sessions; // open connections, by client id
    quint64 m_nextClientId = 1;
    QByteArray m_latestSnapshot;
    qint64 m_droppedSnapshots = 0;
};

} // namespace starling::bridge
