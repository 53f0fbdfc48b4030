// FailureDetector: missed heartbeats turn a node SUSPECT, then DOWN; a heartbeat brings it back.
// The detector reads no clock, so every time here is an explicit monotonic millisecond value.
#include "cluster/failuredetector.h"

#include <QTest>

#include <stdexcept>

using namespace starling::cluster;

Q_DECLARE_METATYPE(starling::cluster::Liveness)

// The cluster enums are compared by name: QCOMPARE would pick their QString toString() by
// argument-dependent lookup and fail to compile, and the names read better in a failure.

namespace {

constexpr qint64 kSuspect = 3000;
constexpr qint64 kDown = 8000;
constexpr qint64 kStart = 100000; // an arbitrary monotonic origin, not 0

} // namespace

class TestFailureDetector : public QObject
{
    Q_OBJECT

private slots:
    void livenessNames_data();
    void livenessNames();
    void constructorRejects_data();
    void constructorRejects();
    void verdictAtSilence_data();
    void verdictAtSilence();
    void evaluateReportsEachChangeOnce();
    void jumpStraightToDown();
    void neverMovesBackwardsByItself();
    void heartbeatBringsBack_data();
    void heartbeatBringsBack();
    void heartbeatWhileAliveRestartsSilence();
    void lateHeartbeatDoesNotRewindClock();
    void watchGivesGracePeriod();
    void unknownRank();
    void heartbeatFromUnknownRankStartsWatching();
    void changesInRankOrder();
};

void TestFailureDetector::livenessNames_data()
{
    QTest::addColumn<Liveness>("liveness");
    QTest::addColumn<QString>("name");
    QTest::newRow("alive") << Liveness::Alive << QStringLiteral("alive");
    QTest::newRow("suspect") << Liveness::Suspect << QStringLiteral("suspect");
    QTest::newRow("down") << Liveness::Down << QStringLiteral("down");
}

void TestFailureDetector::livenessNames()
{
    QFETCH(Liveness, liveness);
    QFETCH(QString, name);
    QCOMPARE(toString(liveness), name);
}

void TestFailureDetector::constructorRejects_data()
{
    QTest::addColumn<qint64>("suspectAfterMs");
    QTest::addColumn<qint64>("downAfterMs");
    QTest::newRow("suspect 0") << qint64(0) << qint64(10);
    QTest::newRow("suspect negative") << qint64(-1) << qint64(10);
    QTest::newRow("down == suspect") << qint64(10) << qint64(10);
    QTest::newRow("down < suspect") << qint64(10) << qint64(9);
    QTest::newRow("both 0") << qint64(0) << qint64(0);
    QTest::newRow("down negative") << qint64(10) << qint64(-5);
}

void TestFailureDetector::constructorRejects()
{
    QFETCH(qint64, suspectAfterMs);
    QFETCH(qint64, downAfterMs);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, FailureDetector(suspectAfterMs, downAfterMs));
    // The smallest valid pair is accepted.
    FailureDetector ok(1, 2);
    QCOMPARE(toString(ok.liveness(2)), toString(Liveness::Alive));
}

void TestFailureDetector::verdictAtSilence_data()
{
    QTest::addColumn<qint64>("silentMs");
    QTest::addColumn<Liveness>("expected");
    QTest::newRow("just watched") << qint64(0) << Liveness::Alive;
    QTest::newRow("one ms before suspect") << kSuspect - 1 << Liveness::Alive;
    QTest::newRow("exactly suspect") << kSuspect << Liveness::Suspect;
    QTest::newRow("one ms after suspect") << kSuspect + 1 << Liveness::Suspect;
    QTest::newRow("one ms before down") << kDown - 1 << Liveness::Suspect;
    QTest::newRow("exactly down") << kDown << Liveness::Down;
    QTest::newRow("long after down") << kDown * 100 << Liveness::Down;
}

void TestFailureDetector::verdictAtSilence()
{
    QFETCH(qint64, silentMs);
    QFETCH(Liveness, expected);
    FailureDetector detector(kSuspect, kDown);
    detector.watch(2, kStart);
    const auto changes = detector.evaluate(kStart + silentMs);
    QCOMPARE(toString(detector.liveness(2)), toString(expected));
    QCOMPARE(detector.silenceMs(2, kStart + silentMs), silentMs);
    if (expected == Liveness::Alive) {
        QVERIFY(changes.empty());
    } else {
        QCOMPARE(changes.size(), size_t(1));
        QCOMPARE(changes[0].rank, 2);
        QCOMPARE(toString(changes[0].from), toString(Liveness::Alive));
        QCOMPARE(toString(changes[0].to), toString(expected));
        QCOMPARE(changes[0].silentMs, silentMs);
    }
}

