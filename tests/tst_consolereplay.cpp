// Record then replay gives the same views: a session fed to one main window is recorded, and a
// second window replaying the recording shows the same node table, history, event log and task
// activity at the same moments, whether it got there by seeking forward, seeking back or playing
// through; a replay takes no operator actions. The shipped demo recording replays to its end.
#include "charts/pngexport.h"
#include "consolemodel/recordingreader.h"
#include "consolemodel/recordingwriter.h"
#include "consolemodel/replayclustersource.h"
#include "fakeclustersource.h"
#include "recordedsession.h"
#include "windows/mainwindow.h"
#include "windows/replaybar.h"

#include <QAction>
#include <QApplication>
#include <QBuffer>
#include <QComboBox>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QTest>

using namespace starling;
using namespace starling::consolemodel;

namespace {

// Everything the window's models hold, as text: equal text, equal views.
QStringList viewState(const ui::MainWindow &window)
{
    QStringList out;
    const auto cells = [&out](const QAbstractItemModel &m, const QString &name) {
        for (int r = 0; r < m.rowCount(); ++r) {
            QStringList row;
            for (int c = 0; c < m.columnCount(); ++c)
                row.append(m.data(m.index(r, c)).toString());
            out.append(name + QLatin1Char(':') + row.join(QLatin1Char('|')));
        }
    };
    cells(window.nodeModel(), QStringLiteral("node"));
    cells(window.eventModel(), QStringLiteral("event"));
    QBuffer csv;
    csv.open(QIODevice::WriteOnly);
    window.history().writeCsv(csv);
    out.append(QString::fromUtf8(csv.data()).split(QLatin1Char('\n')));
    const TaskActivity &a = window.activity();
    if (const LiveJob *job = a.currentJob())
        out.append(QStringLiteral("job:%1 state %2 strips %3 done %4")
                       .arg(job->id)
                       .arg(int(job->state))
                       .arg(job->strips.size())
                       .arg(job->unitsDone()));
    for (const FinishedJob &j : a.finishedJobs())
        out.append(QStringLiteral("finished:%1 %2").arg(j.id).arg(j.makespanS));
    return out;
}

QString diff(const QStringList &a, const QStringList &b)
{
    for (qsizetype i = 0; i < std::max(a.size(), b.size()); ++i) {
        const QString x = a.value(i), y = b.value(i);
        if (x != y)
            return QStringLiteral("line %1:\n  live:   %2\n  replay: %3").arg(i).arg(x, y);
    }
    return {};
}

constexpr int kSteps = 24;
const int kCheckpoints[] = {3, 9, 14, 17, 23}; // before, in and after the job; the link drop

} // namespace

class TestConsoleReplay : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;
    std::map<int, QStringList> m_live; // the live window's state after each checkpoint step

