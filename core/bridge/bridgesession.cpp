#include "bridgesession.h"

#include "bridge/bridgehello.h"
#include "bridge/bridgemessage.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QTcpSocket>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace starling::bridge {

Q_LOGGING_CATEGORY(lcBridgeSession, "starling.bridge")

namespace {
// Reads at most this much from the socket per step, and lets Qt buffer at most this much
// unread, so a fast sender cannot make the session hold more than this plus one line.
constexpr qint64 kReadChunk = 64 * 1024;
// After a closing error line, how long the peer has to take it before the socket is aborted.
constexpr int kLingerMs = 2000;
} // namespace

BridgeSession::BridgeSession(quint64 id, QTcpSocket *socket, Settings settings, QObject *parent)
    : QObject(parent), m_id(id), m_socket(socket), m_settings(std::move(settings)),
      m_lines(m_settings.lineLimit)
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(kReadChunk);
    m_helloTimer.setSingleShot(true);
    m_lingerTimer.setSingleShot(true);
    connect(&m_helloTimer, &QTimer::timeout, this, [this] {
        closeWithError(ErrorCode::HelloTimeout,
                       QStringLiteral("no hello within %1 ms").arg(m_settings.helloTimeoutMs));
    });
    connect(&m_lingerTimer, &QTimer::timeout, this, [this] {
        m_socket->abort();
        deleteLater();
    });
    connect(m_socket, &QTcpSocket::readyRead, this, &BridgeSession::readAvailable);
    connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        finish();
        deleteLater();
    });
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        // RemoteHostClosed is followed by disconnected(); anything else ends the session too.
        if (m_socket->state() != QAbstractSocket::ConnectedState) {
            finish();
            deleteLater();
        }
    });
}

BridgeSession::~BridgeSession() = default;

void BridgeSession::start()
{
    if (m_state != State::Created)
        return;
    m_state = State::AwaitingHello;
    m_helloTimer.start(m_settings.helloTimeoutMs);
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        finish();
        deleteLater();
        return;
    }
    if (m_socket->bytesAvailable() > 0)
        readAvailable();
}

qint64 BridgeSession::pendingBytes() const
{
    return m_socket->bytesToWrite();
}

bool BridgeSession::offerSnapshot(const QByteArray &line)
{
    if (m_state != State::Ready)
        return false;
    if (m_socket->bytesToWrite() > m_settings.bufferLimit) {
        ++m_droppedSnapshots;
        return false;
    }
    write(line);
    return true;
}

void BridgeSession::sendReliable(const QByteArray &line)
{
    if (m_state != State::Ready)
        return;
    if (m_socket->bytesToWrite() + line.size() > 2 * m_settings.bufferLimit) {
        emit closedTooSlow();
        closeWithError(ErrorCode::TooSlow,
                       QStringLiteral("the client is not reading: %1 bytes unsent")
                           .arg(m_socket->bytesToWrite()));
        return;
    }
    write(line);
}

void BridgeSession::closeWithError(const QString &code, const QString &message)
{
    if (m_state == State::Closed)
        return;
    qCInfo(lcBridgeSession).noquote()
        << "closing" << describe() << "with" << code << "-" << message;
    write(BridgeMessage::error(QString(), code, message));
    finish();
    // Lingering close (as web servers do): closing a socket with unread input makes the kernel
    // send RST, which can destroy the error line before the client reads it. So: send the
    // line, then FIN, keep reading and discarding until the client closes, and abort if it has
    // not done so within kLingerMs.
    m_lingerTimer.start(kLingerMs);
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        if (m_socket->bytesToWrite() == 0)
            shutdownWriting();
    });
    m_socket->flush();
    if (m_socket->bytesToWrite() == 0)
        shutdownWriting();
}

void BridgeSession::abortWithError(const QString &code, const QString &message)
{
    if (m_state != State::Closed) {
        qCInfo(lcBridgeSession).noquote()
            << "dropping" << describe() << "with" << code << "-" << message;
        write(BridgeMessage::error(QString(), code, message));
        m_socket->flush();
        finish();
    }
    m_lingerTimer.stop();
    m_socket->abort();
    deleteLater();
}

