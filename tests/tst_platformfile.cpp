// PlatformFile: the JSON star description read by `starling sim`. Valid, round trip, and every
// malformed shape reported as one line naming the file and the field.
#include "sim/platformfile.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace starling;
using namespace starling::sim;

namespace {

const QString kSource = QStringLiteral("star.json");

QByteArray validExample()
{
    return QByteArrayLiteral(R"({"unit_MB": 8, "startup_s": 0, "slaves": [)"
                             R"({"name": "s1", "unit_compute_s": 1.0, "bandwidth_MBps": 100}]})");
}

// A platform file with the given slaves array text and unit_MB text.
QByteArray withSlaves(const QByteArray &slaves, const QByteArray &unitMB = "8")
{
    return QByteArrayLiteral("{\"unit_MB\": ") + unitMB + QByteArrayLiteral(", \"slaves\": ") +
           slaves + QByteArrayLiteral("}");
}

QByteArray slave(const QByteArray &name, const QByteArray &compute = "1",
                 const QByteArray &bandwidth = "10")
{
    QByteArray text = QByteArrayLiteral("{");
    if (!name.isNull())
        text += QByteArrayLiteral("\"name\": ") + name + QByteArrayLiteral(", ");
    if (!compute.isNull())
        text += QByteArrayLiteral("\"unit_compute_s\": ") + compute + QByteArrayLiteral(", ");
    if (!bandwidth.isNull())
        text += QByteArrayLiteral("\"bandwidth_MBps\": ") + bandwidth;
    if (text.endsWith(", "))
        text.chop(2);
    return text + QByteArrayLiteral("}");
}

QByteArray manySlaves(int count)
{
    QByteArray list = QByteArrayLiteral("[");
    for (int i = 0; i < count; ++i) {
        if (i > 0)
            list += ',';
        list += QByteArrayLiteral(R"({"unit_compute_s":1,"bandwidth_MBps":1})");
    }
    return list + ']';
}

bool samePlatform(const sched::Platform &a, const sched::Platform &b)
{
    if (a.unitMB != b.unitMB || a.startupS != b.startupS || a.returnRatio != b.returnRatio ||
        a.slaves.size() != b.slaves.size())
        return false;
    for (size_t i = 0; i < a.slaves.size(); ++i) {
        if (a.slaves[i].name != b.slaves[i].name ||
            a.slaves[i].unitComputeS != b.slaves[i].unitComputeS ||
            a.slaves[i].bandwidthMBps != b.slaves[i].bandwidthMBps)
            return false;
    }
    return true;
}

} // namespace

class TestPlatformFile : public QObject
{
    Q_OBJECT

private slots:
    void parsesExample();
    void acceptsEdges();
    void roundTrip();
    void malformed_data();
    void malformed();
    void sizeLimits();
    void loadMissingFile();
    void loadValidFile();
};

void TestPlatformFile::parsesExample()
{
    const Expected<sched::Platform> parsed = PlatformFile::parse(validExample(), kSource);
    QVERIFY2(parsed.hasValue(), qPrintable(parsed.hasValue() ? QString() : parsed.error()));
    const sched::Platform &p = parsed.value();
    QCOMPARE(p.unitMB, 8.0);
    QCOMPARE(p.startupS, 0.0);
    QCOMPARE(p.returnRatio, 0.0); // optional, defaults to no returned results
    QCOMPARE(p.size(), 1);
    QCOMPARE(p.slaves[0].name, QStringLiteral("s1"));
    QCOMPARE(p.slaves[0].unitComputeS, 1.0);
    QCOMPARE(p.slaves[0].bandwidthMBps, 100.0);
    QCOMPARE(p.unitSendS(0), 0.08);
}

void TestPlatformFile::acceptsEdges()
{
    // Names are optional (s1, s2, ... by position); 64 characters is the longest name.
    const QByteArray longest = '"' + QByteArray(64, 'x') + '"';
    const auto parsed = PlatformFile::parse(
        withSlaves('[' + slave({}) + ',' + slave(longest, "0.5", "2.5") + ',' + slave({}) + ']',
                   "0.25"),
        kSource);
    QVERIFY2(parsed.hasValue(), qPrintable(parsed.hasValue() ? QString() : parsed.error()));
    QCOMPARE(parsed->slaves.size(), size_t(3));
    QCOMPARE(parsed->slaves[0].name, QStringLiteral("s1"));
    QCOMPARE(parsed->slaves[1].name, QString(64, QLatin1Char('x')));
    QCOMPARE(parsed->slaves[2].name, QStringLiteral("s3"));
    QCOMPARE(parsed->slaves[1].unitComputeS, 0.5);
    QCOMPARE(parsed->unitMB, 0.25);

    const auto withOptional = PlatformFile::parse(
        QByteArrayLiteral(R"({"unit_MB": 100, "startup_s": 0.01, "return_ratio": 0.5,)"
                          R"( "slaves": [{"unit_compute_s": 3, "bandwidth_MBps": 40}]})"),
        kSource);
    QVERIFY(withOptional.hasValue());
    QCOMPARE(withOptional->startupS, 0.01);
    QCOMPARE(withOptional->returnRatio, 0.5);
}

