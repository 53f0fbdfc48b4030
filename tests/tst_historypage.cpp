// The console's history on the bridge (`history_page`): a page survives the trip through JSON
// with the precision a chart needs, and truncated, oversized, garbage and non-finite pages are
// refused with one line, as are requests out of range.
#include "bridge/bridgemessage.h"
#include "bridge/historypage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <limits>

using namespace starling;
using bridge::HistoryPage;
using bridge::HistoryRequest;

namespace {

std::vector<cluster::HistorySample> samples(int count, qint64 t0 = 1700000000000)
{
    std::vector<cluster::HistorySample> out;
    for (int k = 0; k < count; ++k) {
        cluster::HistorySample s;
        s.timeMs = t0 + 1000LL * k + (k % 3);
        s.cpu = 0.123456 + 0.01 * (k % 7);
        s.rssBytes = 52428800 + 4096LL * k;
        s.txRate = 12500000.4 + k;
        s.rxRate = 180000;
        s.load = 0.42 + 0.001 * k;
        s.assigned = k % 5;
        s.tasksDone = 5120 + k;
        s.state = k % 2 ? cluster::NodeState::Draining : cluster::NodeState::Active;
        out.push_back(s);
    }
    return out;
}

QJsonObject page(int count)
{
    return HistoryPage{QStringLiteral("slave-2"), samples(count), true}.toJson();
}

} // namespace