void TestFailureDetector::evaluateReportsEachChangeOnce()
{
    FailureDetector detector(kSuspect, kDown);
    detector.watch(3, kStart);
    QVERIFY(detector.evaluate(kStart + 1000).empty());

    auto changes = detector.evaluate(kStart + kSuspect);
    QCOMPARE(changes.size(), size_t(1));
    QCOMPARE(toString(changes[0].from), toString(Liveness::Alive));
    QCOMPARE(toString(changes[0].to), toString(Liveness::Suspect));
    QCOMPARE(changes[0].silentMs, kSuspect);
    // Still SUSPECT on later evaluations: nothing new to report.
    QVERIFY(detector.evaluate(kStart + kSuspect).empty());
    QVERIFY(detector.evaluate(kStart + kDown - 1).empty());
    QCOMPARE(toString(detector.liveness(3)), toString(Liveness::Suspect));

    changes = detector.evaluate(kStart + kDown + 5);
    QCOMPARE(changes.size(), size_t(1));
    QCOMPARE(changes[0].rank, 3);
    QCOMPARE(toString(changes[0].from), toString(Liveness::Suspect));
    QCOMPARE(toString(changes[0].to), toString(Liveness::Down));
    QCOMPARE(changes[0].silentMs, kDown + 5);
    QVERIFY(detector.evaluate(kStart + kDown + 6).empty());
    QVERIFY(detector.evaluate(kStart + 10 * kDown).empty());
    QCOMPARE(toString(detector.liveness(3)), toString(Liveness::Down));
}

void TestFailureDetector::jumpStraightToDown()
{
    // A monitor that did not evaluate for a while reports one change, ALIVE -> DOWN.
    FailureDetector detector(kSuspect, kDown);
    detector.watch(2, kStart);
    const auto changes = detector.evaluate(kStart + kDown + 1);
    QCOMPARE(changes.size(), size_t(1));
    QCOMPARE(toString(changes[0].from), toString(Liveness::Alive));
    QCOMPARE(toString(changes[0].to), toString(Liveness::Down));
    QCOMPARE(changes[0].silentMs, kDown + 1);
    QCOMPARE(toString(detector.liveness(2)), toString(Liveness::Down));
}

void TestFailureDetector::neverMovesBackwardsByItself()
{
    FailureDetector detector(kSuspect, kDown);
    detector.watch(2, kStart);
    QCOMPARE(detector.evaluate(kStart + kDown).size(), size_t(1));
    QCOMPARE(toString(detector.liveness(2)), toString(Liveness::Down));
    // An evaluation at an earlier time (a clock read out of order) computes a shorter silence,
    // but only a heartbeat may bring the node back.
    QVERIFY(detector.evaluate(kStart).empty());
    QCOMPARE(toString(detector.liveness(2)), toString(Liveness::Down));
    QVERIFY(detector.evaluate(kStart + kSuspect).empty());
    QCOMPARE(toString(detector.liveness(2)), toString(Liveness::Down));
}

void TestFailureDetector::heartbeatBringsBack_data()
{
    QTest::addColumn<qint64>("silentMs");
    QTest::addColumn<Liveness>("from");
    QTest::newRow("from suspect") << kSuspect + 250 << Liveness::Suspect;
    QTest::newRow("from down") << kDown + 4000 << Liveness::Down;
}

void TestFailureDetector::heartbeatBringsBack()
{
    QFETCH(qint64, silentMs);
    QFETCH(Liveness, from);
    FailureDetector detector(kSuspect, kDown);
    detector.watch(4, kStart);
    QCOMPARE(detector.evaluate(kStart + silentMs).size(), size_t(1));
    QCOMPARE(toString(detector.liveness(4)), toString(from));

    const std::int64_t heardAt = kStart + silentMs + 17;
    const auto change = detector.heartbeat(4, heardAt);
    QVERIFY(change.has_value());
    QCOMPARE(change->rank, 4);
    QCOMPARE(toString(change->from), toString(from));
    QCOMPARE(toString(change->to), toString(Liveness::Alive));
    QCOMPARE(change->silentMs, silentMs + 17);
    QCOMPARE(toString(detector.liveness(4)), toString(Liveness::Alive));
    QCOMPARE(detector.silenceMs(4, heardAt), qint64(0));

    // Reported once: the next heartbeat and the next evaluation have nothing to say.
    QVERIFY(!detector.heartbeat(4, heardAt + 500).has_value());
    QVERIFY(detector.evaluate(heardAt + 500).empty());
    // The silence counts from the latest heartbeat again.
    QVERIFY(detector.evaluate(heardAt + 500 + kSuspect - 1).empty());
    const auto again = detector.evaluate(heardAt + 500 + kSuspect);
    QCOMPARE(again.size(), size_t(1));
    QCOMPARE(toString(again[0].from), toString(Liveness::Alive));
    QCOMPARE(toString(again[0].to), toString(Liveness::Suspect));
}

