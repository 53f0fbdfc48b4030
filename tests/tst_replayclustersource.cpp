// ReplayClusterSource plays a recording like a cluster: at the recorded pace times the speed
// (1x-60x, on a test clock, not the wall's), paused, seeking forward at once and back through
// rewound(); read-only (commands answered "replay"); its clock is the recording's.
#include "consolemodel/replayclustersource.h"
#include "fakeclustersource.h"

#include <QSignalSpy>
#include <QTest>

using namespace starling;
using namespace starling::consolemodel;

namespace {

constexpr qint64 kStart = 1700000000000;

// A link record, then a snapshot every 500 ms from 0 to 10 s (21 of them).
Recording snapshotsEvery500Ms()
{
    Recording r;
    r.path = QStringLiteral("test.strec");
    r.header.startMs = kStart;
    r.records.push_back(
        Record::make(0, RecordKind::Link, RecordedLink{LinkState::Connected, {}}.toJson()));
    for (int i = 0; i <= 20; ++i)
        r.records.push_back(
            Record::make(i * 500LL, RecordKind::Snapshot,
                         testing::fakeSnapshot(2, i + 1, kStart + i * 500).toJson()));
    return r;
}

} // namespace

class TestReplayClusterSource : public QObject
{
    Q_OBJECT

private slots:
    void playsAtTheSpeedAskedAndPauses()
    {
        ReplayClusterSource replay(snapshotsEvery500Ms());
        qint64 clock = 0;
        replay.setClock([&clock] { return clock; });
        QSignalSpy snapshots(&replay, &ClusterSource::snapshotReceived);
        replay.start();
        QCOMPARE(snapshots.count(), 1); // the one at 0
        QCOMPARE(replay.linkState(), LinkState::Connected);
        clock += 1000;
        replay.advance();
        QCOMPARE(replay.positionMs(), 1000);
        QCOMPARE(snapshots.count(), 3);
        replay.setSpeed(10);
        clock += 500;
        replay.advance();
        QCOMPARE(replay.positionMs(), 6000);
        QCOMPARE(snapshots.count(), 13);
        QCOMPARE(snapshots.last().first().value<cluster::ClusterSnapshot>().sequence, 13);
        QCOMPARE(replay.nowMs(), kStart + 6000);
        replay.setPaused(true);
        clock += 5000;
        replay.advance();
        QCOMPARE(replay.positionMs(), 6000);
        QCOMPARE(snapshots.count(), 13);
        replay.setPaused(false);
        QCOMPARE(replay.positionMs(), 6000); // the paused time does not count
        clock += 100;
        replay.advance();
        QCOMPARE(replay.positionMs(), 7000);
    }

    // The link as recorded, said as a replay: not the recording machine's path or address.
    void saysItIsAReplayInItsLinkText()
    {
        Recording r = snapshotsEvery500Ms();
        r.path = QStringLiteral("/somewhere/else/demo.strec");
        r.records.front() = Record::make(
            0, RecordKind::Link,
            RecordedLink{LinkState::Connected,
                         QStringLiteral("connected to the cluster in /tmp/x/cluster.json")}
                .toJson());
        ReplayClusterSource replay(std::move(r));
        QSignalSpy links(&replay, &ClusterSource::linkStateChanged);
        replay.start();
        QCOMPARE(links.count(), 1);
        QCOMPARE(links.first().at(1).toString(), QStringLiteral("replay of demo.strec: connected"));
    }

    void speedStaysBetween1And60()
    {
        ReplayClusterSource replay(snapshotsEvery500Ms());
        replay.setSpeed(0.2);
        QCOMPARE(replay.speed(), 1.0);
        replay.setSpeed(500);
        QCOMPARE(replay.speed(), 60.0);
    }

    void endsPausedAtTheEnd()
    {
        ReplayClusterSource replay(snapshotsEvery500Ms());
        qint64 clock = 0;
        replay.setClock([&clock] { return clock; });
        QSignalSpy snapshots(&replay, &ClusterSource::snapshotReceived);
        QSignalSpy finished(&replay, &ReplayClusterSource::finished);
        replay.setSpeed(60);
        replay.start();
        clock += 60000;
        replay.advance();
        QCOMPARE(finished.count(), 1);
        QVERIFY(replay.isPaused());
        QCOMPARE(replay.positionMs(), replay.durationMs());
        QCOMPARE(snapshots.count(), 21);
        // Play again from the end: from the start.
        QSignalSpy rewound(&replay, &ReplayClusterSource::rewound);
        replay.setPaused(false);
        QCOMPARE(rewound.count(), 1);
        QCOMPARE(replay.positionMs(), 0);
    }

    void seeksForwardAtOnceAndBackThroughRewound()
    {
        ReplayClusterSource replay(snapshotsEvery500Ms());
        qint64 clock = 0;
        replay.setClock([&clock] { return clock; });
        replay.setPaused(true);
        QSignalSpy snapshots(&replay, &ClusterSource::snapshotReceived);
        QSignalSpy rewound(&replay, &ReplayClusterSource::rewound);
        replay.seek(2000); // before start: only the position
        QCOMPARE(snapshots.count(), 0);
        replay.start();
        QCOMPARE(snapshots.count(), 5);
        replay.seek(4200);
        QCOMPARE(snapshots.count(), 9);
        QCOMPARE(rewound.count(), 0);
        replay.seek(1000);
        QCOMPARE(rewound.count(), 1);
        QCOMPARE(rewound.first().first().toLongLong(), 1000);
        QCOMPARE(snapshots.count(), 9); // nothing until the views are cleared and it restarts
        QCOMPARE(replay.linkState(), LinkState::Disconnected);
        replay.stop();
        replay.start();
        QCOMPARE(snapshots.count(), 12);
        QCOMPARE(snapshots.last().first().value<cluster::ClusterSnapshot>().sequence, 3);
        replay.seek(99999);
        QCOMPARE(replay.positionMs(), 10000);
        QCOMPARE(snapshots.count(), 30);
    }

    void isReadOnly()
    {
        ReplayClusterSource replay(snapshotsEvery500Ms());
        QVERIFY(!replay.acceptsCommands());
        QVERIFY(!replay.isLive());
        QSignalSpy answers(&replay, &ClusterSource::commandAnswered);
        const QString id = replay.sendCommand({{QStringLiteral("op"), QStringLiteral("drain")}});
        QVERIFY(answers.wait(5000) || answers.count() == 1);
        QCOMPARE(answers.first().at(0).toString(), id);
        QCOMPARE(answers.first().at(1).toBool(), false);
        QCOMPARE(answers.first().at(3).toString(), QStringLiteral("replay"));
    }
};

QTEST_GUILESS_MAIN(TestReplayClusterSource)
#include "tst_replayclustersource.moc"
