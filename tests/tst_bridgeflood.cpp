// BridgeServer under a flood (issue 15): connections that never say hello cannot lock operators
// out (their own quotas, per address and in all, the oldest waiting one making room), the ones
// beyond the quota are closed at once rather than at the hello timeout, and after accept() fails
// for want of descriptors the server accepts again by itself.
#include "bridgetestclient.h"
#include "floodsocket.h"

#include "bridge/bridgeclient.h"
#include "bridge/bridgeserver.h"
#include "bridge/bridgetoken.h"
#include "tls/throwawayca.h"
#include "util/tlstrust.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <memory>
#include <vector>

using namespace starling;
using namespace starling::bridge;

namespace {

using Flood = std::vector<std::unique_ptr<RawBridgeClient>>;

// Connects `count` clients from `from` that never say hello.
bool connectFlood(Flood &flood, int count, quint16 port, const QHostAddress &from)
{
    for (int i = 0; i < count; ++i) {
        auto client = std::make_unique<RawBridgeClient>();
        if (!client->socket().bind(from, 0) || !client->connectTo(port))
            return false;
        flood.push_back(std::move(client));
    }
    return true;
}

int stillOpen(const Flood &flood)
{
    int open = 0;
    for (const auto &client : flood)
        open += client->isClosed() ? 0 : 1;
    return open;
}

// The highest descriptor this process has open.
int highestFd()
{
    int highest = 2;
    for (const QString &name : QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files))
        highest = std::max(highest, name.toInt());
    return highest;
}

// Lowers the soft open-file limit and takes every free descriptor below it, so the next
// accept() fails with EMFILE; the destructor gives them back and restores the limit.
class DescriptorExhaustion
{
public:
    DescriptorExhaustion()
    {
        getrlimit(RLIMIT_NOFILE, &m_saved);
        rlimit lowered = m_saved;
        lowered.rlim_cur = rlim_t(highestFd() + 16); // bounded: at most this many dups
        const int seed = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (seed >= 0)
            m_taken.push_back(seed);
        m_ok = seed >= 0 && setrlimit(RLIMIT_NOFILE, &lowered) == 0;
        for (int fd; m_ok && (fd = ::fcntl(seed, F_DUPFD_CLOEXEC, 0)) >= 0;)
            m_taken.push_back(fd);
    }
    ~DescriptorExhaustion() { release(); }
    bool ok() const { return m_ok && m_taken.size() > 1; }
    void release()
    {
        for (const int fd : m_taken)
            ::close(fd);
        m_taken.clear();
        if (m_ok)
            setrlimit(RLIMIT_NOFILE, &m_saved);
        m_ok = false;
    }

private:
    rlimit m_saved{};
    bool m_ok = false;
    std::vector<int> m_taken;
};

} // namespace

class TestBridgeFlood : public QObject
{
    Q_OBJECT

private slots:
    void init() { m_token = BridgeToken::generate(); }
    void preHelloFloodCannotLockOperatorsOut();
    void preHelloQuotaIsGlobalToo();
    void acceptResumesAfterDescriptorsRunOut();
    void tlsHandshakesCountAsPreHello();

private:
    std::unique_ptr<BridgeServer> startServer(BridgeServer::Config config)
    {
        config.token = m_token;
        auto server = std::make_unique<BridgeServer>(config);
        const Expected<quint16> port = server->listen(QHostAddress::LocalHost, 0);
        m_port = port ? *port : 0;
        return port ? std::move(server) : nullptr;
    }

    QByteArray m_token;
    quint16 m_port = 0;
};

void TestBridgeFlood::preHelloFloodCannotLockOperatorsOut()
{
    // The hello timeout is far away: whatever closes the flood here is the quota.
    auto server = startServer({.maxClients = 64, .helloTimeoutMs = 60000, .preHelloPerAddress = 4});
    QVERIFY(server);
    Flood flood;
    QVERIFY(connectFlood(flood, 100, m_port, QHostAddress(QStringLiteral("127.0.0.1"))));
    Flood others;
    QVERIFY(connectFlood(others, 3, m_port, QHostAddress(QStringLiteral("127.0.0.2"))));

    // Four wait from 127.0.0.1; the 96 others were closed long before any hello timeout, each
    // told why in one line.
    QTRY_COMPARE_WITH_TIMEOUT(stillOpen(flood), 4, 10000);
    QCOMPARE(stillOpen(others), 3);
    int told = 0;
    for (const auto &client : flood) {
        if (client->isClosed() && client->ofType("error").size() == 1 &&
            client->ofType("error").constFirst().value(QLatin1String("code")).toString() ==
                QLatin1String("too_many_clients"))
            ++told;
    }
    QVERIFY2(told > 0, "the closed ones should say too_many_clients");
    QCOMPARE(server->preHelloCount(), 7);

    // An operator, even from the flooded address, gets in and is served.
    RawBridgeClient operatorClient;
    QVERIFY(operatorClient.handshake(m_port, m_token, QStringLiteral("operator")) > 0);
    server->publishSnapshot({{QLatin1String("sequence"), 1}});
    QVERIFY(operatorClient.waitFor("snapshot"));
    QCOMPARE(server->clientCount(), 1);
    QVERIFY(!operatorClient.isClosed());
}

