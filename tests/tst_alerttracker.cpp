// Alerts from the console's feed (issue 17): a node turning SUSPECT or DOWN, a drain still
// running past its limit, a failed job and a dropped link are each raised once per episode,
// acknowledged one by one or all at once, and kept within a bound that drops the oldest
// acknowledged alert first. Time comes from a fake clock or the snapshots, never the wall.
#include "consolemodel/alerttracker.h"
#include "fakeclustersource.h"

#include <QSignalSpy>
#include <QTest>

using namespace starling;
using namespace starling::consolemodel;
using starling::testing::fakeSnapshot;

namespace {

constexpr qint64 kT0 = 1700000000000;
constexpr qint64 kMinute = 60 * 1000;

// A 4-slave cluster at `timeMs` with slave-3 (index 3) in `state` since `sinceMs`.
cluster::ClusterSnapshot withSlave3(cluster::NodeState state, qint64 timeMs, qint64 sinceMs = 0,
                                    const QString &reason = {})
{
    static qint64 sequence = 0;
    cluster::ClusterSnapshot s = fakeSnapshot(4, ++sequence, timeMs);
    s.nodes[3].state = state;
    s.nodes[3].stateSinceMs = sinceMs;
    s.nodes[3].stateReason = reason;
    return s;
}

QJsonObject jobFailed(const QString &job, const QString &error, qint64 timeMs)
{
    return {{QStringLiteral("kind"), QStringLiteral("job_failed")},
            {QStringLiteral("job"), job},
            {QStringLiteral("error"), error},
            {QStringLiteral("time_ms"), double(timeMs)}};
}

int countOf(const AlertTracker &tracker, Alert::Kind kind)
{
    return int(std::count_if(tracker.alerts().begin(), tracker.alerts().end(),
                             [kind](const Alert &a) { return a.kind == kind; }));
}

} // namespace

class TestAlertTracker final : public QObject
{
    Q_OBJECT

private slots:
    void suspectOncePerEpisode()
    {
        qint64 now = kT0;
        AlertTracker tracker([&now] { return now; });
        QSignalSpy changed(&tracker, &AlertTracker::changed);
        tracker.addSnapshot(withSlave3(cluster::NodeState::Active, kT0));
        QCOMPARE(tracker.alerts().size(), size_t(0));
        for (int i = 1; i <= 5; ++i) // every snapshot of one episode: one alert
            tracker.addSnapshot(withSlave3(cluster::NodeState::Suspect, kT0 + i * 500, kT0 + 400,
                                           QStringLiteral("no heartbeat for 3.0 s")));
        QCOMPARE(tracker.alerts().size(), size_t(1));
        QCOMPARE(changed.size(), 1);
        const Alert a = tracker.alerts().front();
        QVERIFY(a.kind == Alert::Kind::NodeSuspect);
        QVERIFY(a.severity == Alert::Severity::Warning);
        QCOMPARE(a.subject, QStringLiteral("slave-3"));
        QCOMPARE(a.timeMs, kT0 + 400); // when the node turned, by the cluster's clock
        QCOMPARE(a.reason, QStringLiteral("slave-3 is SUSPECT: no heartbeat for 3.0 s"));
        QVERIFY(!a.acknowledged);
        // Back, then suspect again: a second episode.
        tracker.addSnapshot(withSlave3(cluster::NodeState::Active, kT0 + 4000));
        tracker.addSnapshot(withSlave3(cluster::NodeState::Suspect, kT0 + 5000, kT0 + 4900));
        QCOMPARE(countOf(tracker, Alert::Kind::NodeSuspect), 2);
        QCOMPARE(tracker.alerts().back().reason, QStringLiteral("slave-3 is SUSPECT"));
    }

    void downAfterSuspectIsItsOwnAlert()
    {
        AlertTracker tracker([] { return kT0; });
        tracker.addSnapshot(withSlave3(cluster::NodeState::Suspect, kT0 + 500, kT0));
        tracker.addSnapshot(
            withSlave3(cluster::NodeState::Down, kT0 + 9000, kT0 + 8000, QStringLiteral("exited")));
        tracker.addSnapshot(
            withSlave3(cluster::NodeState::Down, kT0 + 9500, kT0 + 8000, QStringLiteral("exited")));
        QCOMPARE(countOf(tracker, Alert::Kind::NodeSuspect), 1);
        QCOMPARE(countOf(tracker, Alert::Kind::NodeDown), 1);
        const Alert down = tracker.alerts().back();
        QVERIFY(down.severity == Alert::Severity::Critical);
        QCOMPARE(down.reason, QStringLiteral("slave-3 is DOWN: exited"));
        // A node that leaves the snapshot ends its episode; coming back DOWN is news again.
        tracker.addSnapshot(fakeSnapshot(2, 99, kT0 + 10000));
        tracker.addSnapshot(withSlave3(cluster::NodeState::Down, kT0 + 11000, kT0 + 8000));
        QCOMPARE(countOf(tracker, Alert::Kind::NodeDown), 2);
    }

