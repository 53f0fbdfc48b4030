#include "bridgeserver.h"

#include "tlsacceptingserver.h"

#include "bridge/bridgemessage.h"
#include "bridge/bridgesession.h"

#include <QLoggingCategory>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>

#include <algorithm>
#include <utility>

namespace starling::bridge {

Q_LOGGING_CATEGORY(lcBridgeServer, "starling.bridge")

namespace {

// Qt wants the key's algorithm; a PEM file does not always say it (PKCS#8).
QSslKey privateKeyOf(const QByteArray &pem)
{
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Ec, QSsl::Rsa, QSsl::Dsa}) {
        QSslKey key(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            return key;
    }
    return {};
}

} // namespace

BridgeServer::BridgeServer(Config config, QObject *parent)
    : QObject(parent), m_config(std::move(config)),
      m_server(m_config.certificatePem.isEmpty() ? new QTcpServer(this)
                                                 : new TlsAcceptingServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &BridgeServer::acceptConnections);
    // QTcpServer stops accepting after accept() fails for a reason other than a temporary one
    // (EMFILE, ENFILE, ENOBUFS); without this the bridge would stay deaf for good.
    connect(m_server, &QTcpServer::acceptError, this, &BridgeServer::onAcceptError);
    m_acceptRetry.setSingleShot(true);
    connect(&m_acceptRetry, &QTimer::timeout, this, [this] { m_server->resumeAccepting(); });
}

Expected<bool> BridgeServer::configureTls()
{
    auto *server = qobject_cast<TlsAcceptingServer *>(m_server);
    if (!server)
        return true;
    if (!QSslSocket::supportsSsl())
        return Error{QStringLiteral("bridge: TLS is configured but Qt has no TLS backend")};
    const QList<QSslCertificate> chain = QSslCertificate::fromData(m_config.certificatePem);
    const QSslKey key = privateKeyOf(m_config.privateKeyPem);
    if (chain.isEmpty() || key.isNull())
        return Error{QStringLiteral("bridge: the TLS certificate or key cannot be used")};
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(key);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone); // clients prove themselves with the token
    // The handshake is bounded by the session's hello timeout, like a silent clear-text client.
    server->setSslConfiguration(tls);
    return true;
}

BridgeServer::~BridgeServer()
{
    // Sessions are children; make sure none reports back into a half-destroyed server.
    for (BridgeSession *session : std::as_const(m_sessions))
        disconnect(session, nullptr, this, nullptr);
    for (const auto &[id, waiting] : m_preHello) {
        if (waiting.session)
            disconnect(waiting.session, nullptr, this, nullptr);
    }
}

Expected<quint16> BridgeServer::listen(const QHostAddress &address, quint16 port)
{
    if (m_config.token.isEmpty())
        return Error{QStringLiteral("bridge: no token configured; refusing to listen unprotected")};
    if (m_config.lineLimit < 1 || m_config.clientBufferLimit < 1 || m_config.maxClients < 1 ||
        m_config.helloTimeoutMs < 1 || m_config.preHelloPerAddress < 1 ||
        m_config.preHelloMax < 1 || m_config.acceptRetryMs < 1)
        return Error{QStringLiteral("bridge: line limit, buffer limit, client limits, hello "
                                    "timeout and accept retry must all be positive")};
    if (const auto tls = configureTls(); !tls)
        return Error{tls.error()};
    if (m_server->isListening())
        m_server->close();
    if (!m_server->listen(address, port)) {
        return Error{QStringLiteral("bridge: cannot listen on %1 port %2: %3")
                         .arg(address.toString())
                         .arg(port)
                         .arg(m_server->errorString())};
    }
    qCInfo(lcBridgeServer).noquote()
        << "bridge listening on" << address.toString() << "port" << m_server->serverPort();
    return m_server->serverPort();
}

void BridgeServer::close()
{
    m_acceptRetry.stop();
    m_server->close();
    const QList<BridgeSession *> sessions = m_sessions.values();
    for (BridgeSession *session : sessions)
        session->closeWithError(ErrorCode::ShuttingDown,
                                QStringLiteral("the bridge is shutting down"));
}

bool BridgeServer::isListening() const
{
    return m_server->isListening();
}

quint16 BridgeServer::serverPort() const
{
    return m_server->serverPort();
}

void BridgeServer::publishSnapshot(const QJsonObject &snapshot)
{
    m_latestSnapshot = BridgeMessage::snapshot(snapshot);
    for (BridgeSession *session : std::as_const(m_sessions)) {
        if (session->isAuthenticated() && !session->offerSnapshot(m_latestSnapshot))
            ++m_droppedSnapshots;
    }
}

void BridgeServer::publishEvent(const QJsonObject &event)
{
    const QByteArray line = BridgeMessage::event(event);
    // A session closed for being too slow leaves m_sessions from its finished() signal.
    const QList<BridgeSession *> sessions = m_sessions.values();
    for (BridgeSession *session : sessions)
        session->sendReliable(line);
}

