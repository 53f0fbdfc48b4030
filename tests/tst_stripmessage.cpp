// The binary strip messages between master and slave: round trips, and every malformed
// message (garbage, truncated at every length, padded, lying headers) refused with one line.
#include "jobs/stripmessage.h"

#include <QJsonDocument>
#include <QtEndian>
#include <QTest>

using namespace starling::jobs;

namespace {

StripAssignment sampleAssignment()
{
    StripAssignment a;
    a.jobId = QStringLiteral("job-3");
    a.chunk = 7;
    a.op = {{QStringLiteral("op"), QStringLiteral("blur")}, {QStringLiteral("sigma"), 1.5}};
    a.width = 5;
    a.channels = 3;
    a.imageHeight = 20;
    a.begin = 4;
    a.end = 9;
    a.haloTop = 2;
    a.haloBottom = 3;
    a.units = 2.5;
    a.standardS = 0.125;
    a.sequence = 41;
    a.pixels = QByteArray(10 * 5 * 3, '\0');
    for (int i = 0; i < a.pixels.size(); ++i)
        a.pixels[i] = char(i * 7);
    return a;
}

StripResult sampleResult()
{
    StripResult s;
    s.jobId = QStringLiteral("job-3");
    s.chunk = 7;
    s.width = 5;
    s.channels = 1;
    s.begin = 4;
    s.end = 9;
    s.computeS = 0.25;
    s.kernelS = 0.001;
    s.pixels = QByteArray(5 * 5, 'x');
    return s;
}

// A message with `header` as its JSON header and `pixels` after it.
QByteArray withHeader(const QJsonObject &header, const QByteArray &pixels)
{
    const QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    QByteArray m("STRP");
    char length[4];
    qToLittleEndian<quint32>(quint32(json.size()), length);
    m.append(length, 4);
    return m + json + pixels;
}

QJsonObject headerOf(const QByteArray &message)
{
    const quint32 length = qFromLittleEndian<quint32>(message.constData() + 4);
    return QJsonDocument::fromJson(message.mid(8, length)).object();
}

} // namespace

class TestStripMessage : public QObject
{
    Q_OBJECT

private slots:
    void assignmentRoundTrip();
    void resultRoundTrip();
    void errorResultHasNoPixels();
    void truncatedAtEveryLength();
    void garbage_data();
    void garbage();
    void lyingHeaders_data();
    void lyingHeaders();
    void receiptRoundTrip();
    void badReceipts_data();
    void badReceipts();
};

void TestStripMessage::receiptRoundTrip()
{
    const StripReceipt r{QStringLiteral("job-7f3a"), 12};
    const auto back = StripReceipt::decode(r.encode());
    QVERIFY2(back, qPrintable(back.error()));
    QCOMPARE(back->jobId, r.jobId);
    QCOMPARE(back->chunk, r.chunk);
}

void TestStripMessage::badReceipts_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("garbage") << QByteArray("\x00\xff{{");
    QTest::newRow("truncated") << StripReceipt{QStringLiteral("j"), 3}.encode().chopped(2);
    QTest::newRow("no chunk") << QByteArray(R"({"job": "j"})");
    QTest::newRow("negative chunk") << QByteArray(R"({"job": "j", "chunk": -1})");
    QTest::newRow("empty job") << QByteArray(R"({"job": "", "chunk": 1})");
    QTest::newRow("unknown key") << QByteArray(R"({"job": "j", "chunk": 1, "x": 2})");
    QTest::newRow("oversized") << QByteArray(R"({"job": ")") + QByteArray(2000, 'a') +
                                      QByteArray(R"(", "chunk": 1})");
}

void TestStripMessage::badReceipts()
{
    QFETCH(QByteArray, message);
    const auto decoded = StripReceipt::decode(message);
    QVERIFY(!decoded);
    QVERIFY2(decoded.error().startsWith(QLatin1String("strip receipt")),
             qPrintable(decoded.error()));
}

void TestStripMessage::assignmentRoundTrip()
{
    const StripAssignment a = sampleAssignment();
    const auto back = StripAssignment::decode(a.encode());
    QVERIFY2(back, qPrintable(back.error()));
    QCOMPARE(back->jobId, a.jobId);
    QCOMPARE(back->chunk, a.chunk);
    QCOMPARE(back->op, a.op);
    QCOMPARE(back->width, a.width);
    QCOMPARE(back->channels, a.channels);
    QCOMPARE(back->imageHeight, a.imageHeight);
    QCOMPARE(back->begin, a.begin);
    QCOMPARE(back->end, a.end);
    QCOMPARE(back->haloTop, a.haloTop);
    QCOMPARE(back->haloBottom, a.haloBottom);
    QCOMPARE(back->units, a.units);
    QCOMPARE(back->standardS, a.standardS);
    QCOMPARE(back->sequence, a.sequence);
    QCOMPARE(back->pixels, a.pixels);
}