void BridgeSession::readAvailable()
{
    if (m_state == State::Closed) {
        m_socket->skip(m_socket->bytesAvailable()); // lingering: drain and discard
        return;
    }
    const QPointer<BridgeSession> self(this);
    while (self && isOpen() && m_socket->bytesAvailable() > 0) {
        const QByteArray chunk = m_socket->read(kReadChunk);
        if (chunk.isEmpty())
            break;
        const LineBuffer::Batch batch = m_lines.feed(chunk);
        for (const QByteArray &line : batch.lines) {
            handleLine(line);
            if (!self || !isOpen())
                return;
        }
        if (batch.overflowed) {
            closeWithError(
                ErrorCode::LineTooLong,
                QStringLiteral("a line is longer than %1 bytes").arg(m_lines.lineLimit()));
            return;
        }
    }
}

void BridgeSession::handleLine(const QByteArray &line)
{
    if (m_state == State::AwaitingHello)
        handleHello(line);
    else if (m_state == State::Ready)
        handleMessage(line);
}

void BridgeSession::handleHello(const QByteArray &line)
{
    const BridgeHello hello = BridgeHello::check(line, m_settings.token);
    if (!hello.accepted) {
        closeWithError(hello.errorCode, hello.errorMessage);
        return;
    }
    if (m_settings.roomForClient && !m_settings.roomForClient()) {
        closeWithError(ErrorCode::TooManyClients,
                       QStringLiteral("the bridge already serves all the clients it may"));
        return;
    }
    m_helloTimer.stop();
    m_clientName = hello.clientName;
    m_state = State::Ready;
    qCInfo(lcBridgeSession).noquote() << describe() << "welcomed";
    write(BridgeMessage::welcome(m_id));
    emit authenticated();
}

void BridgeSession::handleMessage(const QByteArray &line)
{
    const BridgeMessage::Parsed parsed = BridgeMessage::parse(line);
    if (!parsed.isValid()) {
        qCDebug(lcBridgeSession).noquote() << describe() << parsed.errorCode;
        sendReliable(BridgeMessage::error(QString(), parsed.errorCode, parsed.errorMessage));
        return;
    }
    if (parsed.type == MessageType::Ping) {
        const QJsonValue id = parsed.object.value(QLatin1String("id"));
        sendReliable(BridgeMessage::pong(id.isString() ? id : QJsonValue(QJsonValue::Null)));
        return;
    }
    if (parsed.type == MessageType::Command) {
        const QString envelopeError = BridgeMessage::commandEnvelopeError(parsed.object);
        if (!envelopeError.isEmpty()) {
            const QJsonValue id = parsed.object.value(QLatin1String("id"));
            sendReliable(BridgeMessage::error(BridgeMessage::isValidCommandId(id) ? id.toString()
                                                                                  : QString(),
                                              ErrorCode::BadCommand, envelopeError));
            return;
        }
        emit commandReceived(parsed.object);
        return;
    }
    const QString message = parsed.type == MessageType::Hello
                                ? QStringLiteral("hello was already accepted")
                                : QStringLiteral("a client may send \"command\" or \"ping\", not "
                                                 "\"%1\"")
                                      .arg(parsed.type.left(64));
    sendReliable(BridgeMessage::error(QString(), ErrorCode::UnknownType, message));
}

void BridgeSession::write(const QByteArray &line)
{
    if (m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->write(line);
}

void BridgeSession::shutdownWriting()
{
    if (m_writingShutDown || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    m_writingShutDown = true;
#ifdef Q_OS_UNIX
    // QTcpSocket has no half-close; the descriptor is still Qt's and Qt reads on from it.
    if (m_socket->socketDescriptor() >= 0 &&
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR) == 0)
        return;
#endif
    m_socket->disconnectFromHost();
}

void BridgeSession::finish()
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    m_helloTimer.stop();
    emit finished();
}

QString BridgeSession::describe() const
{
    return m_clientName.isEmpty() ? QStringLiteral("client %1").arg(m_id)
                                  : QStringLiteral("client %1 (%2)").arg(m_id).arg(m_clientName);
}

} // namespace starling::bridge
