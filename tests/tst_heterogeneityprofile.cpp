// HeterogeneityProfile: per-slave CPU factor and link speed for a one-machine cluster. Lookup by
// slave index, defaults, round trip, the shipped profile, and every malformed shape reported as
// one line naming the origin, the entry and the key.
#include "cluster/heterogeneityprofile.h"
#include "testutil.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace starling;
using namespace starling::cluster;

namespace {

// Parse errors carry the offset and wording of Qt's JSON parser; tests check only our prefix.
const QString kNotJson = QStringLiteral("not valid UTF-8 JSON at byte ");

bool matches(const QString &error, const QString &expected)
{
    return expected.endsWith(kNotJson) ? error.startsWith(expected) : error == expected;
}

const QString kOrigin = QStringLiteral("profile.json");

QByteArray withSlaves(const QByteArray &slaves)
{
    return QByteArrayLiteral("{\"slaves\": ") + slaves + '}';
}

QByteArray manySlaves(int count)
{
    QByteArray list = QByteArrayLiteral("[");
    for (int i = 0; i < count; ++i) {
        if (i > 0)
            list += ',';
        list += QByteArrayLiteral(R"({"cpu_factor":2})");
    }
    return list + ']';
}

QByteArray toBytes(const HeterogeneityProfile &profile)
{
    return QJsonDocument(profile.toJson()).toJson(QJsonDocument::Indented);
}

QString errorOf(const Expected<HeterogeneityProfile> &parsed)
{
    return parsed.hasValue() ? QString() : parsed.error();
}

SlaveEmulation emulation(double cpuFactor, double linkMBps)
{
    return SlaveEmulation{true, cpuFactor, linkMBps};
}

} // namespace

class TestHeterogeneityProfile : public QObject
{
    Q_OBJECT

private slots:
    void forSlave_data();
    void forSlave();
    void entryDefaults();
    void emptyListAndOptionalText();
    void roundTrip();
    void edges_data();
    void edges();
    void rejected_data();
    void rejected();
    void sizeLimits();
    void loadShippedProfile();
    void loadErrors();
    void stripFixedCost();
};

void TestHeterogeneityProfile::forSlave_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<bool>("emulated");
    QTest::addColumn<double>("cpuFactor");
    QTest::addColumn<double>("linkMBps");
    QTest::newRow("first slave") << 0 << true << 1.0 << 40.0;
    QTest::newRow("second slave") << 1 << true << 2.0 << 10.0;
    QTest::newRow("last listed, link unpaced") << 2 << true << 0.5 << 0.0;
    QTest::newRow("just beyond the list") << 3 << false << 1.0 << 0.0;
    QTest::newRow("far beyond the list") << 1000 << false << 1.0 << 0.0;
    QTest::newRow("negative index") << -1 << false << 1.0 << 0.0;
}

void TestHeterogeneityProfile::forSlave()
{
    QFETCH(int, index);
    QFETCH(bool, emulated);
    QFETCH(double, cpuFactor);
    QFETCH(double, linkMBps);
    const auto profile = HeterogeneityProfile::fromJson(
        withSlaves(R"([{"cpu_factor": 1.0, "link_MBps": 40}, {"cpu_factor": 2, "link_MBps": 10},)"
                   R"( {"cpu_factor": 0.5}])"),
        kOrigin);
    QVERIFY2(profile.hasValue(), qPrintable(errorOf(profile)));
    const SlaveEmulation slave = profile->forSlave(index);
    QCOMPARE(slave.emulated, emulated);
    QCOMPARE(slave.cpuFactor, cpuFactor);
    QCOMPARE(slave.linkMBps, linkMBps);
}

void TestHeterogeneityProfile::entryDefaults()
{
    // An empty entry still marks its slave as emulated, at reference speed on an unpaced link.
    const auto profile =
        HeterogeneityProfile::fromJson(withSlaves("[{}, {\"link_MBps\": 5}]"), kOrigin);
    QVERIFY2(profile.hasValue(), qPrintable(errorOf(profile)));
    QCOMPARE(profile->slaves.size(), size_t(2));
    QVERIFY(profile->slaves[0] == emulation(1.0, 0));
    QVERIFY(profile->slaves[1] == emulation(1.0, 5));
    QVERIFY(profile->name.isEmpty());
    QVERIFY(profile->description.isEmpty());
}

