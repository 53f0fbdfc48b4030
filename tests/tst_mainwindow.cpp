// The console's main window, offscreen, fed by a scripted cluster of 16 slaves: every view
// fills (table, charts, load-rank board, task stream, event log), data that stops arriving is
// greyed as stale, and the operator's drain, weight and strategy actions send exactly the
// commands they should, with the cluster's answers (refusals included) shown.
#include "charts/loadrankboard.h"
#include "charts/metrichistorychart.h"
#include "charts/pngexport.h"
#include "charts/taskstreamchart.h"
#include "fakeclustersource.h"
#include "windows/draindialog.h"
#include "windows/mainwindow.h"
#include "windows/strategydialog.h"
#include "windows/weightdialog.h"

#include <QAction>
#include <QImage>
#include <QJsonArray>
#include <QLabel>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace starling;
using starling::testing::FakeClusterSource;
using starling::testing::fakeSnapshot;

namespace {

constexpr int kSlaves = 16;
constexpr qint64 kT0 = 1700000000000;

void feed(FakeClusterSource &source, int snapshots, int firstSeq = 1)
{
    for (int i = 0; i < snapshots; ++i) {
        const int seq = firstSeq + i;
        source.push(fakeSnapshot(kSlaves, seq, kT0 + 500LL * seq));
    }
}

template<typename Dialog> Dialog *openedDialog(QWidget *parent)
{
    Dialog *dialog = nullptr;
    const bool open = QTest::qWaitFor([&] {
        dialog = parent->findChild<Dialog *>();
        return dialog && dialog->isVisible();
    });
    return open ? dialog : nullptr;
}

} // namespace