private slots:
    // The session, fed to a live window while a writer records its source.
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("session.strec"));
        testing::FakeClusterSource source;
        ui::MainWindow live;
        live.setSource(&source);
        auto writer = RecordingWriter::create(m_path, RecordingHeader{});
        QVERIFY2(writer, qPrintable(writer.error()));
        qint64 clock = 0;
        (*writer)->setClock([&clock] { return clock; });
        (*writer)->attach(&source);
        for (int step = 0; step < kSteps; ++step) {
            clock = step * testing::kSessionStepMs;
            testing::pushSessionStep(source, step);
            if (std::find(std::begin(kCheckpoints), std::end(kCheckpoints), step) !=
                std::end(kCheckpoints))
                m_live[step] = viewState(live);
        }
        live.setSource(nullptr);
    }

    void seekingShowsTheViewsAsTheyWere()
    {
        auto recording = readRecording(m_path);
        QVERIFY2(recording, qPrintable(recording.error()));
        ReplayClusterSource replay(std::move(recording).value());
        ui::MainWindow window;
        ui::ReplayBar bar(&replay, &window);
        replay.setPaused(true);
        window.setSource(&replay);
        // Forward, then back (a rewind through the bar), then forward again.
        for (const int step : {3, 14, 23, 9, 17, 3, 23}) {
            replay.seek(step * testing::kSessionStepMs);
            const QString d = diff(m_live.at(step), viewState(window));
            QVERIFY2(d.isEmpty(), qPrintable(QStringLiteral("step %1, %2").arg(step).arg(d)));
        }
        QVERIFY(window.activity().finishedJobs().size() == 1);
        window.setSource(nullptr);
    }

    // Connect... to a live cluster during a replay: the bar goes, and moving its slider (or
    // the replay rewinding) must not put the replay back over the live cluster.
    void aLiveSourceShownAfterAReplayStaysShown()
    {
        auto recording = readRecording(m_path);
        QVERIFY2(recording, qPrintable(recording.error()));
        ReplayClusterSource replay(std::move(recording).value());
        ui::MainWindow window;
        ui::ReplayBar bar(&replay, &window);
        window.addToolBar(Qt::BottomToolBarArea, &bar);
        window.show();
        replay.setPaused(true);
        window.setSource(&replay);
        replay.seek(23 * testing::kSessionStepMs);
        QVERIFY(bar.isVisible());
        // The recorded link drop (step 16) is alerted at the recording's moment, not today's.
        const qint64 start = replay.recording().header.startMs;
        bool dropped = false;
        for (const consolemodel::Alert &a : window.alerts().alerts()) {
            if (a.kind != consolemodel::Alert::Kind::LinkDropped)
                continue;
            dropped = true;
            QVERIFY2(a.timeMs >= start + 16 * testing::kSessionStepMs &&
                         a.timeMs <= start + 23 * testing::kSessionStepMs,
                     qPrintable(QString::number(a.timeMs - start)));
        }
        QVERIFY(dropped);
        testing::FakeClusterSource live;
        window.setSource(&live);
        QVERIFY(!bar.isVisible());
        replay.seek(3 * testing::kSessionStepMs); // back: a rewind
        QVERIFY(window.source() == &live);
        window.setSource(&replay);
        QVERIFY(bar.isVisible());
        window.setSource(nullptr);
    }

    void playingThroughEndsLikeSeeking()
    {
        auto recording = readRecording(m_path);
        QVERIFY2(recording, qPrintable(recording.error()));
        ReplayClusterSource replay(std::move(recording).value());
        qint64 clock = 0;
        replay.setClock([&clock] { return clock; });
        ui::MainWindow window;
        ui::ReplayBar bar(&replay, &window);
        window.setSource(&replay);
        replay.setSpeed(5);
        for (const int step : kCheckpoints) {
            // 5x: a step of 500 ms is 100 ms of (test) wall time.
            while (replay.positionMs() < step * testing::kSessionStepMs) {
                clock += 10;
                replay.advance();
            }
            const QString d = diff(m_live.at(step), viewState(window));
            QVERIFY2(d.isEmpty(), qPrintable(QStringLiteral("step %1, %2").arg(step).arg(d)));
        }
        QVERIFY(replay.atEnd());
        QVERIFY(replay.isPaused());
        QCOMPARE(bar.playAction()->text(), QStringLiteral("Play"));
        window.setSource(nullptr);
    }

    void aReplayTakesNoOperatorActions()
    {
        auto recording = readRecording(m_path);
        QVERIFY2(recording, qPrintable(recording.error()));
        ReplayClusterSource replay(std::move(recording).value());
        ui::MainWindow window;
        ui::ReplayBar bar(&replay, &window);
        window.addToolBar(Qt::BottomToolBarArea, &bar);
        replay.setPaused(true);
        replay.seek(5000);
        // A live window fed the same snapshots at the same moments, to compare staleness with.
        testing::FakeClusterSource fake;
        ui::MainWindow live;
        live.setSource(&fake);
        QObject::connect(&replay, &consolemodel::ClusterSource::snapshotReceived, &fake,
                         &testing::FakeClusterSource::push);
        window.setSource(&replay);
        window.show();
        QCOMPARE(window.source()->linkState(), LinkState::Connected);
        QVERIFY(live.snapshotsReceived() > 0);
        QCOMPARE(live.snapshotsReceived(), window.snapshotsReceived());
        window.selectNodes({QStringLiteral("slave-2"), QStringLiteral("slave-4")});
        QCOMPARE(window.selectedSlaves().size(), 2);
        QVERIFY(!window.drainAction()->isEnabled());
        QVERIFY(!window.resumeAction()->isEnabled());
        QVERIFY(!window.weightAction()->isEnabled());
        QVERIFY(!window.strategyAction()->isEnabled());
        // Paused for longer than the live staleness limit: the live window is greyed, the
        // replay is not.
        window.setStaleAfterMs(1);
        live.setStaleAfterMs(1);
        QTRY_VERIFY_WITH_TIMEOUT((live.refreshNow(), live.nodeModel().isStale()), 10000);
        window.refreshNow();
        QVERIFY(!window.nodeModel().isStale());
        live.setSource(nullptr);
        QCOMPARE(bar.positionText(), QStringLiteral(" 0:05 / 0:11 "));
        // The bar's controls drive the replay.
        bar.speedBox()->setCurrentIndex(bar.speedBox()->findData(30));
        QCOMPARE(replay.speed(), 30.0);
        bar.playAction()->trigger();
        QVERIFY(!replay.isPaused());
        bar.playAction()->trigger();
        QVERIFY(replay.isPaused());
        bar.slider()->setValue(2);
        QCOMPARE(replay.positionMs(), 2000);
        QCOMPARE(window.snapshotsReceived(), 5);
        // Light and dark, to look at: STARLING_SCREENSHOT_DIR=dir.
        const QString shots = qEnvironmentVariable("STARLING_SCREENSHOT_DIR");
        if (!shots.isEmpty()) {
            window.resize(1400, 900);
            window.refreshNow();
            QVERIFY(window.grab().save(shots + QStringLiteral("/replay-light.png")));
            QPalette dark;
            dark.setColor(QPalette::Window, QColor(0x20, 0x22, 0x26));
            dark.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xe8));
            dark.setColor(QPalette::Base, QColor(0x18, 0x1a, 0x1e));
            dark.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xe8));
            dark.setColor(QPalette::Button, QColor(0x30, 0x32, 0x36));
            dark.setColor(QPalette::ButtonText, QColor(0xe8, 0xe8, 0xe8));
            window.setPalette(dark);
            window.refreshNow();
            QVERIFY(window.grab().save(shots + QStringLiteral("/replay-dark.png")));
            window.setPalette(QPalette());
        }
        window.setSource(nullptr);
    }

    void shippedDemoRecordingReplaysToItsEnd()
    {
        const QString path = QStringLiteral(STARLING_RESOURCES_DIR "/recordings/demo.strec");
        auto recording = readRecording(path);
        QVERIFY2(recording, qPrintable(recording.error()));
        QVERIFY2(recording->warning.isEmpty(), qPrintable(recording->warning));
        QVERIFY(recording->durationMs() >= 30000);
        const auto snapshots =
            std::count_if(recording->records.begin(), recording->records.end(),
                          [](const Record &r) { return r.kind == RecordKind::Snapshot; });
        ReplayClusterSource replay(std::move(recording).value());
        qint64 clock = 0;
        replay.setClock([&clock] { return clock; });
        replay.setSpeed(60);
        ui::MainWindow window;
        window.setSource(&replay);
        QSignalSpy finished(&replay, &ReplayClusterSource::finished);
        while (finished.isEmpty() && clock < 3600 * 1000) {
            clock += ReplayClusterSource::kStepMs;
            replay.advance();
        }
        QCOMPARE(finished.count(), 1);
        QCOMPARE(window.snapshotsReceived(), snapshots);
        QVERIFY(window.history().ranks().size() >= 4);
        QVERIFY(window.eventModel().rowCount() > 0);
        window.setSource(nullptr);
    }
};

QTEST_MAIN(TestConsoleReplay)
#include "tst_consolereplay.moc"