void TestStripMessage::resultRoundTrip()
{
    const StripResult s = sampleResult();
    const auto back = StripResult::decode(s.encode());
    QVERIFY2(back, qPrintable(back.error()));
    QCOMPARE(back->jobId, s.jobId);
    QCOMPARE(back->chunk, s.chunk);
    QCOMPARE(back->begin, s.begin);
    QCOMPARE(back->end, s.end);
    QCOMPARE(back->channels, 1);
    QCOMPARE(back->computeS, s.computeS);
    QCOMPARE(back->kernelS, s.kernelS);
    QVERIFY(back->error.isEmpty());
    QCOMPARE(back->pixels, s.pixels);
}

void TestStripMessage::errorResultHasNoPixels()
{
    StripResult s = sampleResult();
    s.error = QStringLiteral("unknown op \"x\"");
    const auto back = StripResult::decode(s.encode());
    QVERIFY2(back, qPrintable(back.error()));
    QCOMPARE(back->error, s.error);
    QVERIFY(back->pixels.isEmpty());
}

void TestStripMessage::truncatedAtEveryLength()
{
    const QByteArray a = sampleAssignment().encode();
    const QByteArray r = sampleResult().encode();
    for (qsizetype n = 0; n < a.size(); ++n) {
        const auto d = StripAssignment::decode(a.left(n));
        QVERIFY2(!d, qPrintable(QString::number(n)));
        QVERIFY(!d.error().contains(u'\n'));
    }
    for (qsizetype n = 0; n < r.size(); ++n)
        QVERIFY2(!StripResult::decode(r.left(n)), qPrintable(QString::number(n)));
    QVERIFY(!StripAssignment::decode(a + 'x')); // padded
    QVERIFY(!StripResult::decode(r + 'x'));
}

void TestStripMessage::garbage_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("wrong magic") << QByteArray("STRX\x02\0\0\0{}", 10);
    QTest::newRow("header not json") << QByteArray("STRP\x03\0\0\0abc", 11);
    QTest::newRow("header an array") << QByteArray("STRP\x02\0\0\0[]", 10);
    QTest::newRow("header longer than message") << QByteArray("STRP\xff\0\0\0{}", 10);
    QTest::newRow("huge header length") << QByteArray("STRP\xff\xff\xff\xff{}", 10);
    QTest::newRow("random") << QByteArray(4096, '\xa5');
}

void TestStripMessage::garbage()
{
    QFETCH(QByteArray, message);
    const auto a = StripAssignment::decode(message);
    QVERIFY(!a);
    QVERIFY(!a.error().isEmpty() && !a.error().contains(u'\n'));
    QVERIFY(!StripResult::decode(message));
}

void TestStripMessage::lyingHeaders_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("end before begin") << "end" << QJsonValue(3) << "do not fit";
    QTest::newRow("end past the image") << "end" << QJsonValue(21) << "do not fit";
    QTest::newRow("halo above the image") << "halo_top" << QJsonValue(5) << "do not fit";
    QTest::newRow("halo below the image") << "halo_bottom" << QJsonValue(12) << "do not fit";
    QTest::newRow("more rows than pixels") << "width" << QJsonValue(6) << "pixel bytes";
    QTest::newRow("two channels") << "channels" << QJsonValue(2) << "neither grey nor RGB";
    QTest::newRow("four channels") << "channels" << QJsonValue(4) << "channels";
    QTest::newRow("negative chunk") << "chunk" << QJsonValue(-1) << "chunk";
    QTest::newRow("empty job id") << "job" << QJsonValue(QString()) << "job id";
    QTest::newRow("op not an object") << "op" << QJsonValue(3) << "\"op\"";
    QTest::newRow("negative cost") << "standard_s" << QJsonValue(-1) << "standard_s";
    QTest::newRow("cost not a number")
        << "standard_s" << QJsonValue(QStringLiteral("1")) << "standard_s";
    QTest::newRow("negative job sequence") << "sequence" << QJsonValue(-1) << "sequence";
    QTest::newRow("job sequence not whole") << "sequence" << QJsonValue(1.5) << "sequence";
    QTest::newRow("unknown key") << "colour" << QJsonValue(true) << "colour";
}

void TestStripMessage::lyingHeaders()
{
    QFETCH(QString, key);
    QFETCH(QJsonValue, value);
    QFETCH(QString, expected);
    const StripAssignment a = sampleAssignment();
    QJsonObject header = headerOf(a.encode());
    header.insert(key, value);
    const auto d = StripAssignment::decode(withHeader(header, a.pixels));
    QVERIFY(!d);
    QVERIFY2(d.error().contains(expected), qPrintable(d.error()));
    QVERIFY(!d.error().contains(u'\n'));
}

QTEST_GUILESS_MAIN(TestStripMessage)
#include "tst_stripmessage.moc"