void TestHeterogeneityProfile::emptyListAndOptionalText()
{
    const auto empty = HeterogeneityProfile::fromJson(
        QByteArrayLiteral(R"({"name": "none", "description": "no slave emulated", "slaves": []})"),
        kOrigin);
    QVERIFY2(empty.hasValue(), qPrintable(errorOf(empty)));
    QVERIFY(empty->slaves.empty());
    QCOMPARE(empty->name, QStringLiteral("none"));
    QCOMPARE(empty->description, QStringLiteral("no slave emulated"));
    QCOMPARE(empty->forSlave(0).emulated, false);
}

void TestHeterogeneityProfile::roundTrip()
{
    HeterogeneityProfile p;
    p.name = QStringLiteral("lab \"B\"");
    p.description = QStringLiteral("two lines\nand ünïcode");
    p.slaves = {emulation(1.0, 40), emulation(1.0 / 3, 0), emulation(1000, 100000),
                emulation(1e-6, 1e-3)};
    const QByteArray text = toBytes(p);
    const auto back = HeterogeneityProfile::fromJson(text, kOrigin);
    QVERIFY2(back.hasValue(), qPrintable(errorOf(back)));
    QVERIFY2(*back == p, text.constData());
    QCOMPARE(toBytes(*back), text);
    // An unpaced link is written by leaving the key out: 0 would not parse back.
    QVERIFY(!p.toJson()
                 .value(QStringLiteral("slaves"))
                 .toArray()
                 .at(1)
                 .toObject()
                 .contains(QStringLiteral("link_MBps")));
}

void TestHeterogeneityProfile::edges_data()
{
    QTest::addColumn<QByteArray>("entry");
    QTest::addColumn<double>("cpuFactor");
    QTest::addColumn<double>("linkMBps");
    QTest::newRow("cpu_factor max") << QByteArray(R"({"cpu_factor": 1000})") << 1000.0 << 0.0;
    QTest::newRow("cpu_factor tiny") << QByteArray(R"({"cpu_factor": 1e-9})") << 1e-9 << 0.0;
    QTest::newRow("link max") << QByteArray(R"({"link_MBps": 100000})") << 1.0 << 100000.0;
    QTest::newRow("link tiny") << QByteArray(R"({"link_MBps": 0.001})") << 1.0 << 0.001;
    QTest::newRow("integers") << QByteArray(R"({"cpu_factor": 3, "link_MBps": 20})") << 3.0 << 20.0;
}

void TestHeterogeneityProfile::edges()
{
    QFETCH(QByteArray, entry);
    QFETCH(double, cpuFactor);
    QFETCH(double, linkMBps);
    const auto profile = HeterogeneityProfile::fromJson(withSlaves('[' + entry + ']'), kOrigin);
    QVERIFY2(profile.hasValue(), qPrintable(errorOf(profile)));
    QVERIFY(profile->forSlave(0) == emulation(cpuFactor, linkMBps));
}

