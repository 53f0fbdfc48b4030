// A real cluster with TLS (`starling up` with tls_cert/tls_key/tls_ca from a throw-away CA made
// here): status, get and job work over TLS and verify the server; the console's BridgeClient is
// welcomed; clear text is refused by the master, a data server, /metrics and the bridge; a wrong
// CA or pin is one line and exit 2; a key that does not match is refused by `starling up`.
#include "bridge/bridgeclient.h"
#include "bridgetestclient.h"
#include "clusterharness.h"
#include "testutil.h"
#include "tls/throwawayca.h"
#include "tls/tlsidentity.h"
#include "util/tlstrust.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>

using namespace starling;
using starling::testing::CliResult;
using starling::testing::ClusterHarness;

namespace {

// What a clear-text client gets: the bytes the server sent before it closed the connection.
QByteArray plainHttpAnswer(const QString &host, quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(host, port);
    if (!socket.waitForConnected(5000))
        return "not connected";
    socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    QByteArray answer;
    const bool closed = QTest::qWaitFor(
        [&] {
            answer += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        15000);
    answer += socket.readAll();
    return closed ? answer : "still open";
}

// A 16x8 grey PGM.
QByteArray smallPgm()
{
    QByteArray pixels(16 * 8, '\0');
    for (int i = 0; i < pixels.size(); ++i)
        pixels[i] = char((i * 37) % 256);
    return "P5\n16 8\n255\n" + pixels;
}

} // namespace

class TestTlsCluster : public QObject
{
    Q_OBJECT

private:
    ClusterHarness m_cluster;
    tls::TlsFiles m_files;
    QString m_otherCa;
    QByteArray m_data;

    // A copy of the run directory's state file with `tls` replaced, in its own run directory.
    QString runDirTrusting(const QString &name, const util::TlsTrust &trust)
    {
        cluster::ClusterStateFile state = m_cluster.state();
        state.tls = trust;
        const QString dir = m_cluster.path(name);
        const auto written = cluster::writeStateFile(cluster::stateFilePath(dir), state);
        return written ? dir : QString();
    }

    QString bridgeFailure(const util::TlsTrust &trust, bool *welcomed)
    {
        *welcomed = false;
        const cluster::ClusterStateFile state = m_cluster.state();
        bridge::BridgeClient client;
        client.setTlsTrust(trust);
        QSignalSpy welcome(&client, &bridge::BridgeClient::welcomed);
        QSignalSpy failed(&client, &bridge::BridgeClient::failed);
        client.connectToBridge(state.bridgeHost, state.bridgePort, state.token.toLatin1(),
                               QStringLiteral("tls-test"));
        if (!QTest::qWaitFor([&] { return !welcome.isEmpty() || !failed.isEmpty(); }, 10000))
            return QStringLiteral("neither welcomed nor failed within 10 s");
        *welcomed = !welcome.isEmpty();
        return failed.isEmpty() ? QString() : failed.constFirst().constFirst().toString();
    }

private slots:
    void initTestCase()
    {
        if (!QSslSocket::supportsSsl())
            QSKIP("Qt has no TLS backend here");
        QVERIFY(m_cluster.isValid());
        const auto issued = tls::ThrowAwayCa::issue({QStringLiteral("127.0.0.1")});
        QVERIFY2(issued, qPrintable(issued.error()));
        const auto files =
            tls::ThrowAwayCa::writeTo(m_cluster.path(QStringLiteral("tls")), *issued);
        QVERIFY2(files, qPrintable(files.error()));
        m_files = *files;
        const auto other = tls::ThrowAwayCa::issue({QStringLiteral("127.0.0.1")});
        QVERIFY(other);
        m_otherCa = m_cluster.path(QStringLiteral("other-ca.pem"));
        QVERIFY(writeFile(m_otherCa, other->caCertificatePem));
        m_cluster.writeConfig(QStringLiteral(R"({"heartbeat_ms": 100, "suspect_after_ms": 800,
            "down_after_ms": 2000, "snapshot_hz": 10, "startup_timeout_s": 120,
            "tls_cert": "tls/server.pem", "tls_key": "tls/server.key", "tls_ca": "tls/ca.pem"})")
                                  .toUtf8());
        QVERIFY(QDir().mkpath(m_cluster.exportDir()));
        m_data = randomBytes(3 * 1024 * 1024 + 17);
        QVERIFY(
            writeFile(QDir(m_cluster.exportDir()).filePath(QStringLiteral("blob.bin")), m_data));
        QVERIFY(m_cluster.up(2, {}));
    }