void TestPlatformFile::roundTrip()
{
    sched::Platform p;
    p.unitMB = 1.0 / 3;
    p.startupS = 0.0125;
    p.returnRatio = 0.1;
    p.slaves = {{QStringLiteral("alpha"), 1.5, 100},
                {QStringLiteral("β-node ünïcode"), 0.1, 1e-3},
                {QStringLiteral("with \"quotes\" and \\"), 123456.789, 2.0 / 7}};
    const QByteArray text = PlatformFile::serialise(p);
    const auto back = PlatformFile::parse(text, kSource);
    QVERIFY2(back.hasValue(), qPrintable(back.hasValue() ? QString() : back.error()));
    QVERIFY2(samePlatform(*back, p), text.constData());
    // And again: serialising the parsed platform gives the same text.
    QCOMPARE(PlatformFile::serialise(*back), text);
}

void TestPlatformFile::malformed_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("mentions");
    const QString json = QStringLiteral("JSON");
    QTest::newRow("empty input") << QByteArray() << json;
    QTest::newRow("whitespace only") << QByteArrayLiteral("  \n ") << json;
    QTest::newRow("garbage bytes") << QByteArrayLiteral("\x00\xff\xfe\x13garbage") << json;
    QTest::newRow("not JSON") << QByteArrayLiteral("unit_MB = 8") << json;
    QTest::newRow("truncated") << validExample().left(validExample().size() - 5) << json;
    QTest::newRow("truncated in a key") << QByteArrayLiteral(R"({"unit_M)") << json;
    QTest::newRow("top-level array") << QByteArrayLiteral("[1, 2]") << QStringLiteral("top level");

    const QByteArray oneSlave = '[' + slave("\"s1\"") + ']';
    const QString unitMB = QStringLiteral("unit_MB");
    QTest::newRow("unit_MB missing")
        << QByteArrayLiteral(R"({"slaves": [{"unit_compute_s": 1, "bandwidth_MBps": 1}]})")
        << unitMB;
    QTest::newRow("unit_MB zero") << withSlaves(oneSlave, "0") << unitMB;
    QTest::newRow("unit_MB negative") << withSlaves(oneSlave, "-8") << unitMB;
    QTest::newRow("unit_MB string") << withSlaves(oneSlave, "\"8\"") << unitMB;
    QTest::newRow("unit_MB null") << withSlaves(oneSlave, "null") << unitMB;
    QTest::newRow("unit_MB object") << withSlaves(oneSlave, "{}") << unitMB;
    QTest::newRow("startup_s negative")
        << QByteArrayLiteral(R"({"unit_MB": 8, "startup_s": -1, "slaves": [{"unit_compute_s": 1,)"
                             R"( "bandwidth_MBps": 1}]})")
        << QStringLiteral("startup_s");
    QTest::newRow("return_ratio string")
        << QByteArrayLiteral(R"({"unit_MB": 8, "return_ratio": "x", "slaves": [{"unit_compute_s":)"
                             R"( 1, "bandwidth_MBps": 1}]})")
        << QStringLiteral("return_ratio");

    const QString slaves = QStringLiteral("slaves");
    QTest::newRow("slaves missing") << QByteArrayLiteral(R"({"unit_MB": 8})") << slaves;
    QTest::newRow("slaves an object") << withSlaves(slave("\"s1\"")) << slaves;
    QTest::newRow("slaves a string") << withSlaves("\"s1\"") << slaves;
    QTest::newRow("slaves null") << withSlaves("null") << slaves;
    QTest::newRow("slaves empty") << withSlaves("[]") << slaves;
    QTest::newRow("element a number") << withSlaves("[1]") << QStringLiteral("slaves[0]");
    QTest::newRow("second element an array")
        << withSlaves('[' + slave("\"a\"") + ", []]") << QStringLiteral("slaves[1]");

    const QString compute = QStringLiteral("slaves[0].unit_compute_s");
    QTest::newRow("unit_compute_s missing")
        << withSlaves('[' + slave("\"a\"", {}) + ']') << compute;
    QTest::newRow("unit_compute_s zero") << withSlaves('[' + slave("\"a\"", "0") + ']') << compute;
    QTest::newRow("unit_compute_s negative")
        << withSlaves('[' + slave("\"a\"", "-1.5") + ']') << compute;
    QTest::newRow("unit_compute_s string")
        << withSlaves('[' + slave("\"a\"", "\"fast\"") + ']') << compute;
    QTest::newRow("unit_compute_s in second slave")
        << withSlaves('[' + slave("\"a\"") + ',' + slave("\"b\"", "0") + ']')
        << QStringLiteral("slaves[1].unit_compute_s");

    const QString bandwidth = QStringLiteral("slaves[0].bandwidth_MBps");
    QTest::newRow("bandwidth_MBps missing")
        << withSlaves('[' + slave("\"a\"", "1", {}) + ']') << bandwidth;
    QTest::newRow("bandwidth_MBps zero")
        << withSlaves('[' + slave("\"a\"", "1", "0") + ']') << bandwidth;
    QTest::newRow("bandwidth_MBps negative")
        << withSlaves('[' + slave("\"a\"", "1", "-100") + ']') << bandwidth;
    QTest::newRow("bandwidth_MBps string")
        << withSlaves('[' + slave("\"a\"", "1", "\"100\"") + ']') << bandwidth;

    QTest::newRow("duplicate names")
        << withSlaves('[' + slave("\"s1\"") + ',' + slave("\"s2\"") + ',' + slave("\"s1\"") + ']')
        << QStringLiteral("slaves[2].name 's1'");
    const QString name = QStringLiteral("slaves[0].name");
    QTest::newRow("name empty") << withSlaves('[' + slave("\"\"") + ']') << name;
    QTest::newRow("name blank") << withSlaves('[' + slave("\"   \"") + ']') << name;
    QTest::newRow("name a number") << withSlaves('[' + slave("42") + ']') << name;
    QTest::newRow("name null") << withSlaves('[' + slave("null") + ']') << name;
    QTest::newRow("name 65 chars")
        << withSlaves('[' + slave('"' + QByteArray(65, 'n') + '"') + ']') << name;
}