class TestMainWindow final : public QObject
{
    Q_OBJECT

private slots:
    void opensWithoutACluster()
    {
        ui::MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.windowTitle().contains(QStringLiteral("Starling")));
        const auto *state = window.findChild<QLabel *>(QStringLiteral("connectionState"));
        QVERIFY(state);
        QVERIFY(state->isVisible());
        QTRY_VERIFY(state->text().contains(QLatin1String("No cluster connected")));
        QVERIFY(!window.drainAction()->isEnabled());
        QVERIFY(!window.strategyAction()->isEnabled());
    }

    void liveFeedFillsEveryView()
    {
        FakeClusterSource source;
        ui::MainWindow window;
        window.setSource(&source);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(source.starts, 1);
        feed(source, 20);
        window.refreshNow();
        QCOMPARE(window.nodeModel().rowCount(), kSlaves + 2);
        QCOMPARE(window.nodeView()->model()->rowCount(), kSlaves + 2);
        QCOMPARE(int(window.history().ranks().size()), kSlaves);
        for (consolemodel::Metric m :
             {consolemodel::Metric::Cpu, consolemodel::Metric::Memory, consolemodel::Metric::TxRate,
              consolemodel::Metric::RxRate, consolemodel::Metric::Load}) {
            ui::MetricHistoryChart *chart = window.chart(m);
            QVERIFY(chart);
            QCOMPARE(chart->seriesCount(), kSlaves);
            QVERIFY2(chart->points(2).size() >= 10, qPrintable(ui::MetricHistoryChart::title(m)));
        }
        // CPU of slave-2 in percent: the last sample is what the feed said.
        const QList<QPointF> cpu = window.chart(consolemodel::Metric::Cpu)->points(2);
        const double lastCpu = fakeSnapshot(kSlaves, 20, 0).nodes[2].stats.processCpu * 100;
        QVERIFY(std::abs(cpu.last().y() - lastCpu) < 1e-4); // the history keeps floats
        QCOMPARE(int(window.loadRankBoard()->rows().size()), kSlaves);
        QCOMPARE(window.loadRankBoard()->rows().front().loadRank, 0);
        QVERIFY(window.statusText().contains(QLatin1String("snapshot #20")));
        QVERIFY(window.statusText().contains(QLatin1String("connected")));
    }

    void staleDataIsGreyedNotShownAsLive()
    {
        FakeClusterSource source;
        ui::MainWindow window;
        window.setStaleAfterMs(300);
        window.setSource(&source);
        window.show();
        feed(source, 3);
        QVERIFY(!window.nodeModel().isStale());
        QTRY_VERIFY_WITH_TIMEOUT(window.nodeModel().isStale(), 5000); // nothing new arrives
        QVERIFY(window.statusText().contains(QLatin1String("STALE")));
        feed(source, 1, 4);
        QVERIFY(!window.nodeModel().isStale());
        source.setLink(consolemodel::LinkState::Disconnected,
                       QStringLiteral("the monitor closed the connection; retrying in 1 s"));
        QTRY_VERIFY(window.nodeModel().isStale());
        QVERIFY(window.statusText().contains(QLatin1String("retrying")));
        QVERIFY(!window.drainAction()->isEnabled()); // no commands into a dead link
    }

    void drainTheSelectedSlaves()
    {
        FakeClusterSource source;
        ui::MainWindow window;
        window.setSource(&source);
        window.show();
        feed(source, 2);
        window.selectNodes(
            {QStringLiteral("slave-3"), QStringLiteral("slave-4"), QStringLiteral("master")});
        QCOMPARE(window.selectedSlaves(),
                 (QStringList{QStringLiteral("slave-3"), QStringLiteral("slave-4")}));
        QVERIFY(window.drainAction()->isEnabled());
        QVERIFY(!window.resumeAction()->isEnabled()); // both are ACTIVE
        window.drainAction()->trigger();
        auto *dialog = openedDialog<ui::DrainDialog>(&window);
        QVERIFY(dialog);
        QCOMPARE(dialog->nodes(), window.selectedSlaves());
        QVERIFY(source.commands.isEmpty()); // nothing before the operator says why
        dialog->setReason(QStringLiteral("rack move"));
        dialog->accept();
        QCOMPARE(source.commands.size(), 2);
        QCOMPARE(source.commands[0].value(u"op").toString(), QStringLiteral("drain"));
        QCOMPARE(source.commands[0].value(u"node").toString(), QStringLiteral("slave-3"));
        QCOMPARE(source.commands[1].value(u"node").toString(), QStringLiteral("slave-4"));
        QCOMPARE(source.commands[1].value(u"reason").toString(), QStringLiteral("rack move"));
        source.ack(source.commands[0], {{QStringLiteral("state"), QStringLiteral("DRAINING")},
                                        {QStringLiteral("assigned"), 1}});
        QVERIFY(window.lastAnswer().contains(QLatin1String("drain slave-3: DRAINING")));
        source.refuse(source.commands[1], QStringLiteral("bad_state"),
                      QStringLiteral("slave-4 is already DRAINING"));
        QVERIFY(window.lastAnswer().contains(QLatin1String("refused (bad_state)")));
        QVERIFY(window.lastAnswer().contains(QLatin1String("already DRAINING")));

        // The next snapshot shows slave-3 draining; its progress is in the status bar.
        cluster::ClusterSnapshot s = fakeSnapshot(kSlaves, 3, kT0 + 1500);
        s.nodes[3].state = cluster::NodeState::Draining;
        s.nodes[3].assigned = 1;
        s.nodes[3].drainEtaS = 2.5;
        source.push(s);
        const auto *drain = window.findChild<QLabel *>(QStringLiteral("drainProgress"));
        QVERIFY(drain->text().contains(QLatin1String("slave-3 draining: 1 in flight")));
        window.selectNodes({QStringLiteral("slave-3")});
        QVERIFY(window.resumeAction()->isEnabled());
        window.resumeAction()->trigger();
        QCOMPARE(source.commands.size(), 3);
        QCOMPARE(source.commands[2].value(u"op").toString(), QStringLiteral("resume"));
    }

    void weightWithAPreviewOfTheShares()
    {
        FakeClusterSource source;
        ui::MainWindow window;
        window.setSource(&source);
        window.show();
        feed(source, 2);
        window.selectNodes({QStringLiteral("slave-2")});
        window.weightAction()->trigger();
        auto *dialog = openedDialog<ui::WeightDialog>(&window);
        QVERIFY(dialog);
        QCOMPARE(dialog->preview()->rowCount(), kSlaves);
        dialog->setWeight(17); // 17 of 32: 53% of new work
        QCOMPARE(dialog->preview()->item(0, 0)->text(), QStringLiteral("slave-2"));
        QCOMPARE(dialog->preview()->item(0, 4)->text(), QStringLiteral("53%"));
        dialog->accept();
        QCOMPARE(source.commands.size(), 1);
        QCOMPARE(source.commands[0].value(u"op").toString(), QStringLiteral("weight"));
        QCOMPARE(source.commands[0].value(u"node").toString(), QStringLiteral("slave-2"));
        QCOMPARE(source.commands[0].value(u"value").toDouble(), 17.0);
    }

    void strategyChange()
    {
        FakeClusterSource source;
        ui::MainWindow window;
        window.setSource(&source);
        window.show();
        feed(source, 1);
        window.strategyAction()->trigger();
        auto *dialog = openedDialog<ui::StrategyDialog>(&window);
        QVERIFY(dialog);
        QCOMPARE(dialog->strategy(), QStringLiteral("pdds"));
        dialog->setStrategy(QStringLiteral("optimal"));
        QVERIFY(!dialog->w1()); // weights only belong to pdds
        dialog->accept();
        QCOMPARE(source.commands.size(), 1);
        QCOMPARE(source.commands[0].value(u"op").toString(), QStringLiteral("strategy"));
        QCOMPARE(source.commands[0].value(u"name").toString(), QStringLiteral("optimal"));
        QVERIFY(!source.commands[0].contains(u"w1"));
    }

    void eventsReachTheLogAndTheTaskStream()
    {
        FakeClusterSource source;
        ui::MainWindow window;
        window.setSource(&source);
        window.show();
        feed(source, 1);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        source.pushEvent({{QStringLiteral("kind"), QStringLiteral("job_started")},
                          {QStringLiteral("job"), QStringLiteral("job-1")},
                          {QStringLiteral("op"), QStringLiteral("blur")},
                          {QStringLiteral("strategy"), QStringLiteral("pdds")},
                          {QStringLiteral("order"), QStringLiteral("dec")},
                          {QStringLiteral("units"), 10},
                          {QStringLiteral("slaves"),
                           QJsonArray{QStringLiteral("slave-2"), QStringLiteral("slave-3")}},
                          {QStringLiteral("planned_shares"), QJsonArray{6, 4}},
                          {QStringLiteral("time_ms"), double(now)}});
        source.pushEvent({{QStringLiteral("kind"), QStringLiteral("strip_assigned")},
                          {QStringLiteral("job"), QStringLiteral("job-1")},
                          {QStringLiteral("chunk"), 0},
                          {QStringLiteral("slave"), QStringLiteral("slave-2")},
                          {QStringLiteral("first_unit"), 0},
                          {QStringLiteral("units"), 6},
                          {QStringLiteral("time_ms"), double(now + 5)}});
        source.pushEvent({{QStringLiteral("kind"), QStringLiteral("node_down")},
                          {QStringLiteral("node"), QStringLiteral("slave-9")},
                          {QStringLiteral("by"), QStringLiteral("detector")},
                          {QStringLiteral("time_ms"), double(now + 6)}});
        // The log keeps the job's start and the failure; the strip's progress is the task
        // stream's to show.
        QCOMPARE(window.eventModel().rowCount(), 2);
        QCOMPARE(window.eventModel().line(0).kind, QStringLiteral("job_started"));
        QCOMPARE(window.eventModel().line(1).kind, QStringLiteral("node_down"));
        QVERIFY(window.activity().currentJob());
        QTRY_VERIFY(window.taskStream()->barCount() >= 1); // the live send bar
    }

    // The fixed-scale button on either chart sets both the CPU and the memory chart.
    void fixedScaleAppliesToBothCharts()
    {
        ui::MainWindow window;
        ui::MetricHistoryChart *cpu = window.chart(consolemodel::Metric::Cpu);
        ui::MetricHistoryChart *memory = window.chart(consolemodel::Metric::Memory);
        QVERIFY(cpu && memory && cpu->scaleToggle() && memory->scaleToggle());
        QVERIFY(!cpu->isFixedScale() && !memory->isFixedScale());
        memory->scaleToggle()->click();
        QVERIFY(cpu->isFixedScale() && memory->isFixedScale());
        QVERIFY(cpu->scaleToggle()->isChecked());
        cpu->scaleToggle()->click();
        QVERIFY(!cpu->isFixedScale() && !memory->isFixedScale());
        QVERIFY(!memory->scaleToggle()->isChecked());
    }

    void rendersWithSixteenSlaves()
    {
        FakeClusterSource source;
        ui::MainWindow window;
        window.setSource(&source);
        window.resize(1400, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        feed(source, 40);
        window.refreshNow();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("console.png"));
        QVERIFY(ui::saveWidgetPng(&window, window.size(), path).isEmpty());
        const QImage image(path);
        QCOMPARE(image.size(), window.size());
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() > 40, qPrintable(QString::number(colours.size())));
        if (const QByteArray copy = qgetenv("STARLING_SCREENSHOT_COPY"); !copy.isEmpty())
            QFile::copy(path, QString::fromLocal8Bit(copy));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