    void drainStuckByTheClusterClock_data()
    {
        QTest::addColumn<qint64>("limitMs");
        QTest::addColumn<qint64>("lastQuietMs"); // drain age of the last snapshot without alert
        QTest::newRow("default 5 min") << qint64(0) << 5 * kMinute - 500;
        QTest::newRow("30 s") << qint64(30000) << qint64(29500);
    }
    void drainStuckByTheClusterClock()
    {
        QFETCH(qint64, limitMs);
        QFETCH(qint64, lastQuietMs);
        qint64 now = 0; // the console's clock is not used when the cluster says when
        AlertTracker tracker([&now] { return now; });
        if (limitMs > 0)
            tracker.setDrainLimitMs(limitMs);
        const qint64 limit = tracker.drainLimitMs();
        const qint64 since = kT0;
        auto draining = [&](qint64 age) {
            cluster::ClusterSnapshot s = withSlave3(cluster::NodeState::Draining, since + age,
                                                    since, QStringLiteral("disk swap"));
            s.nodes[3].assigned = 2;
            s.nodes[3].drainEtaS = 12;
            return s;
        };
        tracker.addSnapshot(draining(0));
        tracker.addSnapshot(draining(lastQuietMs));
        QCOMPARE(countOf(tracker, Alert::Kind::DrainStuck), 0);
        tracker.addSnapshot(draining(limit));
        tracker.addSnapshot(draining(limit + kMinute));
        QCOMPARE(countOf(tracker, Alert::Kind::DrainStuck), 1);
        const Alert a = tracker.alerts().back();
        QCOMPARE(a.subject, QStringLiteral("slave-3"));
        QCOMPARE(a.timeMs, since + limit);
        QVERIFY2(a.reason.startsWith(QStringLiteral("slave-3 still DRAINING after ")),
                 qPrintable(a.reason));
        QVERIFY2(a.reason.contains(QLatin1String("2 tasks in flight")), qPrintable(a.reason));
        QVERIFY2(a.reason.contains(QLatin1String("~12")), qPrintable(a.reason));
        QVERIFY2(a.reason.endsWith(QLatin1String(": disk swap")), qPrintable(a.reason));
        // Drained, then a new drain (another start time): a new episode.
        tracker.addSnapshot(withSlave3(cluster::NodeState::Drained, since + 2 * limit));
        const qint64 again = since + 3 * limit;
        tracker.addSnapshot(withSlave3(cluster::NodeState::Draining, again + limit, again));
        QCOMPARE(countOf(tracker, Alert::Kind::DrainStuck), 2);
    }

    void drainStuckByTheConsoleClockWhenTheStartIsUnknown()
    {
        qint64 now = kT0;
        AlertTracker tracker([&now] { return now; });
        // Snapshot times stand still: only the console's clock can tell the drain's age.
        tracker.addSnapshot(withSlave3(cluster::NodeState::Draining, kT0));
        now += AlertTracker::kDefaultDrainLimitMs - 1;
        tracker.addSnapshot(withSlave3(cluster::NodeState::Draining, kT0));
        QCOMPARE(countOf(tracker, Alert::Kind::DrainStuck), 0);
        now += 1;
        tracker.addSnapshot(withSlave3(cluster::NodeState::Draining, kT0));
        QCOMPARE(countOf(tracker, Alert::Kind::DrainStuck), 1);
        QCOMPARE(tracker.alerts().back().timeMs, now);
        QVERIFY(tracker.alerts().back().reason.contains(QLatin1String("after 5 m 00 s")));
    }

    void failedJobOncePerJob()
    {
        AlertTracker tracker([] { return kT0; });
        tracker.addEvent({{QStringLiteral("kind"), QStringLiteral("job_done")},
                          {QStringLiteral("job"), QStringLiteral("j1")}});
        QCOMPARE(tracker.alerts().size(), size_t(0));
        tracker.addEvent(jobFailed(QStringLiteral("j1"), QStringLiteral("no slave left"), kT0 + 7));
        tracker.addEvent(jobFailed(QStringLiteral("j1"), QStringLiteral("no slave left"), kT0 + 7));
        QCOMPARE(tracker.alerts().size(), size_t(1));
        const Alert a = tracker.alerts().front();
        QVERIFY(a.kind == Alert::Kind::JobFailed);
        QVERIFY(a.severity == Alert::Severity::Critical);
        QCOMPARE(a.subject, QStringLiteral("j1"));
        QCOMPARE(a.timeMs, kT0 + 7);
        QVERIFY2(a.reason.contains(QLatin1String("j1")), qPrintable(a.reason));
        QVERIFY2(a.reason.contains(QLatin1String("no slave left")), qPrintable(a.reason));
        tracker.addEvent(jobFailed(QStringLiteral("j2"), QStringLiteral("x"), 0));
        QCOMPARE(tracker.alerts().back().timeMs, kT0); // no time on the wire: the console's
        // A damaged event still says something, on one bounded line.
        tracker.addEvent({{QStringLiteral("kind"), QStringLiteral("job_failed")},
                          {QStringLiteral("error"), QString(5000, u'\n')}});
        QCOMPARE(tracker.alerts().size(), size_t(3));
        QVERIFY(!tracker.alerts().back().reason.contains(u'\n'));
        QVERIFY(tracker.alerts().back().reason.size() <= 400);
    }