void TestHeterogeneityProfile::rejected_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("message"); // exact, without the "profile.json: " prefix

    QTest::newRow("unknown top-level key")
        << QByteArrayLiteral(R"({"slave": []})") << QStringLiteral("unknown key \"slave\"");
    QTest::newRow("unknown key beside slaves")
        << QByteArrayLiteral(R"({"slaves": [], "version": 2})")
        << QStringLiteral("unknown key \"version\"");
    QTest::newRow("slaves missing")
        << QByteArrayLiteral(R"({"name": "x"})")
        << QStringLiteral("missing key \"slaves\" (a list of slave entries)");
    QTest::newRow("slaves an object")
        << withSlaves(R"({"cpu_factor": 1})")
        << QStringLiteral("\"slaves\" must be an array, got {\"cpu_factor\":1}");
    QTest::newRow("slaves a string")
        << withSlaves("\"fast\"") << QStringLiteral("\"slaves\" must be an array, got \"fast\"");
    QTest::newRow("slaves null") << withSlaves("null")
                                 << QStringLiteral("\"slaves\" must be an array, got null");
    QTest::newRow("name a number") << QByteArrayLiteral(R"({"name": 4, "slaves": []})")
                                   << QStringLiteral("\"name\" must be a string, got 4");
    QTest::newRow("description an array")
        << QByteArrayLiteral(R"({"description": ["a"], "slaves": []})")
        << QStringLiteral("\"description\" must be a string, got [\"a\"]");

    QTest::newRow("unknown key in entry 2") << withSlaves(R"([{}, {}, {"cpu": 2}])")
                                            << QStringLiteral("slaves[2]: unknown key \"cpu\"");
    QTest::newRow("entry a number")
        << withSlaves("[{}, 3]") << QStringLiteral("slaves[1] must be an object, got 3");
    QTest::newRow("entry an array")
        << withSlaves("[[1, 40]]") << QStringLiteral("slaves[0] must be an object, got [1,40]");
    QTest::newRow("entry null") << withSlaves("[null]")
                                << QStringLiteral("slaves[0] must be an object, got null");

    const QString cpu = QStringLiteral(
        "slaves[0]: \"cpu_factor\" must be a number greater than 0 and at most 1000, got ");
    QTest::newRow("cpu_factor zero")
        << withSlaves(R"([{"cpu_factor": 0}])") << cpu + QStringLiteral("0");
    QTest::newRow("cpu_factor negative")
        << withSlaves(R"([{"cpu_factor": -1}])") << cpu + QStringLiteral("-1");
    QTest::newRow("cpu_factor too large")
        << withSlaves(R"([{"cpu_factor": 1000.5}])") << cpu + QStringLiteral("1000.5");
    QTest::newRow("cpu_factor string")
        << withSlaves(R"([{"cpu_factor": "2"}])") << cpu + QStringLiteral("\"2\"");
    QTest::newRow("cpu_factor null")
        << withSlaves(R"([{"cpu_factor": null}])") << cpu + QStringLiteral("null");
    QTest::newRow("cpu_factor boolean")
        << withSlaves(R"([{"cpu_factor": true}])") << cpu + QStringLiteral("true");

    const QString link = QStringLiteral(
        "slaves[1]: \"link_MBps\" must be a number greater than 0 and at most 100000, got ");
    const QString fixed = QStringLiteral(
        "slaves[0]: \"strip_fixed_ms\" must be a number greater than 0 and at most 60000, got ");
    QTest::newRow("strip_fixed_ms too large")
        << withSlaves(R"([{"strip_fixed_ms": 60001}])") << fixed + QStringLiteral("60001");
    QTest::newRow("strip_fixed_ms negative")
        << withSlaves(R"([{"strip_fixed_ms": -5}])") << fixed + QStringLiteral("-5");
    QTest::newRow("strip_fixed_ms string")
        << withSlaves(R"([{"strip_fixed_ms": "5ms"}])") << fixed + QStringLiteral("\"5ms\"");
    QTest::newRow("link zero") << withSlaves(R"([{}, {"link_MBps": 0}])")
                               << link + QStringLiteral("0");
    QTest::newRow("link negative")
        << withSlaves(R"([{}, {"link_MBps": -40}])") << link + QStringLiteral("-40");
    QTest::newRow("link too large")
        << withSlaves(R"([{}, {"link_MBps": 100000.5}])") << link + QStringLiteral("100000.5");
    QTest::newRow("link string") << withSlaves(R"([{}, {"link_MBps": "40MB"}])")
                                 << link + QStringLiteral("\"40MB\"");

    QTest::newRow("empty input") << QByteArray() << kNotJson;
    QTest::newRow("garbage bytes") << QByteArrayLiteral("\x89PNG\r\n\x1a\n\x00\x00") << kNotJson;
    QTest::newRow("truncated") << QByteArrayLiteral(R"({"slaves": [{"cpu_factor": 2}, {"cpu)")
                               << kNotJson;
    QTest::newRow("top-level array") << QByteArrayLiteral(R"([{"cpu_factor": 2}])")
                                     << QStringLiteral("the top level must be a JSON object");
}

void TestHeterogeneityProfile::rejected()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, message);
    const auto parsed = HeterogeneityProfile::fromJson(json, kOrigin);
    QVERIFY(!parsed.hasValue());
    const QString expected = kOrigin + QStringLiteral(": ") + message;
    QVERIFY2(matches(parsed.error(), expected),
             qPrintable(parsed.error() + QStringLiteral("\n expected: ") + expected));
    QVERIFY2(!parsed.error().contains(QLatin1Char('\n')), qPrintable(parsed.error()));
}

