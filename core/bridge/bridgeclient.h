#pragma once

#include "bridge/linebuffer.h"
#include "util/tlstrust.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QSet>
#include <QString>
#include <QTimer>

class QSslError;
class QSslSocket;

namespace starling::bridge {

// A bridge client for the `starling` CLI and the console (PROTOCOL.md). Works in any thread with
// an event loop (QCoreApplication or QApplication); never blocks.
//
// Failures arrive as failed(message): the bridge cannot be reached, it refused the hello or
// closed the connection with an error, it sent bad data (not JSON, not an object, a line over
// the limit; the connection is then closed), or no welcome came within the handshake timeout.
// At most one failed() per connection attempt. disconnected() follows whenever a connection that
// had been established ends, for whatever reason. Unknown message types are ignored (newer
// servers may add some). Every signal is emitted from the event loop, never from inside the
// socket's own signals, so a slot may delete the client (deleteLater is still the Qt habit).
class BridgeClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BridgeClient)

public:
    explicit BridgeClient(QObject *parent = nullptr);
    ~BridgeClient() override;

    // Drops any current connection and starts a new one; the hello goes out once connected.
    void connectToBridge(const QString &host, quint16 port, const QByteArray &token,
                         const QString &clientName);
    // Quiet: emits disconnected() (at once) if a connection was up, never failed().
    void disconnectFromBridge();

    bool isWelcomed() const { return m_state == State::Welcomed; }
    quint64 clientId() const { return m_clientId; }

    // Sets "type":"command" and, unless the command carries a valid "id", a fresh one; returns
    // the id, which replied() will carry. Commands sent before the welcome are queued until it.
    // Without a connection the answer is replied(id, false, {}, "not_connected", ...), queued.
    QString sendCommand(QJsonObject command);
    // Sends a ping when welcomed; ponged() reports the round trip.
    void ping();

    // Longest line accepted from the bridge (default 16 MiB); applies from the next connection.
    void setLineLimit(qsizetype bytes) { m_lineLimit = bytes; }
    // TLS slice: with a non-empty trust the next connections are TLS only, verified against the
    // CA file (as the only root, the host checked against the certificate's names) and/or the
    // public key pin; a mismatch is failed() before the hello (and its token) goes out.
    void setTlsTrust(util::TlsTrust trust) { m_trust = std::move(trust); }
    // How long connecting plus the hello may take before failed() (default 10 s).
    void setHandshakeTimeout(int ms) { m_handshakeTimeoutMs = ms; }

signals:
    void welcomed(quint64 clientId);
    void snapshotReceived(const QJsonObject &snapshot);
    void eventReceived(const QJsonObject &event);
    void replied(const QString &id, bool ok, const QJsonObject &result, const QString &code,
                 const QString &message);
    void ponged(const QString &id, qint64 roundTripMs);
    void failed(const QString &message);
    void disconnected();

private:
    enum class State
    {
        Idle,
        Connecting,
        AwaitingWelcome,
        Welcomed
    };

    void onConnected();
    void startTls();    // TLS slice: connectToHostEncrypted with m_trust
    void onEncrypted(); // TLS slice: checks the pin, then onConnected()
    void onSslErrors(const QList<QSslError> &errors);
    void onDisconnected();
    void onSocketError();
    void readAvailable();
    bool handleLine(const QByteArray &line); // false: the connection was dropped
    void handleError(const QJsonObject &message);
    void fail(const QString &message);           // reports once, then drops the connection
    void defer(void (BridgeClient::*handler)()); // queued, dropped if the connection changed
    void reset();
    QString endpoint() const;

    QSslSocket *m_socket;
    util::TlsTrust m_trust;
    QString m_tlsProblem; // why the last handshake was refused, for failed()
    QTimer m_handshakeTimer;
    LineBuffer m_lines{16 << 20};
    State m_state = State::Idle;
    QString m_host;
    quint16 m_port = 0;
    QByteArray m_token;
    QString m_clientName;
    quint64 m_clientId = 0;
    quint64 m_nextId = 1;
    quint64 m_generation = 0; // bumped per connection, so stale work can tell it is stale
    bool m_failureReported = false;
    bool m_wasConnected = false; // this connection got established and disconnected() is owed
    qsizetype m_lineLimit = 16 << 20;
    int m_handshakeTimeoutMs = 10000;
    QList<QPair<QString, QByteArray>> m_queued; // command ids and lines waiting for the welcome
    QSet<QString> m_unanswered;                 // commands sent and not yet answered
    QHash<QString, QElapsedTimer> m_pings;      // outstanding pings by id
};

} // namespace starling::bridge
