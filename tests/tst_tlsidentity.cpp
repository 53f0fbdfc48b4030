// The TLS identity a cluster starts with (TlsIdentity: PEM checks and the public key pin), the
// throw-away CA that issues it, the pin's form, and the state file's `tls` object.
#include "cluster/statefile.h"
#include "testutil.h"
#include "tls/throwawayca.h"
#include "tls/tlsidentity.h"
#include "util/tlstrust.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace starling;

class TestTlsIdentity : public QObject
{
    Q_OBJECT

private:
    tls::ThrowAwayCa::Issued m_issued;
    tls::ThrowAwayCa::Issued m_other; // another CA, another key

private slots:
    void initTestCase();
    void acceptsAMatchingPair();
    void pinIsThePublicKeyAsQtAndCurlSeeIt();
    void certificateNamesTheAddresses();
    void refused_data();
    void refused();
    void loadNamesKeyAndPath();
    void caFileChecked();
    void pinForm_data();
    void pinForm();
    void filesAreWrittenPrivately();
    void stateFileCarriesTheTrust();
    void stateFileRefusesABadPin();
};

void TestTlsIdentity::initTestCase()
{
    const auto issued =
        tls::ThrowAwayCa::issue({QStringLiteral("127.0.0.1"), QStringLiteral("10.77.0.3")});
    QVERIFY2(issued, qPrintable(issued.error()));
    m_issued = *issued;
    const auto other = tls::ThrowAwayCa::issue({QStringLiteral("127.0.0.1")});
    QVERIFY2(other, qPrintable(other.error()));
    m_other = *other;
    QVERIFY(m_issued.certificatePem.startsWith("-----BEGIN CERTIFICATE-----"));
    QVERIFY(m_issued.privateKeyPem.startsWith("-----BEGIN PRIVATE KEY-----"));
}

void TestTlsIdentity::acceptsAMatchingPair()
{
    const auto identity = tls::TlsIdentity::fromPem(m_issued.certificatePem, m_issued.privateKeyPem,
                                                    QStringLiteral("tls_cert c.pem"),
                                                    QStringLiteral("tls_key k.pem"));
    QVERIFY2(identity, qPrintable(identity.error()));
    QCOMPARE(identity->certificatePem, m_issued.certificatePem);
    QCOMPARE(identity->privateKeyPem, m_issued.privateKeyPem);
    QVERIFY(util::isPublicKeyPin(identity->publicKeyPin));
}

void TestTlsIdentity::pinIsThePublicKeyAsQtAndCurlSeeIt()
{
    // The bridge client computes the pin with Qt from the peer's certificate; the state file's
    // pin comes from OpenSSL: they must agree, and differ for another key.
    if (!QSslSocket::supportsSsl())
        QSKIP("Qt has no TLS backend here");
    const auto identity = tls::TlsIdentity::fromPem(m_issued.certificatePem, m_issued.privateKeyPem,
                                                    QStringLiteral("c"), QStringLiteral("k"));
    QVERIFY(identity);
    const QSslCertificate cert(m_issued.certificatePem);
    QCOMPARE(util::publicKeyPinOf(cert.publicKey().toDer()), identity->publicKeyPin);
    const QSslCertificate other(m_other.certificatePem);
    QVERIFY(util::publicKeyPinOf(other.publicKey().toDer()) != identity->publicKeyPin);
}

void TestTlsIdentity::certificateNamesTheAddresses()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("Qt has no TLS backend here");
    const QSslCertificate cert(m_issued.certificatePem);
    const auto names = cert.subjectAlternativeNames().values(QSsl::IpAddressEntry);
    QVERIFY(names.contains(QStringLiteral("127.0.0.1")));
    QVERIFY(names.contains(QStringLiteral("10.77.0.3")));
    const QSslCertificate ca(m_issued.caCertificatePem);
    QCOMPARE(cert.issuerInfo(QSslCertificate::CommonName),
             ca.subjectInfo(QSslCertificate::CommonName));
    QVERIFY(!tls::ThrowAwayCa::issue({QStringLiteral("not-an-ip")}));
}

void TestTlsIdentity::refused_data()
{
    QTest::addColumn<QByteArray>("certificate");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QString>("message");
    const QByteArray cert = m_issued.certificatePem;
    const QByteArray key = m_issued.privateKeyPem;
    QTest::newRow("key of another certificate")
        << cert << m_other.privateKeyPem
        << QStringLiteral("tls_key k.pem does not match the certificate c.pem");
    QTest::newRow("certificate is a key")
        << key << key << QStringLiteral("tls_cert c.pem: not a PEM certificate");
    QTest::newRow("garbage certificate")
        << QByteArray("hello") << key << QStringLiteral("tls_cert c.pem: not a PEM certificate");
    QTest::newRow("truncated certificate")
        << cert.left(cert.size() / 2) << key
        << QStringLiteral("tls_cert c.pem: not a PEM certificate");
    QTest::newRow("empty key") << cert << QByteArray()
                               << QStringLiteral(
                                      "tls_key k.pem: not an unencrypted PEM private key");
    QTest::newRow("key is a certificate")
        << cert << cert << QStringLiteral("tls_key k.pem: not an unencrypted PEM private key");
    QTest::newRow("truncated key")
        << cert << key.left(key.size() - 40)
        << QStringLiteral("tls_key k.pem: not an unencrypted PEM private key");
}

void TestTlsIdentity::refused()
{
    QFETCH(QByteArray, certificate);
    QFETCH(QByteArray, key);
    QFETCH(QString, message);
    const auto identity = tls::TlsIdentity::fromPem(
        certificate, key, QStringLiteral("tls_cert c.pem"), QStringLiteral("tls_key k.pem"));
    QVERIFY(!identity);
    QCOMPARE(identity.error(), message);
}