void BridgeServer::reply(quint64 clientId, const QString &commandId, const QJsonObject &result)
{
    if (BridgeSession *session = authenticatedSession(clientId))
        session->sendReliable(BridgeMessage::ack(commandId, result));
}

void BridgeServer::replyError(quint64 clientId, const QString &commandId, const QString &code,
                              const QString &message)
{
    if (BridgeSession *session = authenticatedSession(clientId))
        session->sendReliable(BridgeMessage::error(commandId, code, message));
}

int BridgeServer::clientCount() const
{
    int count = 0;
    for (const BridgeSession *session : m_sessions)
        count += session->isAuthenticated() ? 1 : 0;
    return count;
}

QList<quint64> BridgeServer::clientIds() const
{
    QList<quint64> ids;
    for (const BridgeSession *session : m_sessions) {
        if (session->isAuthenticated())
            ids.append(session->id());
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

QString BridgeServer::clientName(quint64 clientId) const
{
    const BridgeSession *session = authenticatedSession(clientId);
    return session ? session->clientName() : QString();
}

qint64 BridgeServer::droppedSnapshots(quint64 clientId) const
{
    const BridgeSession *session = m_sessions.value(clientId);
    return session ? session->droppedSnapshots() : 0;
}

qint64 BridgeServer::pendingBytes(quint64 clientId) const
{
    const BridgeSession *session = m_sessions.value(clientId);
    return session ? session->pendingBytes() : 0;
}

void BridgeServer::acceptConnections()
{
    m_acceptFailing = false;
    while (QTcpSocket *socket = m_server->nextPendingConnection())
        admit(socket);
}

void BridgeServer::admit(QTcpSocket *socket)
{
    const quint64 id = m_nextClientId++;
    const QString address = socket->peerAddress().toString();
    makeRoomFor(address);
    BridgeSession::Settings settings{m_config.token, m_config.lineLimit, m_config.clientBufferLimit,
                                     m_config.helloTimeoutMs, [this] {
                                         return clientCount() < m_config.maxClients;
                                     }};
    auto *session = new BridgeSession(id, socket, std::move(settings), this);
    if (auto *tls = qobject_cast<QSslSocket *>(socket))
        tls->startServerEncryption();
    m_sessions.insert(id, session);
    m_preHello.emplace(id, PreHello{session, address});
    connect(session, &QObject::destroyed, this, [this, id] { m_preHello.erase(id); });
    connect(session, &BridgeSession::authenticated, this, [this, session] {
        m_preHello.erase(session->id());
        if (!m_latestSnapshot.isEmpty())
            session->offerSnapshot(m_latestSnapshot);
        emit clientJoined(session->id(), session->clientName());
    });
    connect(session, &BridgeSession::commandReceived, this,
            [this, session](const QJsonObject &command) {
                emit commandReceived(session->id(), session->clientName(), command);
            });
    connect(session, &BridgeSession::closedTooSlow, this, [this] { ++m_tooSlowClosures; });
    connect(session, &BridgeSession::finished, this, [this, session] {
        m_sessions.remove(session->id());
        if (!session->clientName().isEmpty())
            emit clientLeft(session->id());
    });
    session->start();
}

// The oldest waiting connection goes, not the newest: a flood then cannot hold its places
// against an operator, whose hello follows its connect within a round trip.
void BridgeServer::makeRoomFor(const QString &address)
{
    int fromAddress = 0;
    auto oldestOfAddress = m_preHello.end();
    for (auto it = m_preHello.begin(); it != m_preHello.end(); ++it) {
        if (it->second.address != address)
            continue;
        if (fromAddress++ == 0)
            oldestOfAddress = it;
    }
    if (fromAddress >= m_config.preHelloPerAddress) {
        evict(oldestOfAddress, QStringLiteral("%1 connections from %2 have not said hello")
                                   .arg(fromAddress)
                                   .arg(address));
    }
    if (int(m_preHello.size()) >= m_config.preHelloMax) {
        evict(m_preHello.begin(),
              QStringLiteral("%1 connections have not said hello").arg(m_preHello.size()));
    }
}

void BridgeServer::evict(std::map<quint64, PreHello>::iterator entry, const QString &why)
{
    const QPointer<BridgeSession> session = entry->second.session;
    m_preHello.erase(entry);
    if (session)
        session->abortWithError(ErrorCode::TooManyClients, why);
}

void BridgeServer::onAcceptError()
{
    ++m_acceptFailures;
    if (!std::exchange(m_acceptFailing, true)) {
        qCWarning(lcBridgeServer).noquote() << "bridge: accept failed:" << m_server->errorString()
                                            << "- retrying every" << m_config.acceptRetryMs << "ms";
    }
    m_acceptRetry.start(m_config.acceptRetryMs);
}

BridgeSession *BridgeServer::authenticatedSession(quint64 clientId) const
{
    BridgeSession *session = m_sessions.value(clientId);
    return session && session->isAuthenticated() ? session : nullptr;
}

} // namespace starling::bridge
