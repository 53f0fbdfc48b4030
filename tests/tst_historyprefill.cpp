// History prefill end to end: the console's window connects to a fake monitor that holds an
// hour of eight slaves and sends one snapshot; without any backlog of snapshots the charts then
// hold the whole hour (first sample an hour before the newest), fetched in pages, with the
// achieved shares right across it. An older monitor (no `history_page`) and a garbage page
// each give one line in the status bar and leave the live view working.
#include "charts/metrichistorychart.h"
#include "charts/pngexport.h"
#include "consolemodel/bridgeclustersource.h"
#include "fakeclustersource.h"
#include "fakemonitor.h"
#include "renderchecks.h"
#include "windows/mainwindow.h"

#include <QApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace starling;
using starling::testing::FakeMonitor;

namespace {

constexpr int kSlaves = 8;
constexpr qint64 kHourMs = 3'600'000;

std::unique_ptr<consolemodel::ClusterSource> bridgeTo(const FakeMonitor &monitor)
{
    consolemodel::BridgeEndpoint e;
    e.host = QStringLiteral("127.0.0.1");
    e.port = monitor.port();
    e.token = monitor.token();
    auto source = std::make_unique<consolemodel::BridgeClusterSource>(
        consolemodel::fixedEndpoint(e), QStringLiteral("tst-prefill"));
    return source;
}

// Sends one live snapshot at `liveMs` once the console is welcomed.
bool sendOnceWelcomed(FakeMonitor &monitor, qint64 liveMs)
{
    if (!QTest::qWaitFor([&] { return monitor.welcomedCount() == 1; }, 10000))
        return false;
    monitor.sendSnapshot(testing::fakeSnapshot(kSlaves, 1, liveMs).toJson());
    return true;
}

} // namespace

class TestHistoryPrefill final : public QObject
{
    Q_OBJECT

private slots:
    void anHourOnScreenAtConnect()
    {
        const qint64 end = QDateTime::currentMSecsSinceEpoch();
        FakeMonitor monitor(QByteArray(64, 'a'));
        QVERIFY(monitor.listen());
        monitor.setHistory(testing::syntheticHistory(kSlaves, end, kHourMs, 1000));
        ui::MainWindow window;
        window.resize(1400, 900);
        QSignalSpy shown(&window, &ui::MainWindow::historyDisplayed);
        window.adoptSource(bridgeTo(monitor));
        QVERIFY(sendOnceWelcomed(monitor, end + 250));
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 20000);

        const consolemodel::NodeHistory &history = window.history();
        // The console keeps an hour back from its newest sample: the monitor's samples from
        // there on (one a second) are merged.
        const qint64 first = end - kHourMs + 1000;
        QCOMPARE(history.firstMs(), first);
        QCOMPARE(history.lastMs(), end + 250);
        QCOMPARE(shown.first().at(0).toLongLong(), first);
        QCOMPARE(shown.first().at(1).toLongLong(), end + 250);
        for (int rank = 2; rank < 2 + kSlaves; ++rank)
            QCOMPARE(history.sampleCount(rank), 3600 + 1);
        // Two pages a slave (3601 samples, 2000 a page), and nothing asked twice.
        QCOMPARE(monitor.historyRequests(), 2 * kSlaves);
        QCOMPARE(window.snapshotsReceived(), 1);

        window.setTimeWindow(kHourMs);
        window.refreshNow();
        ui::MetricHistoryChart *cpu = window.chart(consolemodel::Metric::Cpu);
        QVERIFY(cpu);
        const QList<QPointF> points = cpu->points(2);
        QVERIFY(points.size() > 100);
        QCOMPARE(points.first().x(), double(first));
        QCOMPARE(points.last().x(), double(end + 250));

        // slave-(2+i) did (i + 1) tasks a second all hour: shares 1/36 .. 8/36.
        for (int i = 0; i < kSlaves; ++i)
            QVERIFY(std::abs(history.achievedShare(2 + i, first) - (i + 1) / 36.0) < 1e-9);

