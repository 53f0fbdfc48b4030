// Where a rank's servers bind and what they advertise: the config's top level, then its role,
// then its host, and "host" meaning the rank's own host address.
#include "cluster/clusterconfig.h"
#include "cluster/endpointaddress.h"

#include <QJsonDocument>
#include <QTest>

using namespace starling::cluster;

class TestEndpointAddress : public QObject
{
    Q_OBJECT

private slots:
    void defaultIsLoopback();
    void rankHostAddress();
    void wildcardAdvertisesTheHost();
    void roleThenHostOverrides();
    void errors();
    void fromConfigFile_data();
    void fromConfigFile();
    void url();
};

void TestEndpointAddress::defaultIsLoopback()
{
    const auto endpoint = resolveEndpoint(ClusterConfig{}, NodeRole::Slave, {}, {});
    QVERIFY2(endpoint, qPrintable(endpoint.error()));
    QCOMPARE(endpoint->bind, QStringLiteral("127.0.0.1"));
    QCOMPARE(endpoint->advertise, QStringLiteral("127.0.0.1"));
}

void TestEndpointAddress::rankHostAddress()
{
    ClusterConfig config;
    config.bindHost = QStringLiteral("host");
    const auto endpoint =
        resolveEndpoint(config, NodeRole::Slave, QStringLiteral("n3"), QStringLiteral("10.0.0.3"));
    QVERIFY2(endpoint, qPrintable(endpoint.error()));
    QCOMPARE(endpoint->bind, QStringLiteral("10.0.0.3"));
    QCOMPARE(endpoint->advertise, QStringLiteral("10.0.0.3"));
}

void TestEndpointAddress::wildcardAdvertisesTheHost()
{
    ClusterConfig config;
    config.bindHost = QStringLiteral("0.0.0.0");
    const auto endpoint = resolveEndpoint(config, NodeRole::Master, QStringLiteral("head"),
                                          QStringLiteral("192.168.1.2"));
    QVERIFY2(endpoint, qPrintable(endpoint.error()));
    QCOMPARE(endpoint->bind, QStringLiteral("0.0.0.0"));
    QCOMPARE(endpoint->advertise, QStringLiteral("192.168.1.2"));
    // Unless the operator names the address clients use (NAT, a DNS-published address).
    config.advertiseHost = QStringLiteral("203.0.113.7");
    QCOMPARE(resolveEndpoint(config, NodeRole::Master, {}, {})->advertise,
             QStringLiteral("203.0.113.7"));
}

void TestEndpointAddress::roleThenHostOverrides()
{
    ClusterConfig config;
    config.roleAddresses[QStringLiteral("slave")] = {QStringLiteral("0.0.0.0"), {}};
    config.hostAddresses[QStringLiteral("n2")] = {{}, QStringLiteral("10.9.9.9")};
    config.hostAddresses[QStringLiteral("n3")] = {QStringLiteral("10.0.0.30"), {}};
    // Master: no override applies.
    QCOMPARE(
        resolveEndpoint(config, NodeRole::Master, QStringLiteral("n2"), QStringLiteral("10.0.0.2"))
            ->bind,
        QStringLiteral("127.0.0.1"));
    // Slave on n2: the role's bind, the host's advertised address.
    auto n2 =
        resolveEndpoint(config, NodeRole::Slave, QStringLiteral("n2"), QStringLiteral("10.0.0.2"));
    QCOMPARE(n2->bind, QStringLiteral("0.0.0.0"));
    QCOMPARE(n2->advertise, QStringLiteral("10.9.9.9"));
    // Slave on n3: the host's bind wins over the role's.
    auto n3 =
        resolveEndpoint(config, NodeRole::Slave, QStringLiteral("n3"), QStringLiteral("10.0.0.3"));
    QCOMPARE(n3->bind, QStringLiteral("10.0.0.30"));
    QCOMPARE(n3->advertise, QStringLiteral("10.0.0.30"));
    // Slave elsewhere: wildcard from the role, advertised as its host.
    auto n4 =
        resolveEndpoint(config, NodeRole::Slave, QStringLiteral("n4"), QStringLiteral("10.0.0.4"));
    QCOMPARE(n4->advertise, QStringLiteral("10.0.0.4"));
}

void TestEndpointAddress::errors()
{
    ClusterConfig config;
    config.bindHost = QStringLiteral("host");
    auto unknown = resolveEndpoint(config, NodeRole::Slave, QStringLiteral("n9"), {});
    QVERIFY(!unknown);
    QCOMPARE(unknown.error(), QStringLiteral("bind_host is \"host\", but the address of this "
                                             "rank's host (n9) is not known"));
    config.bindHost = QStringLiteral("0.0.0.0");
    auto wildcard = resolveEndpoint(config, NodeRole::Slave, {}, {});
    QVERIFY(!wildcard);
    QCOMPARE(wildcard.error(), QStringLiteral("advertise_host is \"host\", but the address of "
                                              "this rank's host is not known"));
}

