#include "bridgeclient.h"

#include "bridge/bridgemessage.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QSslConfiguration>
#include <QSslError>
#include <QSslKey>
#include <QSslSocket>

namespace starling::bridge {

Q_LOGGING_CATEGORY(lcBridgeClient, "starling.bridge.client")

namespace {
constexpr qint64 kReadChunk = 256 * 1024;
constexpr qsizetype kMaxOutstandingPings = 64;

// Errors after which the bridge closes the connection.
bool closesConnection(const QString &code)
{
    for (const QLatin1String fatal :
         {ErrorCode::Unauthorized, ErrorCode::UnsupportedProtocol, ErrorCode::HelloRequired,
          ErrorCode::HelloTimeout, ErrorCode::BadHello, ErrorCode::TooManyClients,
          ErrorCode::LineTooLong, ErrorCode::TooSlow, ErrorCode::ShuttingDown}) {
        if (code == fatal)
            return true;
    }
    return false;
}
} // namespace

BridgeClient::BridgeClient(QObject *parent) : QObject(parent), m_socket(new QSslSocket(this))
{
    m_socket->setReadBufferSize(kReadChunk);
    m_handshakeTimer.setSingleShot(true);
    connect(&m_handshakeTimer, &QTimer::timeout, this, [this] {
        fail(QStringLiteral("no welcome from the bridge at %1 within %2 ms")
                 .arg(endpoint())
                 .arg(m_handshakeTimeoutMs));
    });
    // The socket's signals are handled from the event loop, in the order the socket emitted
    // them, never inside its emission: a caller may then delete this client (and the socket)
    // from any slot of ours. connected() only writes the hello, so it runs at once.
    connect(m_socket, &QTcpSocket::connected, this, [this] {
        if (!m_trust.isEnabled())
            onConnected();
    });
    // With TLS the hello waits for encrypted(); the pin check may fail the connection, so it
    // runs from the event loop like the other handlers.
    connect(m_socket, &QSslSocket::encrypted, this, [this] { defer(&BridgeClient::onEncrypted); });
    connect(m_socket, &QSslSocket::sslErrors, this, &BridgeClient::onSslErrors);
    connect(m_socket, &QTcpSocket::readyRead, this,
            [this] { defer(&BridgeClient::readAvailable); });
    connect(m_socket, &QTcpSocket::errorOccurred, this,
            [this] { defer(&BridgeClient::onSocketError); });
    connect(m_socket, &QTcpSocket::disconnected, this,
            [this] { defer(&BridgeClient::onDisconnected); });
}

BridgeClient::~BridgeClient()
{
    disconnect(m_socket, nullptr, this, nullptr);
}

void BridgeClient::connectToBridge(const QString &host, quint16 port, const QByteArray &token,
                                   const QString &clientName)
{
    disconnectFromBridge();
    ++m_generation;
    m_host = host;
    m_port = port;
    m_token = token;
    m_clientName = clientName;
    m_clientId = 0;
    m_failureReported = false;
    m_wasConnected = false;
    m_lines = LineBuffer(m_lineLimit);
    if (!BridgeMessage::isValidClientName(clientName)) {
        const quint64 generation = m_generation;
        QTimer::singleShot(0, this, [this, generation] {
            if (generation == m_generation && !m_failureReported) {
                m_failureReported = true;
                emit failed(QStringLiteral("invalid client name \"%1\": use 1 to %2 characters "
                                           "of A-Z a-z 0-9 . _ @ -")
                                .arg(m_clientName.left(kMaxClientNameLength))
                                .arg(kMaxClientNameLength));
            }
        });
        return;
    }
    m_state = State::Connecting;
    m_handshakeTimer.start(m_handshakeTimeoutMs);
    if (m_trust.isEnabled())
        startTls();
    else
        m_socket->connectToHost(host, port);
}

void BridgeClient::startTls()
{
    m_tlsProblem.clear();
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    if (!m_trust.caFile.isEmpty()) {
        const QList<QSslCertificate> roots = QSslCertificate::fromPath(m_trust.caFile);
        if (roots.isEmpty()) {
            const quint64 generation = m_generation;
            const QString why =
                QStringLiteral("cannot use the CA file %1: no PEM certificate could be read")
                    .arg(m_trust.caFile);
            QTimer::singleShot(0, this, [this, generation, why] {
                if (generation == m_generation)
                    fail(why);
            });
            return;
        }
        tls.setCaCertificates(roots); // the only roots: not the system's
        tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    } else {
        // A pin alone: the certificate is self-made, so no chain to check; onEncrypted()
        // compares the key before anything is sent.
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    }
    m_socket->setSslConfiguration(tls);
    m_socket->connectToHostEncrypted(m_host, m_port);
}

void BridgeClient::onSslErrors(const QList<QSslError> &errors)
{
    // Not ignored: the socket aborts the handshake, and failed() says why.
    if (!errors.isEmpty())
        m_tlsProblem = QStringLiteral("TLS certificate not trusted (%1): %2")
                           .arg(m_trust.caFile, errors.constFirst().errorString());
}

void BridgeClient::onEncrypted()
{
    if (!m_trust.publicKeyPin.isEmpty()) {
        const QString pin = util::publicKeyPinOf(m_socket->peerCertificate().publicKey().toDer());
        if (pin != m_trust.publicKeyPin) {
            m_tlsProblem = QStringLiteral("TLS public key of the bridge at %1 does not match the "
                                          "pinned one (tls.pubkey_sha256)")
                               .arg(endpoint());
            fail(m_tlsProblem);
            return;
        }
    }
    onConnected();
}

void BridgeClient::disconnectFromBridge()
{
    // Quiet: no failed(); disconnected() at once if a connection was up. The new generation
    // makes anything the old socket still has queued for us a no-op.
    const bool wasUp = m_wasConnected;
    m_failureReported = true;
    m_wasConnected = false;
    ++m_generation;
    reset();
    if (m_socket->state() != QAbstractSocket::UnconnectedState)
        m_socket->abort();
    if (wasUp)
        emit disconnected();
}

QString BridgeClient::sendCommand(QJsonObject command)
{
    const QLatin1String idKey("id");
    QString id;
    if (BridgeMessage::isValidCommandId(command.value(idKey)))
        id = command.value(idKey).toString();
    else
        id = QStringLiteral("c%1").arg(m_nextId++);
    command.insert(idKey, id);
    command.insert(QLatin1String("type"), MessageType::Command);
    const QByteArray line = BridgeMessage::encode(command);
    switch (m_state) {
    case State::Welcomed:
        m_socket->write(line);
        m_unanswered.insert(id);
        break;
    case State::Connecting:
    case State::AwaitingWelcome:
        m_queued.append({id, line});
        break;
    case State::Idle:
        QTimer::singleShot(0, this, [this, id] {
            emit replied(id, false, {}, QStringLiteral("not_connected"),
                         QStringLiteral("not connected to the bridge"));
        });
        break;
    }
    return id;
}

void BridgeClient::ping()
{
    if (m_state != State::Welcomed)
        return;
    if (m_pings.size() >= kMaxOutstandingPings)
        m_pings.clear(); // the bridge is not answering; forget the old ones
    const QString id = QStringLiteral("p%1").arg(m_nextId++);
    QElapsedTimer timer;
    timer.start();
    m_pings.insert(id, timer);
    m_socket->write(BridgeMessage::ping(id));
}

void BridgeClient::onConnected()
{
    m_wasConnected = true;
    m_state = State::AwaitingWelcome;
    m_socket->write(BridgeMessage::hello(m_clientName, m_token));
}

void BridgeClient::onDisconnected()
{
    const QPointer<BridgeClient> self(this);
    const quint64 generation = m_generation;
    if (!m_failureReported && m_state == State::AwaitingWelcome) {
        m_failureReported = true;
        emit failed(QStringLiteral("the bridge at %1 closed the connection before the welcome")
                        .arg(endpoint()));
        if (!self || generation != m_generation)
            return;
    }
    reset();
    if (m_wasConnected) {
        m_wasConnected = false;
        emit disconnected();
    }
}

void BridgeClient::onSocketError()
{
    if (m_socket->error() == QAbstractSocket::RemoteHostClosedError)
        return; // disconnected() follows and says what it meant
    const bool connected = m_wasConnected;
    if (!m_failureReported) {
        const QPointer<BridgeClient> self(this);
        const quint64 generation = m_generation;
        m_failureReported = true;
        const QString why = m_tlsProblem.isEmpty() ? m_socket->errorString() : m_tlsProblem;
        emit failed(
            connected
                ? QStringLiteral("connection to the bridge at %1 failed: %2").arg(endpoint(), why)
                : QStringLiteral("cannot connect to the bridge at %1: %2").arg(endpoint(), why));
        if (!self || generation != m_generation)
            return;
    }
    if (!connected)
        reset(); // no disconnected(): there never was a connection
}

void BridgeClient::readAvailable()
{
    const QPointer<BridgeClient> self(this);
    const quint64 generation = m_generation;
    while (m_socket->bytesAvailable() > 0) {
        const QByteArray chunk = m_socket->read(kReadChunk);
        if (chunk.isEmpty())
            return;
        const LineBuffer::Batch batch = m_lines.feed(chunk);
        for (const QByteArray &line : batch.lines) {
            if (!handleLine(line) || !self || generation != m_generation || m_state == State::Idle)
                return;
        }
        if (batch.overflowed) {
            fail(QStringLiteral("the bridge sent a line longer than %1 bytes")
                     .arg(m_lines.lineLimit()));
            return;
        }
    }
}

bool BridgeClient::handleLine(const QByteArray &line)
{
    const BridgeMessage::Parsed parsed = BridgeMessage::parse(line);
    if (!parsed.isValid()) {
        fail(QStringLiteral("the bridge sent bad data (%1): %2")
                 .arg(parsed.errorCode, parsed.errorMessage));
        return false;
    }
    const QJsonObject &message = parsed.object;
    if (parsed.type == MessageType::Error) {
        const QPointer<BridgeClient> self(this);
        handleError(message); // emits; a slot may delete this client
        return self && m_state != State::Idle;
    }
    if (m_state != State::Welcomed) {
        if (parsed.type != MessageType::Welcome) {
            fail(QStringLiteral("the bridge sent \"%1\" before its welcome")
                     .arg(parsed.type.left(64)));
            return false;
        }
        const int protocol = message.value(QLatin1String("protocol")).toInt(-1);
        if (protocol != kProtocolVersion) {
            fail(QStringLiteral("the bridge speaks protocol %1, this client %2")
                     .arg(protocol)
                     .arg(kProtocolVersion));
            return false;
        }
        m_handshakeTimer.stop();
        m_state = State::Welcomed;
        m_clientId = BridgeMessage::clientIdOf(message);
        for (const auto &[id, line] : std::as_const(m_queued)) {
            m_socket->write(line);
            m_unanswered.insert(id);
        }
        m_queued.clear();
        emit welcomed(m_clientId);
        return true;
    }
    if (parsed.type == MessageType::Snapshot) {
        emit snapshotReceived(message.value(QLatin1String("snapshot")).toObject());
    } else if (parsed.type == MessageType::Event) {
        emit eventReceived(message.value(QLatin1String("event")).toObject());
    } else if (parsed.type == MessageType::Ack) {
        m_unanswered.remove(message.value(QLatin1String("id")).toString());
        emit replied(message.value(QLatin1String("id")).toString(), true,
                     message.value(QLatin1String("result")).toObject(), {}, {});
    } else if (parsed.type == MessageType::Pong) {
        const QString id = message.value(QLatin1String("id")).toString();
        const auto it = m_pings.constFind(id);
        if (it != m_pings.cend()) {
            const qint64 roundTrip = it->elapsed();
            m_pings.erase(it);
            emit ponged(id, roundTrip);
        }
    } else {
        qCDebug(lcBridgeClient).noquote() << "ignoring message of unknown type" << parsed.type;
    }
    return true;
}

void BridgeClient::handleError(const QJsonObject &message)
{
    const QJsonValue id = message.value(QLatin1String("id"));
    const QString code = message.value(QLatin1String("code")).toString();
    const QString text = message.value(QLatin1String("message")).toString();
    if (id.isString()) {
        m_unanswered.remove(id.toString());
        emit replied(id.toString(), false, {}, code, text);
        return;
    }
    if (m_state != State::Welcomed) {
        fail(QStringLiteral("the bridge refused the connection (%1): %2").arg(code, text));
    } else if (closesConnection(code)) {
        fail(QStringLiteral("the bridge closed the connection (%1): %2").arg(code, text));
    } else {
        qCWarning(lcBridgeClient).noquote() << "bridge error" << code << text;
    }
}

void BridgeClient::fail(const QString &message)
{
    m_handshakeTimer.stop();
    if (!m_failureReported) {
        const QPointer<BridgeClient> self(this);
        const quint64 generation = m_generation;
        m_failureReported = true;
        emit failed(message);
        if (!self || generation != m_generation)
            return; // the slot deleted or reconnected this client
    }
    if (m_socket->state() != QAbstractSocket::UnconnectedState)
        m_socket->abort(); // emits disconnected() if a connection was up
    reset();
}

void BridgeClient::defer(void (BridgeClient::*handler)())
{
    const quint64 generation = m_generation;
    QMetaObject::invokeMethod(
        this,
        [this, handler, generation] {
            if (generation == m_generation)
                (this->*handler)();
        },
        Qt::QueuedConnection);
}

void BridgeClient::reset()
{
    m_handshakeTimer.stop();
    m_state = State::Idle;
    // Every command still waiting gets its answer, so no caller waits forever: the ones never
    // sent, and the ones the connection ended under (the cluster may have carried those out).
    QList<QPair<QString, QString>> answers;
    for (const auto &queued : std::as_const(m_queued))
        answers.append({queued.first, QStringLiteral("the connection ended before the command "
                                                     "was sent")});
    for (const QString &id : std::as_const(m_unanswered))
        answers.append({id, QStringLiteral("the connection ended before the cluster answered; "
                                           "the command may have been carried out")});
    m_queued.clear();
    m_unanswered.clear();
    m_pings.clear();
    if (!answers.isEmpty()) {
        QTimer::singleShot(0, this, [this, answers] {
            for (const auto &[id, why] : answers)
                emit replied(id, false, {}, QStringLiteral("not_connected"), why);
        });
    }
}

QString BridgeClient::endpoint() const
{
    return QStringLiteral("%1:%2").arg(m_host).arg(m_port);
}

} // namespace starling::bridge
