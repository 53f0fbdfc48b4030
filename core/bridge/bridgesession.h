#pragma once

#include "bridge/linebuffer.h"

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>

class QTcpSocket;

namespace starling::bridge {

// One bridge connection on the server side: reads and frames its lines, checks the hello and
// every envelope, answers pings, and writes what the server fans out under the memory bounds.
// It deletes itself (deleteLater) once closed; finished() is emitted exactly once, first.
class BridgeSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BridgeSession)

public:
    struct Settings
    {
        QByteArray token;
        qsizetype lineLimit = 65536;
        qint64 bufferLimit = 1 << 20;
        int helloTimeoutMs = 5000;
        // Asked when a valid hello arrives: false means the bridge already serves all the
        // clients it may, and the hello is refused with too_many_clients. Empty: always room.
        std::function<bool()> roomForClient = {};
    };

    // Takes ownership of socket (already connected).
    BridgeSession(quint64 id, QTcpSocket *socket, Settings settings, QObject *parent = nullptr);
    ~BridgeSession() override;

    // Starts the hello timer and reading. Separate from the constructor so the owner can
    // connect the signals first.
    void start();

    quint64 id() const { return m_id; }
    QString clientName() const { return m_clientName; }
    bool isAuthenticated() const { return m_state == State::Ready; }
    bool isOpen() const { return m_state == State::AwaitingHello || m_state == State::Ready; }
    qint64 pendingBytes() const; // written but not yet handed to the kernel
    qint64 droppedSnapshots() const { return m_droppedSnapshots; }

    // A snapshot line is dropped (false) when the client already has more than bufferLimit
    // unsent bytes; the next snapshot supersedes it anyway.
    bool offerSnapshot(const QByteArray &line);
    // Events, acks and errors are never dropped: if one would take the backlog past twice the
    // buffer limit, the client is closed with "too_slow" instead.
    void sendReliable(const QByteArray &line);
    // Writes one error line and closes (the reason is logged, never the token). Input that
    // still arrives is read and discarded until the client closes, for at most 2 s.
    void closeWithError(const QString &code, const QString &message);
    // Writes one error line if still open and closes the socket now, without lingering: for a
    // connection refused to make room, whose descriptor must not stay open.
    void abortWithError(const QString &code, const QString &message);

signals:
    void authenticated();                             // the welcome line has been written
    void commandReceived(const QJsonObject &command); // envelope already checked
    void finished();                                  // closed, for whatever reason
    void closedTooSlow(); // issue 17: just before finished(), when closed with "too_slow"

private:
    enum class State
    {
        Created,
        AwaitingHello,
        Ready,
        Closed
    };

    void readAvailable();
    void handleLine(const QByteArray &line);
    void handleHello(const QByteArray &line);
    void handleMessage(const QByteArray &line);
    void write(const QByteArray &line);
    void shutdownWriting(); // half-close: FIN after the last byte, keep reading
    void finish();
    QString describe() const; // "client 7 (alice-cli)" for logs

    quint64 m_id;
    QTcpSocket *m_socket;
    Settings m_settings;
    LineBuffer m_lines;
    QTimer m_helloTimer;
    QTimer m_lingerTimer;
    State m_state = State::Created;
    QString m_clientName;
    qint64 m_droppedSnapshots = 0;
    bool m_writingShutDown = false;
};

} // namespace starling::bridge