void TestEndpointAddress::fromConfigFile_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("good") << QByteArray(R"({"bind_host": "host", "advertise_host": "10.0.0.1",
        "service_host": "127.0.0.1", "roles": {"slave": {"bind_host": "0.0.0.0"}},
        "hosts": {"n1.lab": {"advertise_host": "10.1.1.1"}}})")
                          << QString();
    QTest::newRow("bind name")
        << QByteArray(R"({"bind_host": "localhost"})")
        << R"(c: "bind_host" must be an IPv4 or IPv6 address or "host", got "localhost")";
    QTest::newRow("advertise wildcard")
        << QByteArray(R"({"advertise_host": "0.0.0.0"})")
        << R"(c: "advertise_host" must be an IPv4 or IPv6 address that is not a wildcard, or "host", got "0.0.0.0")";
    QTest::newRow("service host")
        << QByteArray(R"({"service_host": "host"})")
        << R"(c: "service_host" must be an IPv4 or IPv6 address, got "host")";
    QTest::newRow("roles not object")
        << QByteArray(R"({"roles": []})") << R"(c: "roles" must be an object, got [])";
    QTest::newRow("unknown role")
        << QByteArray(R"({"roles": {"monitor": {}}})")
        << R"(c: "roles" has the key "monitor", which is not a role with servers ("master" or "slave"))";
    QTest::newRow("role entry not object")
        << QByteArray(R"({"roles": {"slave": "0.0.0.0"}})")
        << R"(c: "roles"."slave" must be an object, got "0.0.0.0")";
    QTest::newRow("typo inside") << QByteArray(R"({"hosts": {"n1": {"bind": "1.2.3.4"}}})")
                                 << R"(c: "hosts"."n1": unknown key "bind")";
    QTest::newRow("bad address inside")
        << QByteArray(R"({"hosts": {"n1": {"bind_host": "1.2.3.999"}}})")
        << R"(c: "hosts"."n1": "bind_host" must be an IPv4 or IPv6 address or "host", got "1.2.3.999")";
    QTest::newRow("bad host name")
        << QByteArray(R"({"hosts": {"a b": {}}})")
        << R"(c: "hosts" has the key "a b", which is not a host name or address)";
}

void TestEndpointAddress::fromConfigFile()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const auto config = ClusterConfig::fromJson(json, QStringLiteral("c"));
    if (error.isEmpty()) {
        QVERIFY2(config, qPrintable(config.error()));
        QCOMPARE(config->roleAddresses.at(QStringLiteral("slave")).bindHost,
                 QStringLiteral("0.0.0.0"));
        QCOMPARE(config->hostAddresses.at(QStringLiteral("n1.lab")).advertiseHost,
                 QStringLiteral("10.1.1.1"));
        // And it survives a round trip.
        QCOMPARE(
            *ClusterConfig::fromJson(QJsonDocument(config->toJson()).toJson(), QStringLiteral("c")),
            *config);
    } else {
        QVERIFY(!config);
        QCOMPARE(config.error(), error);
    }
}

void TestEndpointAddress::url()
{
    QCOMPARE((EndpointAddress{QStringLiteral("::"), QStringLiteral("fd00::5")}.url(8080)),
             QStringLiteral("http://[fd00::5]:8080"));
    QCOMPARE((EndpointAddress{QStringLiteral("0.0.0.0"), QStringLiteral("10.0.0.2")}.url(80)),
             QStringLiteral("http://10.0.0.2:80"));
    // TLS slice: a config with a certificate makes every advertised URL https.
    QCOMPARE((EndpointAddress{QStringLiteral("::"), QStringLiteral("fd00::5"), true}.url(8443)),
             QStringLiteral("https://[fd00::5]:8443"));
    ClusterConfig config;
    config.tlsCert = QStringLiteral("/c.pem");
    config.tlsKey = QStringLiteral("/k.pem");
    const auto endpoint = resolveEndpoint(config, NodeRole::Slave, {}, {});
    QVERIFY(endpoint);
    QCOMPARE(endpoint->url(9000), QStringLiteral("https://127.0.0.1:9000"));
    QCOMPARE(resolveEndpoint(ClusterConfig(), NodeRole::Slave, {}, {})->url(9000),
             QStringLiteral("http://127.0.0.1:9000"));
}

QTEST_GUILESS_MAIN(TestEndpointAddress)
#include "tst_endpointaddress.moc"