    void linkDropOncePerConnection()
    {
        qint64 now = kT0;
        AlertTracker tracker([&now] { return now; });
        tracker.setLink(LinkState::Connecting, {});
        tracker.setLink(LinkState::Disconnected, QStringLiteral("connection refused"));
        QCOMPARE(tracker.alerts().size(), size_t(0)); // never connected: nothing dropped
        tracker.setLink(LinkState::Connected, {});
        now += 1000;
        tracker.setLink(LinkState::Disconnected, QStringLiteral("the monitor closed the link"));
        tracker.setLink(LinkState::Connecting, {});
        tracker.setLink(LinkState::Disconnected, QStringLiteral("retrying in 2 s"));
        QCOMPARE(tracker.alerts().size(), size_t(1));
        const Alert a = tracker.alerts().front();
        QVERIFY(a.kind == Alert::Kind::LinkDropped);
        QCOMPARE(a.timeMs, kT0 + 1000);
        QCOMPARE(a.reason, QStringLiteral("link to the monitor lost: the monitor closed the link"));
        tracker.setLink(LinkState::Connected, {});
        tracker.setLink(LinkState::Disconnected, {});
        QCOMPARE(countOf(tracker, Alert::Kind::LinkDropped), 2);
    }

    void acknowledgeOneAndAll()
    {
        AlertTracker tracker([] { return kT0; });
        QSignalSpy changed(&tracker, &AlertTracker::changed);
        for (int i = 0; i < 3; ++i)
            tracker.addEvent(jobFailed(QStringLiteral("j%1").arg(i), QStringLiteral("e"), kT0));
        QCOMPARE(tracker.openCount(), 3);
        const qint64 middle = tracker.alerts()[1].id;
        QVERIFY(tracker.acknowledge(middle));
        QVERIFY(!tracker.acknowledge(middle)); // once
        QVERIFY(!tracker.acknowledge(12345));
        QCOMPARE(tracker.openCount(), 2);
        QCOMPARE(changed.size(), 4);
        const std::vector<Alert> open = tracker.openAlerts();
        QCOMPARE(open.size(), size_t(2));
        QCOMPARE(open[0].subject, QStringLiteral("j2")); // newest first
        QCOMPARE(open[1].subject, QStringLiteral("j0"));
        QCOMPARE(tracker.acknowledgeAll(), 2);
        QCOMPARE(tracker.openCount(), 0);
        QCOMPARE(tracker.acknowledgeAll(), 0);
        QCOMPARE(changed.size(), 5);
        QCOMPARE(tracker.alerts().size(), size_t(3)); // acknowledged, still listed
    }

    void boundedOldestAcknowledgedFirst()
    {
        AlertTracker tracker([] { return kT0; });
        tracker.setCapacity(3);
        const auto fail = [&](int i) {
            tracker.addEvent(jobFailed(QStringLiteral("j%1").arg(i), QStringLiteral("e"), kT0));
        };
        fail(0);
        fail(1);
        fail(2);
        tracker.acknowledge(tracker.alerts()[1].id); // j1
        fail(3); // j1 goes, though j0 is older: j0 has not been seen
        QStringList subjects;
        for (const Alert &a : tracker.alerts())
            subjects << a.subject;
        QCOMPARE(subjects,
                 (QStringList{QStringLiteral("j0"), QStringLiteral("j2"), QStringLiteral("j3")}));
        fail(4); // nothing acknowledged: the oldest goes
        subjects.clear();
        for (const Alert &a : tracker.alerts())
            subjects << a.subject;
        QCOMPARE(subjects,
                 (QStringList{QStringLiteral("j2"), QStringLiteral("j3"), QStringLiteral("j4")}));
        for (int i = 5; i < 1000; ++i)
            fail(i);
        QCOMPARE(tracker.alerts().size(), size_t(3));
    }

    void clearForgetsEpisodes()
    {
        AlertTracker tracker([] { return kT0; });
        tracker.addSnapshot(withSlave3(cluster::NodeState::Suspect, kT0));
        tracker.setLink(LinkState::Connected, {});
        tracker.clear();
        QCOMPARE(tracker.alerts().size(), size_t(0));
        tracker.setLink(LinkState::Disconnected, {}); // not connected since the clear
        tracker.addSnapshot(withSlave3(cluster::NodeState::Suspect, kT0));
        QCOMPARE(tracker.alerts().size(), size_t(1));
        QVERIFY(tracker.alerts().front().kind == Alert::Kind::NodeSuspect);
    }
};

QTEST_GUILESS_MAIN(TestAlertTracker)
#include "tst_alerttracker.moc"