        // A reconnect asks again, and merges nothing already held.
        monitor.dropAll();
        QVERIFY(sendOnceWelcomed(monitor, end + 500));
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 2, 20000);
        QCOMPARE(monitor.historyRequests(), 4 * kSlaves);
        for (int rank = 2; rank < 2 + kSlaves; ++rank)
            QCOMPARE(history.sampleCount(rank), 3600 + 2);
        QCOMPARE(history.firstMs(), first);

        if (const QByteArray dir = qgetenv("STARLING_PREFILL_PNG_DIR"); !dir.isEmpty()) {
            const QString base = QString::fromLocal8Bit(dir);
            QVERIFY(
                ui::saveWidgetPng(&window, window.size(), base + u"/prefill-light.png").isEmpty());
            window.setPalette(testing::darkPalette(window.palette()));
            window.refreshNow();
            QVERIFY(
                ui::saveWidgetPng(&window, window.size(), base + u"/prefill-dark.png").isEmpty());
        }
    }

    // A monitor with the smallest client buffer (64 KiB) answers in short pages: the console
    // follows `more` through all of them, and the whole hour arrives without a complaint.
    void shortPagesStillBringTheHour()
    {
        const qint64 end = 1'700'000'000'000;
        FakeMonitor monitor(QByteArray(64, 'd'));
        QVERIFY(monitor.listen());
        monitor.setHistory(testing::syntheticHistory(2, end, kHourMs, 1000));
        const int perPage = bridge::HistoryPage::maxSamplesFor(65536);
        monitor.setPageLimit(perPage);
        ui::MainWindow window;
        QSignalSpy shown(&window, &ui::MainWindow::historyDisplayed);
        window.adoptSource(bridgeTo(monitor));
        QSignalSpy failed(window.source(), &consolemodel::ClusterSource::historyFailed);
        QVERIFY(QTest::qWaitFor([&] { return monitor.welcomedCount() == 1; }, 10000));
        monitor.sendSnapshot(testing::fakeSnapshot(2, 1, end + 250).toJson());
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 20000);
        const int pages = (3600 + 1 + perPage - 1) / perPage;
        QVERIFY(pages > 64); // more than the console used to follow
        QCOMPARE(monitor.historyRequests(), 2 * pages);
        for (int rank = 2; rank < 4; ++rank)
            QCOMPARE(window.history().sampleCount(rank), 3600 + 1);
        QCOMPARE(window.history().firstMs(), end - kHourMs + 1000);
        QCOMPARE(failed.count(), 0);
    }

    void olderMonitorSaysSoOnce()
    {
        FakeMonitor monitor(QByteArray(64, 'b'));
        QVERIFY(monitor.listen());
        monitor.answer = [](const QJsonObject &) {
            return QJsonObject{{QStringLiteral("code"), QStringLiteral("unknown_op")},
                               {QStringLiteral("message"), QStringLiteral("unknown op")}};
        };
        ui::MainWindow window;
        window.adoptSource(bridgeTo(monitor));
        auto *source = window.source();
        QSignalSpy failed(source, &consolemodel::ClusterSource::historyFailed);
        QSignalSpy received(source, &consolemodel::ClusterSource::historyReceived);
        QVERIFY(sendOnceWelcomed(monitor, 1'700'000'000'000));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("older version")));
        QCOMPARE(window.lastAnswer(), failed.first().first().toString());
        QCOMPARE(received.count(), 0);
        // At most the first few requests went out; the rest of the batch was never sent.
        QVERIFY(monitor.commands().size() <= 4);
        QCOMPARE(window.history().sampleCount(2), 1); // the live snapshot
    }

    void garbagePageIsRefusedTheRestArrives()
    {
        const qint64 end = 1'700'000'000'000;
        FakeMonitor monitor(QByteArray(64, 'c'));
        QVERIFY(monitor.listen());
        // slave-4's page comes back with a column cut short; answered by the test, not the
        // fake's history.
        const auto good = testing::syntheticHistory(kSlaves, end, 60'000, 1000);
        monitor.answer = [&good](const QJsonObject &command) {
            const auto r = bridge::HistoryRequest::fromCommand(command);
            QJsonObject page = bridge::HistoryPage{r->node, good.at(r->node), false}.toJson();
            if (r->node == QLatin1String("slave-4"))
                page.insert(QStringLiteral("cpu"), QJsonArray{0.5});
            return QJsonObject{{QStringLiteral("result"), page}};
        };
        ui::MainWindow window;
        QSignalSpy shown(&window, &ui::MainWindow::historyDisplayed);
        window.adoptSource(bridgeTo(monitor));
        QSignalSpy failed(window.source(), &consolemodel::ClusterSource::historyFailed);
        QVERIFY(sendOnceWelcomed(monitor, end + 250));
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 5000);
        QVERIFY2(failed.first().first().toString().startsWith(
                     QStringLiteral("history of slave-4 from the monitor rejected")),
                 qPrintable(failed.first().first().toString()));
        QCOMPARE(window.lastAnswer(), failed.first().first().toString());
        QCOMPARE(window.history().sampleCount(4), 1);
        QCOMPARE(window.history().sampleCount(5), 61 + 1);
    }
};

QTEST_MAIN(TestHistoryPrefill)
#include "tst_historyprefill.moc"