void TestPlatformFile::malformed()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, mentions);
    const Expected<sched::Platform> parsed = PlatformFile::parse(json, kSource);
    QVERIFY(!parsed.hasValue());
    const QString &error = parsed.error();
    QVERIFY2(error.startsWith(kSource + QStringLiteral(": ")), qPrintable(error));
    QVERIFY2(error.contains(mentions), qPrintable(error));
    QVERIFY2(!error.contains(QLatin1Char('\n')), qPrintable(error)); // one line
}

void TestPlatformFile::sizeLimits()
{
    // Exactly kMaxBytes is fine, one byte more is refused before parsing.
    QByteArray atLimit = validExample();
    atLimit += QByteArray(PlatformFile::kMaxBytes - atLimit.size(), ' ');
    QCOMPARE(qint64(atLimit.size()), PlatformFile::kMaxBytes);
    QVERIFY(PlatformFile::parse(atLimit, kSource).hasValue());
    const auto oversized = PlatformFile::parse(atLimit + ' ', kSource);
    QVERIFY(!oversized.hasValue());
    QVERIFY2(oversized.error().contains(QString::number(PlatformFile::kMaxBytes)),
             qPrintable(oversized.error()));

    // kMaxSlaves slaves are fine, one more is refused.
    const auto most =
        PlatformFile::parse(withSlaves(manySlaves(PlatformFile::kMaxSlaves)), kSource);
    QVERIFY2(most.hasValue(), qPrintable(most.hasValue() ? QString() : most.error()));
    QCOMPARE(most->size(), PlatformFile::kMaxSlaves);
    const auto tooMany =
        PlatformFile::parse(withSlaves(manySlaves(PlatformFile::kMaxSlaves + 1)), kSource);
    QVERIFY(!tooMany.hasValue());
    QVERIFY2(tooMany.error().contains(QStringLiteral("slaves")), qPrintable(tooMany.error()));
    QVERIFY2(tooMany.error().contains(QString::number(PlatformFile::kMaxSlaves)),
             qPrintable(tooMany.error()));
}

void TestPlatformFile::loadMissingFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("does-not-exist.json"));
    const Expected<sched::Platform> loaded = PlatformFile::load(path);
    QVERIFY(!loaded.hasValue());
    QVERIFY2(loaded.error().contains(path), qPrintable(loaded.error()));
}

void TestPlatformFile::loadValidFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    sched::Platform p;
    p.unitMB = 100;
    p.slaves = {{QStringLiteral("n1"), 1, 100}, {QStringLiteral("n2"), 6, 30}};
    const QString path = dir.filePath(QStringLiteral("platform.json"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(PlatformFile::serialise(p)), qint64(PlatformFile::serialise(p).size()));
    }
    const Expected<sched::Platform> loaded = PlatformFile::load(path);
    QVERIFY2(loaded.hasValue(), qPrintable(loaded.hasValue() ? QString() : loaded.error()));
    QVERIFY(samePlatform(*loaded, p));

    // A bad file is reported under its path.
    const QString badPath = dir.filePath(QStringLiteral("bad.json"));
    {
        QFile file(badPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(withSlaves("[]"));
    }
    const Expected<sched::Platform> bad = PlatformFile::load(badPath);
    QVERIFY(!bad.hasValue());
    QVERIFY2(bad.error().startsWith(badPath), qPrintable(bad.error()));
    QVERIFY2(bad.error().contains(QStringLiteral("slaves")), qPrintable(bad.error()));

    // An oversized file is reported as such, not parsed as a cut-off document.
    const QString bigPath = dir.filePath(QStringLiteral("big.json"));
    {
        QFile file(bigPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(validExample() + QByteArray(PlatformFile::kMaxBytes, ' '));
    }
    const Expected<sched::Platform> big = PlatformFile::load(bigPath);
    QVERIFY(!big.hasValue());
    QVERIFY2(big.error().contains(QString::number(PlatformFile::kMaxBytes)),
             qPrintable(big.error()));
}

QTEST_APPLESS_MAIN(TestPlatformFile)
#include "tst_platformfile.moc"