void TestHeterogeneityProfile::sizeLimits()
{
    const auto most = HeterogeneityProfile::fromJson(
        withSlaves(manySlaves(HeterogeneityProfile::kMaxSlaves)), kOrigin);
    QVERIFY2(most.hasValue(), qPrintable(errorOf(most)));
    QCOMPARE(most->slaves.size(), size_t(HeterogeneityProfile::kMaxSlaves));
    QCOMPARE(most->forSlave(HeterogeneityProfile::kMaxSlaves - 1).cpuFactor, 2.0);

    const auto tooMany = HeterogeneityProfile::fromJson(
        withSlaves(manySlaves(HeterogeneityProfile::kMaxSlaves + 1)), kOrigin);
    QVERIFY(!tooMany.hasValue());
    QCOMPARE(tooMany.error(),
             kOrigin +
                 QStringLiteral(": \"slaves\" has 4097 elements, more than the limit of 4096"));

    QByteArray atLimit = withSlaves("[]");
    atLimit += QByteArray(HeterogeneityProfile::kMaxFileBytes - atLimit.size(), ' ');
    QVERIFY(HeterogeneityProfile::fromJson(atLimit, kOrigin).hasValue());
    const auto oversized = HeterogeneityProfile::fromJson(atLimit + ' ', kOrigin);
    QVERIFY(!oversized.hasValue());
    QCOMPARE(oversized.error(),
             kOrigin + QStringLiteral(": larger than the limit of 1048576 bytes"));
}

void TestHeterogeneityProfile::loadShippedProfile()
{
    const auto profile = HeterogeneityProfile::load(
        QStringLiteral(STARLING_RESOURCES_DIR "/profiles/four-slaves.json"));
    QVERIFY2(profile.hasValue(), qPrintable(errorOf(profile)));
    QCOMPARE(profile->name, QStringLiteral("four-slaves"));
    QVERIFY(!profile->description.isEmpty());
    QCOMPARE(profile->slaves.size(), size_t(4));
    QVERIFY(profile->forSlave(0) == emulation(1.0, 40));
    QVERIFY(profile->forSlave(1) == emulation(2.0, 10));
    QVERIFY(profile->forSlave(2) == emulation(0.7, 80));
    QVERIFY(profile->forSlave(3) == emulation(3.0, 20));
    QCOMPARE(profile->forSlave(4).emulated, false);
}

void TestHeterogeneityProfile::loadErrors()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    const QString missing = dir.filePath(QStringLiteral("missing.json"));
    const auto notThere = HeterogeneityProfile::load(missing);
    QVERIFY(!notThere.hasValue());
    QCOMPARE(notThere.error(),
             missing + QStringLiteral(": cannot open: No such file or directory"));

    const QString big = dir.filePath(QStringLiteral("big.json"));
    QVERIFY(
        writeFile(big, withSlaves("[]") + QByteArray(HeterogeneityProfile::kMaxFileBytes, ' ')));
    const auto oversized = HeterogeneityProfile::load(big);
    QVERIFY(!oversized.hasValue());
    QCOMPARE(oversized.error(), big + QStringLiteral(": larger than the limit of 1048576 bytes"));

    const QString bad = dir.filePath(QStringLiteral("bad.json"));
    QVERIFY(writeFile(bad, withSlaves(R"([{"cpu_factor": 1}, {"link": 10}])")));
    const auto badKey = HeterogeneityProfile::load(bad);
    QVERIFY(!badKey.hasValue());
    QCOMPARE(badKey.error(), bad + QStringLiteral(": slaves[1]: unknown key \"link\""));

    const QString good = dir.filePath(QStringLiteral("good.json"));
    HeterogeneityProfile p;
    p.slaves = {emulation(4, 2.5)};
    QVERIFY(writeFile(good, toBytes(p)));
    const auto loaded = HeterogeneityProfile::load(good);
    QVERIFY2(loaded.hasValue(), qPrintable(errorOf(loaded)));
    QVERIFY(*loaded == p);
}

// Issue 16: a fixed cost per image strip makes the emulated compute affine (and known).
void TestHeterogeneityProfile::stripFixedCost()
{
    const auto profile = HeterogeneityProfile::fromJson(
        withSlaves(R"([{"cpu_factor": 2, "strip_fixed_ms": 250}, {"cpu_factor": 1}])"), kOrigin);
    QVERIFY2(profile.hasValue(), qPrintable(errorOf(profile)));
    QCOMPARE(profile->forSlave(0).stripFixedS, 0.25);
    QCOMPARE(profile->forSlave(1).stripFixedS, 0.0);
    const auto back = HeterogeneityProfile::fromJson(toBytes(*profile), kOrigin);
    QVERIFY2(back.hasValue(), qPrintable(errorOf(back)));
    QVERIFY(*back == *profile);
}

QTEST_APPLESS_MAIN(TestHeterogeneityProfile)
#include "tst_heterogeneityprofile.moc"