class TestHistoryPage final : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip()
    {
        const auto sent = samples(50);
        const QJsonObject json = HistoryPage{QStringLiteral("slave-2"), sent, true}.toJson();
        // Through text, as on the wire.
        const QByteArray line = QJsonDocument(json).toJson(QJsonDocument::Compact);
        const auto got = HistoryPage::fromJson(QJsonDocument::fromJson(line).object());
        QVERIFY2(got, qPrintable(got.error()));
        QCOMPARE(got->node, QStringLiteral("slave-2"));
        QVERIFY(got->more);
        QCOMPARE(got->samples.size(), sent.size());
        for (size_t i = 0; i < sent.size(); ++i) {
            const auto &a = sent[i];
            const auto &b = got->samples[i];
            QCOMPARE(b.timeMs, a.timeMs);
            QVERIFY(std::abs(b.cpu - a.cpu) <= 0.00005);
            QCOMPARE(b.rssBytes, a.rssBytes);
            QVERIFY(std::abs(b.txRate - a.txRate) <= 0.5);
            QCOMPARE(b.rxRate, a.rxRate);
            QVERIFY(std::abs(b.load - a.load) <= 0.00005);
            QCOMPARE(b.assigned, a.assigned);
            QCOMPARE(b.tasksDone, a.tasksDone);
            QVERIFY(b.state == a.state);
        }
    }

    void emptyPage()
    {
        const auto got = HistoryPage::fromJson(page(0));
        QVERIFY2(got, qPrintable(got.error()));
        QVERIFY(got->samples.empty());
    }

    // A full page stays far below the monitor's 2 MiB queue for one client.
    void fullPageIsCompact()
    {
        const QByteArray line =
            QJsonDocument(page(HistoryRequest::kMaxLimit)).toJson(QJsonDocument::Compact);
        QVERIFY2(line.size() < 256 * 1024, line.left(200).constData());
        QVERIFY(HistoryPage::fromJson(page(HistoryRequest::kMaxLimit)));
    }

    // The monitor's cut (issue: a 64 KiB client buffer closed the console as too slow on its
    // second page): kMaxInFlight answers of the longest numbers a page can hold, as ack lines
    // with the longest node and command id, fit in a client's buffer.
    void pagesFitTheClientBuffer_data()
    {
        QTest::addColumn<qint64>("buffer");
        QTest::newRow("smallest (64 KiB)") << qint64(65536);
        QTest::newRow("default (1 MiB)") << qint64(1048576);
        QTest::newRow("1 GiB") << qint64(1073741824);
    }

    void pagesFitTheClientBuffer()
    {
        QFETCH(qint64, buffer);
        const int n = HistoryPage::maxSamplesFor(buffer);
        QVERIFY(n >= 1 && n <= HistoryRequest::kMaxLimit);
        // Every number as long as the bounds allow: times spread up to 2^53 ms.
        constexpr qint64 kMaxCount = qint64(1) << 53;
        const qint64 step = (kMaxCount - 1) / (n + 1) - 7;
        std::vector<cluster::HistorySample> worst(static_cast<size_t>(n));
        for (int k = 0; k < n; ++k) {
            cluster::HistorySample &s = worst[size_t(k)];
            s.timeMs = 1 + step * (k + 1);
            s.cpu = 1023.9876 - 1e-4 * (k % 7);
            s.rssBytes = kMaxCount - 1 - k;
            s.txRate = 9999999999999.0 - 3 * k;
            s.rxRate = 9999999999998.0 - 7 * k;
            s.load = 999999999.8765 - 1e-4 * (k % 5);
            s.assigned = 999999999 - k;
            s.tasksDone = kMaxCount - 1 - k;
            s.state = cluster::NodeState::Down;
        }
        const QJsonObject result = HistoryPage{QString(64, QLatin1Char('n')), worst, true}.toJson();
        const QByteArray line = bridge::BridgeMessage::ack(
            QString(bridge::kMaxCommandIdLength, QLatin1Char('c')), result);
        QVERIFY2(line.size() <= HistoryPage::kMaxOverheadBytes + n * HistoryPage::kMaxSampleBytes,
                 qPrintable(QString::number(line.size())));
        if (n < HistoryRequest::kMaxLimit)
            QVERIFY2((HistoryRequest::kMaxInFlight + 1) * line.size() <= buffer,
                     qPrintable(QStringLiteral("%1 samples, %2 bytes").arg(n).arg(line.size())));
        const auto back = HistoryPage::fromJson(result);
        QVERIFY2(back, qPrintable(back.error()));
        QCOMPARE(int(back->samples.size()), n);
    }

    void refused_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("expected");
        QJsonArray shortCpu = page(10).value(u"cpu").toArray();
        shortCpu.removeLast();
        QJsonArray stringCpu = page(10).value(u"cpu").toArray();
        stringCpu[3] = QStringLiteral("0.5");
        QJsonArray nanCpu = page(10).value(u"cpu").toArray();
        nanCpu[4] = std::numeric_limits<double>::quiet_NaN(); // null in JSON text
        QJsonArray hugeCpu = page(10).value(u"cpu").toArray();
        hugeCpu[4] = 1e9;
        QJsonArray backwards = page(10).value(u"dt").toArray();
        backwards[5] = 0;
        QJsonArray fractionalDt = page(10).value(u"dt").toArray();
        fractionalDt[2] = 10.5;
        QJsonArray badState = page(10).value(u"state").toArray();
        badState[1] = 9;
        QJsonArray negativeRss = page(10).value(u"rss").toArray();
        negativeRss[0] = -1;
        QTest::newRow("truncated column") << "cpu" << QJsonValue(shortCpu) << "\"cpu\"";
        QTest::newRow("column not an array") << "tx" << QJsonValue(3) << "\"tx\"";
        QTest::newRow("string in a column") << "cpu" << QJsonValue(stringCpu) << "\"cpu\"[3]";
        QTest::newRow("NaN") << "cpu" << QJsonValue(nanCpu) << "\"cpu\"[4]";
        QTest::newRow("cpu out of range") << "cpu" << QJsonValue(hugeCpu) << "sample 4";
        QTest::newRow("time not increasing") << "dt" << QJsonValue(backwards) << "sample 5";
        QTest::newRow("fractional time") << "dt" << QJsonValue(fractionalDt) << "\"dt\"[2]";
        QTest::newRow("unknown state") << "state" << QJsonValue(badState) << "\"state\"[1]";
        QTest::newRow("negative rss") << "rss" << QJsonValue(negativeRss) << "\"rss\"[0]";
        QTest::newRow("oversized count")
            << "count" << QJsonValue(HistoryRequest::kMaxLimit + 1) << "\"count\"";
        QTest::newRow("count and columns disagree") << "count" << QJsonValue(9) << "\"dt\"";
        QTest::newRow("no node") << "node" << QJsonValue(QString()) << "node name";
        QTest::newRow("no start time") << "t0" << QJsonValue(QStringLiteral("now")) << "\"t0\"";
    }

    void refused()
    {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        QFETCH(QString, expected);
        QJsonObject json = page(10);
        json.insert(key, value);
        // Through text: NaN and the like arrive as what JSON makes of them.
        const QByteArray line = QJsonDocument(json).toJson(QJsonDocument::Compact);
        const auto got = HistoryPage::fromJson(QJsonDocument::fromJson(line).object());
        QVERIFY(!got);
        QVERIFY2(got.error().contains(expected), qPrintable(got.error()));
        QVERIFY(!got.error().contains(u'\n'));
        QCOMPARE(got.errorCode(), QStringLiteral("bad_history"));
    }

    void garbageObject()
    {
        QVERIFY(!HistoryPage::fromJson(QJsonObject{}));
        QVERIFY(!HistoryPage::fromJson(QJsonDocument::fromJson("{\"node\":[1,2]}").object()));
    }

    void requestRoundTrip()
    {
        HistoryRequest r{QStringLiteral("slave-7"), 1700000000123, 500};
        QJsonObject command = r.toCommand();
        QVERIFY(HistoryRequest::isHistoryRequest(command));
        const auto back = HistoryRequest::fromCommand(command);
        QVERIFY2(back, qPrintable(back.error()));
        QCOMPARE(back->node, r.node);
        QCOMPARE(back->afterMs, r.afterMs);
        QCOMPARE(back->limit, 500);
        command.remove(QStringLiteral("limit"));
        command.remove(QStringLiteral("after_ms"));
        QCOMPARE(HistoryRequest::fromCommand(command)->limit, HistoryRequest::kMaxLimit);
        QCOMPARE(HistoryRequest::fromCommand(command)->afterMs, 0);
        QVERIFY(!HistoryRequest::isHistoryRequest(
            QJsonObject{{QStringLiteral("op"), QStringLiteral("history")}}));
    }

    void requestRefused_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        QTest::newRow("limit 0") << "limit" << QJsonValue(0);
        QTest::newRow("limit too high") << "limit" << QJsonValue(HistoryRequest::kMaxLimit + 1);
        QTest::newRow("limit text") << "limit" << QJsonValue(QStringLiteral("10"));
        QTest::newRow("negative after") << "after_ms" << QJsonValue(-5);
        QTest::newRow("fractional after") << "after_ms" << QJsonValue(1.5);
        QTest::newRow("no node") << "node" << QJsonValue(QJsonValue::Null);
        QTest::newRow("long node") << "node" << QJsonValue(QString(65, u'x'));
    }

    void requestRefused()
    {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        QJsonObject command = HistoryRequest{QStringLiteral("slave-2"), 0, 10}.toCommand();
        command.insert(key, value);
        const auto got = HistoryRequest::fromCommand(command);
        QVERIFY(!got);
        QCOMPARE(got.errorCode(), QStringLiteral("bad_argument"));
    }
};

QTEST_GUILESS_MAIN(TestHistoryPage)
#include "tst_historypage.moc"