    void cleanupTestCase()
    {
        const bool stopped = m_cluster.down();
        m_cluster.killLeftovers();
        QVERIFY(stopped);
    }

    void stateFileNamesHttpsAndTheTrust()
    {
        const cluster::ClusterStateFile state = m_cluster.state();
        QVERIFY2(state.masterUrl.startsWith(QLatin1String("https://127.0.0.1:")),
                 qPrintable(state.masterUrl));
        QVERIFY2(state.metricsUrl.startsWith(QLatin1String("https://")),
                 qPrintable(state.metricsUrl));
        QCOMPARE(state.tls.caFile, m_files.ca);
        const auto identity = tls::TlsIdentity::load(m_files.certificate, m_files.privateKey);
        QVERIFY(identity);
        QCOMPARE(state.tls.publicKeyPin, identity->publicKeyPin);
    }

    void statusOverTheTlsBridge()
    {
        const CliResult status =
            m_cluster.run({QStringLiteral("status"), QStringLiteral("--json")});
        QVERIFY2(status.exitCode == 0, qPrintable(status.err));
        const QJsonObject snapshot = QJsonDocument::fromJson(status.out.toUtf8()).object();
        QCOMPARE(snapshot.value(u"nodes").toArray().size(), 4);
    }

    void bridgeClientVerifiesCaAndPin()
    {
        const cluster::ClusterStateFile state = m_cluster.state();
        bool welcomed = false;
        QCOMPARE(bridgeFailure(state.tls, &welcomed), QString());
        QVERIFY(welcomed);
        QCOMPARE(bridgeFailure({QString(), state.tls.publicKeyPin}, &welcomed), QString());
        QVERIFY(welcomed);
        const QString wrongPin = bridgeFailure({QString(), util::publicKeyPinOf("x")}, &welcomed);
        QVERIFY(!welcomed);
        QVERIFY2(wrongPin.contains(QLatin1String("does not match the pinned one")),
                 qPrintable(wrongPin));
        const QString wrongCa = bridgeFailure({m_otherCa, QString()}, &welcomed);
        QVERIFY(!welcomed);
        QVERIFY2(wrongCa.contains(QLatin1String("not trusted")), qPrintable(wrongCa));
    }