void TestFailureDetector::heartbeatWhileAliveRestartsSilence()
{
    FailureDetector detector(kSuspect, kDown);
    detector.watch(2, kStart);
    // Heartbeats every 2 s keep it alive forever.
    for (std::int64_t t = kStart + 2000; t <= kStart + 20000; t += 2000) {
        QVERIFY(!detector.heartbeat(2, t).has_value());
        QVERIFY(detector.evaluate(t + kSuspect - 1).empty());
        QCOMPARE(toString(detector.liveness(2)), toString(Liveness::Alive));
    }
    QCOMPARE(detector.silenceMs(2, kStart + 20000 + 42), qint64(42));
}

void TestFailureDetector::lateHeartbeatDoesNotRewindClock()
{
    // A heartbeat processed with an older timestamp than one already seen must not make the
    // node look silent for longer.
    FailureDetector detector(kSuspect, kDown);
    detector.watch(2, kStart);
    QVERIFY(!detector.heartbeat(2, kStart + 2000).has_value());
    QVERIFY(!detector.heartbeat(2, kStart + 1000).has_value());
    QCOMPARE(detector.silenceMs(2, kStart + 2000), qint64(0));
    QVERIFY(detector.evaluate(kStart + 2000 + kSuspect - 1).empty());
}

void TestFailureDetector::watchGivesGracePeriod()
{
    FailureDetector detector(kSuspect, kDown);
    // Watched long after the monotonic origin: it counts as heard at watch time, not at 0.
    detector.watch(2, kStart);
    detector.watch(3, kStart + 2000);
    QCOMPARE(toString(detector.liveness(2)), toString(Liveness::Alive));
    QCOMPARE(detector.silenceMs(3, kStart + 2000), qint64(0));

    const auto first = detector.evaluate(kStart + kSuspect);
    QCOMPARE(first.size(), size_t(1));
    QCOMPARE(first[0].rank, 2);
    QCOMPARE(toString(detector.liveness(3)), toString(Liveness::Alive));

    const auto second = detector.evaluate(kStart + 2000 + kSuspect);
    QCOMPARE(second.size(), size_t(1));
    QCOMPARE(second[0].rank, 3);
    QCOMPARE(second[0].silentMs, kSuspect);
}

void TestFailureDetector::unknownRank()
{
    FailureDetector detector(kSuspect, kDown);
    QCOMPARE(toString(detector.liveness(7)), toString(Liveness::Alive));
    QCOMPARE(detector.silenceMs(7, kStart), qint64(-1));
    // Nothing watched, nothing to report, however late.
    QVERIFY(detector.evaluate(kStart + 100 * kDown).empty());
    detector.watch(2, kStart);
    QCOMPARE(detector.silenceMs(7, kStart + kDown), qint64(-1));
    QCOMPARE(detector.evaluate(kStart + kDown).size(), size_t(1));
    QCOMPARE(toString(detector.liveness(7)), toString(Liveness::Alive));
}

void TestFailureDetector::heartbeatFromUnknownRankStartsWatching()
{
    FailureDetector detector(kSuspect, kDown);
    QVERIFY(!detector.heartbeat(5, kStart).has_value());
    QCOMPARE(detector.silenceMs(5, kStart + 10), qint64(10));
    const auto changes = detector.evaluate(kStart + kSuspect);
    QCOMPARE(changes.size(), size_t(1));
    QCOMPARE(changes[0].rank, 5);
    QCOMPARE(toString(changes[0].to), toString(Liveness::Suspect));
}

void TestFailureDetector::changesInRankOrder()
{
    FailureDetector detector(kSuspect, kDown);
    // Watched out of order and at different times; all silent long enough by the evaluation.
    detector.watch(5, kStart + 500);
    detector.watch(2, kStart);
    detector.watch(4, kStart + 100);
    detector.watch(3, kStart + kSuspect); // still in its grace period
    const auto changes = detector.evaluate(kStart + kSuspect + 500);
    QCOMPARE(changes.size(), size_t(3));
    QCOMPARE(changes[0].rank, 2);
    QCOMPARE(changes[1].rank, 4);
    QCOMPARE(changes[2].rank, 5);
    QCOMPARE(changes[0].silentMs, kSuspect + 500);
    QCOMPARE(changes[1].silentMs, kSuspect + 400);
    QCOMPARE(changes[2].silentMs, kSuspect);
    QCOMPARE(toString(detector.liveness(3)), toString(Liveness::Alive));
}

QTEST_GUILESS_MAIN(TestFailureDetector)
#include "tst_failuredetector.moc"