void TestTlsIdentity::loadNamesKeyAndPath()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString cert = dir.filePath(QStringLiteral("server.pem"));
    const QString key = dir.filePath(QStringLiteral("server.key"));
    QVERIFY(writeFile(cert, m_issued.certificatePem));
    QVERIFY(writeFile(key, m_issued.privateKeyPem));
    QVERIFY(tls::TlsIdentity::load(cert, key));
    const auto missing = tls::TlsIdentity::load(cert, dir.filePath(QStringLiteral("nope.key")));
    QVERIFY(!missing);
    QVERIFY2(missing.error().startsWith(QStringLiteral("tls_key ") +
                                        dir.filePath(QStringLiteral("nope.key")) +
                                        QStringLiteral(": cannot read")),
             qPrintable(missing.error()));
    QVERIFY(!missing.error().contains(u'\n'));
    QVERIFY(writeFile(key, QByteArray(tls::TlsIdentity::kMaxPemBytes + 1, 'A')));
    const auto huge = tls::TlsIdentity::load(cert, key);
    QVERIFY(!huge);
    QVERIFY2(huge.error().contains(QStringLiteral("not a PEM file")), qPrintable(huge.error()));
}

void TestTlsIdentity::caFileChecked()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString ca = dir.filePath(QStringLiteral("ca.pem"));
    QVERIFY(writeFile(ca, m_issued.caCertificatePem));
    QVERIFY(tls::checkCaFile(ca));
    QVERIFY(writeFile(ca, "not a certificate"));
    const auto bad = tls::checkCaFile(ca);
    QVERIFY(!bad);
    QCOMPARE(bad.error(), QStringLiteral("tls_ca %1: not a PEM certificate").arg(ca));
}

void TestTlsIdentity::pinForm_data()
{
    QTest::addColumn<QString>("pin");
    QTest::addColumn<bool>("valid");
    const QString good = util::publicKeyPinOf("any key");
    QTest::newRow("computed") << good << true;
    QTest::newRow("no prefix") << good.mid(8) << false;
    QTest::newRow("other hash") << QStringLiteral("sha1//") + good.mid(8) << false;
    QTest::newRow("short") << good.left(good.size() - 4) << false;
    QTest::newRow("not base64") << QStringLiteral("sha256//") + QString(44, u'!') << false;
    QTest::newRow("empty") << QString() << false;
}

void TestTlsIdentity::pinForm()
{
    QFETCH(QString, pin);
    QFETCH(bool, valid);
    QCOMPARE(util::isPublicKeyPin(pin), valid);
}

void TestTlsIdentity::filesAreWrittenPrivately()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto files = tls::ThrowAwayCa::writeTo(dir.filePath(QStringLiteral("tls")), m_issued);
    QVERIFY2(files, qPrintable(files.error()));
    constexpr QFile::Permissions kGroupOrOther = QFile::ReadGroup | QFile::WriteGroup |
                                                 QFile::ExeGroup | QFile::ReadOther |
                                                 QFile::WriteOther | QFile::ExeOther;
    QCOMPARE(QFile::permissions(files->privateKey) & kGroupOrOther, QFile::Permissions());
    QVERIFY(QFile::permissions(files->privateKey).testFlag(QFile::ReadOwner));
    QVERIFY(!(QFile::permissions(dir.filePath(QStringLiteral("tls"))) &
              (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther)));
    QVERIFY(tls::TlsIdentity::load(files->certificate, files->privateKey));
    QVERIFY(tls::checkCaFile(files->ca));
}

void TestTlsIdentity::stateFileCarriesTheTrust()
{
    cluster::ClusterStateFile state;
    state.masterUrl = QStringLiteral("https://127.0.0.1:4000/");
    state.token = QStringLiteral("abc");
    state.tls = {QStringLiteral("/run/ca.pem"), util::publicKeyPinOf("key")};
    const QByteArray json = QJsonDocument(state.toJson()).toJson();
    const auto back = cluster::ClusterStateFile::fromJson(json, QStringLiteral("cluster.json"));
    QVERIFY2(back, qPrintable(back.error()));
    QCOMPARE(back->tls, state.tls);
    // Without TLS the file is as before: no "tls" key, and reading gives an empty trust.
    state.tls = {};
    QVERIFY(!state.toJson().contains(QLatin1String("tls")));
    const auto plain = cluster::ClusterStateFile::fromJson(QJsonDocument(state.toJson()).toJson(),
                                                           QStringLiteral("cluster.json"));
    QVERIFY(plain);
    QVERIFY(!plain->tls.isEnabled());
}

void TestTlsIdentity::stateFileRefusesABadPin()
{
    cluster::ClusterStateFile state;
    state.token = QStringLiteral("abc");
    QJsonObject object = state.toJson();
    object.insert(QLatin1String("tls"),
                  QJsonObject{{QLatin1String("pubkey_sha256"), QStringLiteral("md5//xyz")}});
    const auto bad = cluster::ClusterStateFile::fromJson(QJsonDocument(object).toJson(),
                                                         QStringLiteral("cluster.json"));
    QVERIFY(!bad);
    QVERIFY2(bad.error().startsWith(QStringLiteral("cluster.json: \"tls\": \"pubkey_sha256\"")),
             qPrintable(bad.error()));
    object.insert(QLatin1String("tls"), QJsonObject{});
    QVERIFY(!cluster::ClusterStateFile::fromJson(QJsonDocument(object).toJson(),
                                                 QStringLiteral("cluster.json")));
}

QTEST_MAIN(TestTlsIdentity)
#include "tst_tlsidentity.moc"