    void getVerifiesAndDownloads()
    {
        const QString out = m_cluster.path(QStringLiteral("blob.out"));
        const CliResult get = m_cluster.run(
            {QStringLiteral("get"), QStringLiteral("blob.bin"), QStringLiteral("-o"), out}, 120000);
        QVERIFY2(get.exitCode == 0, qPrintable(get.err));
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll() == m_data);
    }

    void jobOverTls()
    {
        const QString in = m_cluster.path(QStringLiteral("in.pgm"));
        const QString out = m_cluster.path(QStringLiteral("out.pgm"));
        QVERIFY(writeFile(in, smallPgm()));
        const CliResult job = m_cluster.run(
            {QStringLiteral("job"), QStringLiteral("sobel"), in, QStringLiteral("-o"), out},
            120000);
        QVERIFY2(job.exitCode == 0, qPrintable(job.err));
        QVERIFY(QFileInfo(out).size() > 0);
    }

    void clearTextIsRefused()
    {
        const cluster::ClusterStateFile state = m_cluster.state();
        const QUrl master(state.masterUrl);
        const QUrl metrics(state.metricsUrl);
        // A data server's address, from the snapshot the bridge sends.
        const CliResult status =
            m_cluster.run({QStringLiteral("status"), QStringLiteral("--json")});
        QUrl data;
        for (const QJsonValue node :
             QJsonDocument::fromJson(status.out.toUtf8()).object().value(u"nodes").toArray()) {
            if (!node.toObject().value(u"data_url").toString().isEmpty())
                data = QUrl(node.toObject().value(u"data_url").toString());
        }
        QCOMPARE(data.scheme(), QStringLiteral("https"));
        for (const QUrl &url : {master, metrics, data}) {
            const QByteArray answer = plainHttpAnswer(url.host(), quint16(url.port()));
            QVERIFY2(!answer.startsWith("HTTP/") && answer != "still open",
                     qPrintable(url.toString() + QStringLiteral(": ") +
                                QString::fromLatin1(answer.left(80).toHex())));
        }
    }

    void bridgeRejectsAPlainHello()
    {
        const cluster::ClusterStateFile state = m_cluster.state();
        RawBridgeClient raw;
        QVERIFY(raw.connectTo(state.bridgePort));
        raw.sendHello(state.token.toLatin1());
        QVERIFY(raw.waitForClose(15000));
        QVERIFY(raw.messages().isEmpty()); // no welcome, nothing readable at all
    }

    void wrongTrustIsOneLineAndExit2_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<bool>("pin");
        QTest::newRow("get, wrong CA") << QStringLiteral("get") << false;
        QTest::newRow("get, wrong pin") << QStringLiteral("get") << true;
        QTest::newRow("job, wrong CA") << QStringLiteral("job") << false;
        QTest::newRow("status, wrong pin") << QStringLiteral("status") << true;
        QTest::newRow("status, wrong CA") << QStringLiteral("status") << false;
    }

    void wrongTrustIsOneLineAndExit2()
    {
        QFETCH(QString, command);
        QFETCH(bool, pin);
        const util::TlsTrust trust = pin ? util::TlsTrust{QString(), util::publicKeyPinOf("x")}
                                         : util::TlsTrust{m_otherCa, QString()};
        const QString runDir =
            runDirTrusting(QStringLiteral("wrong-") + QString::number(pin), trust);
        QVERIFY(!runDir.isEmpty());
        QStringList arguments{command};
        const QString in = m_cluster.path(QStringLiteral("in.pgm"));
        QVERIFY(writeFile(in, smallPgm()));
        if (command == QLatin1String("get"))
            arguments << QStringLiteral("blob.bin") << QStringLiteral("-o")
                      << m_cluster.path(QStringLiteral("never.bin"));
        else if (command == QLatin1String("job"))
            arguments << QStringLiteral("sobel") << in << QStringLiteral("-o")
                      << m_cluster.path(QStringLiteral("never.pgm"));
        arguments << QStringLiteral("--run-dir") << runDir;
        const CliResult result = testing::runCli(arguments);
        QCOMPARE(result.exitCode, 2);
        const QString line = result.err.trimmed();
        qInfo("%s", qPrintable(line));
        QVERIFY2(!line.contains(u'\n'), qPrintable(result.err));
        QVERIFY2(line.contains(pin ? QLatin1String("pinned") : QLatin1String("not trusted")) ||
                     line.contains(QLatin1String("TLS verification against")),
                 qPrintable(line));
        QVERIFY(!QFile::exists(m_cluster.path(QStringLiteral("never.bin"))));
    }

    void upRefusesAKeyThatDoesNotMatch()
    {
        const auto other = tls::ThrowAwayCa::issue({QStringLiteral("127.0.0.1")});
        QVERIFY(other);
        const QString key = m_cluster.path(QStringLiteral("other.key"));
        QVERIFY(writeFile(key, other->privateKeyPem));
        const QString config = m_cluster.path(QStringLiteral("mismatch.json"));
        QVERIFY(writeFile(
            config, QJsonDocument(QJsonObject{{QLatin1String("tls_cert"), m_files.certificate},
                                              {QLatin1String("tls_key"), key}})
                        .toJson()));
        const CliResult up = testing::runCli(
            {QStringLiteral("up"), QStringLiteral("--detach"), QStringLiteral("--slaves"),
             QStringLiteral("1"), QStringLiteral("--export"), m_cluster.exportDir(),
             QStringLiteral("--config"), config, QStringLiteral("--run-dir"),
             m_cluster.path(QStringLiteral("mismatch-run"))});
        QCOMPARE(up.exitCode, 2);
        QCOMPARE(up.err.trimmed().count(u'\n'), 0);
        QVERIFY2(up.err.contains(QStringLiteral("tls_key %1 does not match the certificate %2")
                                     .arg(key, m_files.certificate)),
                 qPrintable(up.err));
        QVERIFY(
            !QFile::exists(cluster::stateFilePath(m_cluster.path(QStringLiteral("mismatch-run")))));
    }
};

QTEST_MAIN(TestTlsCluster)
#include "tst_tlscluster.moc"