void TestBridgeFlood::preHelloQuotaIsGlobalToo()
{
    auto server = startServer({.helloTimeoutMs = 60000, .preHelloPerAddress = 4, .preHelloMax = 8});
    QVERIFY(server);
    Flood flood;
    for (int host = 2; host < 7; ++host) // 5 addresses x 3 = 15 waiting, 8 allowed
        QVERIFY(
            connectFlood(flood, 3, m_port, QHostAddress(QStringLiteral("127.0.0.%1").arg(host))));
    QTRY_COMPARE_WITH_TIMEOUT(stillOpen(flood), 8, 10000);
    QCOMPARE(server->preHelloCount(), 8);
    RawBridgeClient operatorClient;
    QVERIFY(operatorClient.handshake(m_port, m_token, QStringLiteral("operator")) > 0);
}

void TestBridgeFlood::acceptResumesAfterDescriptorsRunOut()
{
    auto server = startServer({.acceptRetryMs = 50});
    QVERIFY(server);
    auto *listener = server->findChild<QTcpServer *>();
    QVERIFY(listener);
    QSignalSpy acceptErrors(listener, &QTcpServer::acceptError);

    // The client connects (a blocking connect: the kernel completes it) before the exhaustion,
    // and the server, whose event loop has not run yet, must accept it out of descriptors.
    FloodSocket client;
    QVERIFY(client.connectTo(m_port));
    DescriptorExhaustion exhaustion;
    QVERIFY2(exhaustion.ok(), "could not lower RLIMIT_NOFILE to provoke EMFILE");
    QTRY_VERIFY_WITH_TIMEOUT(!acceptErrors.isEmpty(), 10000);
    exhaustion.release();

    // Descriptors are back: the waiting connection is accepted without anyone restarting the
    // server, and the client is welcomed.
    QVERIFY(client.send("{\"type\":\"hello\",\"protocol\":1,\"client\":\"late\",\"token\":\"" +
                        m_token + "\"}\n"));
    QTRY_VERIFY_WITH_TIMEOUT(
        (client.readAvailable(), client.received().contains("\"type\":\"welcome\"")), 10000);
    RawBridgeClient later;
    QVERIFY(later.handshake(m_port, m_token) > 0);
    QVERIFY(server->acceptFailures() >= 1);
}

void TestBridgeFlood::tlsHandshakesCountAsPreHello()
{
    // With TLS, a connection that never starts its handshake is a pre-hello connection like
    // any other: it falls under the quota and the oldest goes. (A QSslServer kept such
    // connections to itself, up to 30, then stopped accepting until their handshake timeout.)
    const auto issued = tls::ThrowAwayCa::issue({QStringLiteral("127.0.0.1")});
    QVERIFY2(issued, qPrintable(issued ? QString() : issued.error()));
    BridgeServer::Config config{.maxClients = 64,
                                .helloTimeoutMs = 60000,
                                .preHelloPerAddress = 4,
                                .certificatePem = issued->certificatePem,
                                .privateKeyPem = issued->privateKeyPem};
    auto server = startServer(config);
    QVERIFY(server);
    Flood flood;
    QVERIFY(connectFlood(flood, 60, m_port, QHostAddress(QStringLiteral("127.0.0.1"))));
    QTRY_COMPARE_WITH_TIMEOUT(stillOpen(flood), 4, 10000);
    QCOMPARE(server->preHelloCount(), 4);

    // An operator over TLS, trusting the CA, gets in while the four still wait.
    const QString caFile = QDir::temp().filePath(
        QStringLiteral("starling-flood-ca-%1.pem").arg(QCoreApplication::applicationPid()));
    QFile ca(caFile);
    QVERIFY(ca.open(QIODevice::WriteOnly) && ca.write(issued->caCertificatePem) > 0);
    ca.close();
    const auto removeCa = qScopeGuard([&] { QFile::remove(caFile); });
    BridgeClient operatorClient;
    operatorClient.setTlsTrust(util::TlsTrust{caFile, {}});
    QSignalSpy welcomed(&operatorClient, &BridgeClient::welcomed);
    operatorClient.connectToBridge(QStringLiteral("127.0.0.1"), m_port, m_token,
                                   QStringLiteral("operator"));
    QVERIFY(welcomed.wait(10000));
    QCOMPARE(server->clientCount(), 1);
}

QTEST_GUILESS_MAIN(TestBridgeFlood)
#include "tst_bridgeflood.moc"
