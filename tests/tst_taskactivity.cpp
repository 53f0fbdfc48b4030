// The console's picture of task activity from bridge events: a job's strips through sending,
// computing and done (with the master's own phase record), a lost slave's strips marked
// reassigned, a failed job, finished jobs kept for the strategy comparison, and transfers'
// block maps; events that do not fit (garbage, unknown job or chunk, out of range) change
// nothing.
#include "consolemodel/taskactivity.h"

#include <QJsonArray>
#include <QTest>

using namespace starling::consolemodel;

namespace {

constexpr qint64 kT0 = 1700000000000;

QJsonObject ev(const char *kind, QJsonObject fields, qint64 atMs)
{
    fields.insert(QStringLiteral("kind"), QLatin1String(kind));
    fields.insert(QStringLiteral("time_ms"), double(atMs));
    if (!fields.contains(u"job") && QByteArray(kind) != "transfer_planned" &&
        QByteArray(kind) != "transfer_block")
        fields.insert(QStringLiteral("job"), QStringLiteral("job-1"));
    return fields;
}

QJsonObject started(qint64 at = kT0)
{
    return ev("job_started",
              {{QStringLiteral("op"), QStringLiteral("blur")},
               {QStringLiteral("strategy"), QStringLiteral("pdds")},
               {QStringLiteral("order"), QStringLiteral("dec")},
               {QStringLiteral("units"), 10},
               {QStringLiteral("slaves"),
                QJsonArray{QStringLiteral("slave-2"), QStringLiteral("slave-3")}},
               {QStringLiteral("planned_shares"), QJsonArray{6, 4}},
               {QStringLiteral("predicted_makespan_s"), 1.5}},
              at);
}

QJsonObject assigned(int chunk, const char *slave, int first, int units, qint64 at)
{
    return ev("strip_assigned",
              {{QStringLiteral("chunk"), chunk},
               {QStringLiteral("slave"), QLatin1String(slave)},
               {QStringLiteral("first_unit"), first},
               {QStringLiteral("units"), units}},
              at);
}

QJsonObject sent(int chunk, double endS, qint64 at)
{
    return ev("strip_sent",
              {{QStringLiteral("chunk"), chunk}, {QStringLiteral("send_end_s"), endS}}, at);
}

QJsonObject done(int chunk, const char *slave, int units, double s0, double s1, double c0,
                 double c1, double r0, double r1, qint64 at)
{
    return ev("strip_done",
              {{QStringLiteral("chunk"), chunk},
               {QStringLiteral("slave"), QLatin1String(slave)},
               {QStringLiteral("units"), units},
               {QStringLiteral("send_start_s"), s0},
               {QStringLiteral("send_end_s"), s1},
               {QStringLiteral("compute_start_s"), c0},
               {QStringLiteral("compute_end_s"), c1},
               {QStringLiteral("return_start_s"), r0},
               {QStringLiteral("return_end_s"), r1}},
              at);
}

int countPhase(const std::vector<StripBar> &bars, StripBar::Phase phase)
{
    return int(std::count_if(bars.begin(), bars.end(),
                             [&](const StripBar &b) { return b.phase == phase; }));
}

} // namespace

class TestTaskActivity : public QObject
{
    Q_OBJECT

private slots:
    void jobStripsGoThroughTheirPhases()
    {
        TaskActivity a;
        QVERIFY(!a.currentJob());
        QVERIFY(a.apply(started()));
        QVERIFY(a.apply(assigned(0, "slave-2", 0, 6, kT0 + 10)));
        const LiveJob *job = a.currentJob();
        QVERIFY(job);
        QCOMPARE(job->units, 10);
        QCOMPARE(job->slaves, (QStringList{QStringLiteral("slave-2"), QStringLiteral("slave-3")}));
        QCOMPARE(job->predictedS, 1.5);
        QCOMPARE(job->strips.size(), size_t(1));
        QCOMPARE(job->strips[0].state, LiveStrip::State::Sending);

        // Sending: one live send bar up to now.
        auto bars = job->bars(kT0 + 110);
        QCOMPARE(bars.size(), size_t(1));
        QCOMPARE(bars[0].phase, StripBar::Phase::Send);
        QVERIFY(bars[0].live);
        QCOMPARE(bars[0].to, 0.11);

        QVERIFY(a.apply(sent(0, 0.2, kT0 + 200)));
        QVERIFY(a.apply(assigned(1, "slave-3", 6, 4, kT0 + 200)));
        bars = job->bars(kT0 + 500);
        QCOMPARE(countPhase(bars, StripBar::Phase::Send), 2);
        QCOMPARE(countPhase(bars, StripBar::Phase::Compute), 1);

        QVERIFY(a.apply(done(0, "slave-2", 6, 0.01, 0.2, 0.2, 0.9, 0.9, 1.0, kT0 + 1000)));
        QCOMPARE(job->strips[0].state, LiveStrip::State::Done);
        QCOMPARE(job->strips[0].computeEnd, 0.9);
        QCOMPARE(job->unitsDone(), 6);
        QVERIFY(a.apply(sent(1, 0.3, kT0 + 300)));
        QVERIFY(a.apply(done(1, "slave-3", 4, 0.2, 0.3, 0.3, 1.2, 1.2, 1.3, kT0 + 1300)));
        QVERIFY(a.apply(ev("job_done", {{QStringLiteral("makespan_s"), 1.3}}, kT0 + 1300)));
        QCOMPARE(job->state, LiveJob::State::Done);
        QCOMPARE(job->unitsDone(), 10);
        bars = job->bars(kT0 + 99999); // nothing is live once the job ended
        QCOMPARE(countPhase(bars, StripBar::Phase::Return), 2);
        QVERIFY(std::none_of(bars.begin(), bars.end(), [](const StripBar &b) { return b.live; }));
        QCOMPARE(job->elapsedS(kT0 + 99999), 1.3);

        QCOMPARE(a.finishedJobs().size(), size_t(1));
        QCOMPARE(a.finishedJobs().front().label(), QStringLiteral("pdds/dec"));
        QCOMPARE(a.finishedJobs().front().makespanS, 1.3);
        QCOMPARE(a.finishedJobs().front().predictedS, 1.5);
    }

    void lostSlaveAndFailedJob()
    {
        TaskActivity a;
        QVERIFY(a.apply(started()));
        QVERIFY(a.apply(assigned(0, "slave-2", 0, 6, kT0)));
        QVERIFY(a.apply(sent(0, 0.1, kT0 + 100)));
        QVERIFY(a.apply(assigned(1, "slave-3", 6, 4, kT0 + 100)));
        QVERIFY(a.apply(ev(
            "strip_reassigned",
            {{QStringLiteral("slave"), QStringLiteral("slave-2")}, {QStringLiteral("chunks"), 1}},
            kT0 + 2000)));
        const LiveJob *job = a.currentJob();
        QCOMPARE(job->strips[0].state, LiveStrip::State::Reassigned);
        QCOMPARE(job->reassignedChunks, 1);
        QCOMPARE(job->strips[1].state, LiveStrip::State::Sending);
        QCOMPARE(countPhase(job->bars(kT0 + 2100), StripBar::Phase::Reassigned), 1);
        QVERIFY(a.apply(ev("job_failed", {{QStringLiteral("error"), QStringLiteral("boom\nline")}},
                           kT0 + 3000)));
        QCOMPARE(job->state, LiveJob::State::Failed);
        QCOMPARE(job->error, QStringLiteral("boom line"));
        QCOMPARE(job->strips[1].state, LiveStrip::State::Failed);
        QCOMPARE(countPhase(job->bars(kT0 + 5000), StripBar::Phase::Failed), 1);
        QVERIFY(a.finishedJobs().empty()); // a failed job has no makespan to compare
        // After the end, late strip events of that job change nothing.
        QVERIFY(!a.apply(done(1, "slave-3", 4, 0, 0.1, 0.1, 1, 1, 1.1, kT0 + 3100)));
    }

    void eventsThatDoNotFitChangeNothing_data()
    {
        QTest::addColumn<QJsonObject>("event");
        QTest::newRow("no kind") << QJsonObject{{QStringLiteral("job"), QStringLiteral("job-1")}};
        QTest::newRow("other job") << ev("strip_assigned",
                                         {{QStringLiteral("job"), QStringLiteral("job-9")},
                                          {QStringLiteral("chunk"), 5},
                                          {QStringLiteral("slave"), QStringLiteral("slave-2")},
                                          {QStringLiteral("first_unit"), 0},
                                          {QStringLiteral("units"), 1}},
                                         kT0);
        QTest::newRow("unknown slave") << assigned(5, "slave-99", 0, 1, kT0);
        QTest::newRow("duplicate chunk") << assigned(0, "slave-2", 0, 6, kT0);
        QTest::newRow("negative chunk") << assigned(-1, "slave-2", 0, 1, kT0);
        QTest::newRow("zero units") << assigned(7, "slave-2", 0, 0, kT0);
        QTest::newRow("units a string") << ev("strip_assigned",
                                              {{QStringLiteral("chunk"), 8},
                                               {QStringLiteral("slave"), QStringLiteral("slave-2")},
                                               {QStringLiteral("first_unit"), 0},
                                               {QStringLiteral("units"), QStringLiteral("many")}},
                                              kT0);
        QTest::newRow("sent for unknown chunk") << sent(42, 0.1, kT0);
        QTest::newRow("done for unknown chunk")
            << done(42, "slave-2", 1, 0, 0.1, 0.1, 0.2, 0.2, 0.3, kT0);
        QTest::newRow("job_started without slaves")
            << ev("job_started",
                  {{QStringLiteral("units"), 10}, {QStringLiteral("slaves"), QJsonArray{}}}, kT0);
        QTest::newRow("transfer block of no transfer")
            << ev("transfer_block",
                  {{QStringLiteral("transfer_id"), QStringLiteral("t-x")},
                   {QStringLiteral("block"), 0},
                   {QStringLiteral("complete"), true},
                   {QStringLiteral("node"), QStringLiteral("slave-2")}},
                  kT0);
        QTest::newRow("transfer with too many blocks")
            << ev("transfer_planned",
                  {{QStringLiteral("transfer_id"), QStringLiteral("t-y")},
                   {QStringLiteral("blocks"), double(LiveTransfer::kMaxBlocks) + 1}},
                  kT0);
        QTest::newRow("unrelated kind")
            << ev("node_down", {{QStringLiteral("node"), QStringLiteral("slave-2")}}, kT0);
    }

    void eventsThatDoNotFitChangeNothing()
    {
        QFETCH(QJsonObject, event);
        TaskActivity a;
        QVERIFY(a.apply(started()));
        QVERIFY(a.apply(assigned(0, "slave-2", 0, 6, kT0)));
        QVERIFY(!a.apply(event));
        QCOMPARE(a.currentJob()->strips.size(), size_t(1));
        QCOMPARE(a.currentJob()->strips[0].state, LiveStrip::State::Sending);
        QVERIFY(!a.currentTransfer());
    }

    void keepsABoundedNumberOfFinishedJobs()
    {
        TaskActivity a(3);
        for (int j = 0; j < 5; ++j) {
            const QString id = QStringLiteral("job-%1").arg(j);
            QJsonObject s = started(kT0 + j * 10000);
            s.insert(QStringLiteral("job"), id);
            QVERIFY(a.apply(s));
            QVERIFY(a.apply(ev(
                "job_done", {{QStringLiteral("job"), id}, {QStringLiteral("makespan_s"), 1.0 + j}},
                kT0 + j * 10000 + 500)));
        }
        QCOMPARE(a.finishedJobs().size(), size_t(3));
        QCOMPARE(a.finishedJobs().front().id, QStringLiteral("job-2"));
        QCOMPARE(a.finishedJobs().back().makespanS, 5.0);
    }

    void transferBlockMap()
    {
        TaskActivity a(10, 2);
        QVERIFY(a.apply(
            ev("transfer_planned",
               {{QStringLiteral("transfer_id"), QStringLiteral("t-1")},
                {QStringLiteral("path"), QStringLiteral("big.bin")},
                {QStringLiteral("size"), 1000},
                {QStringLiteral("piece_size"), 100},
                {QStringLiteral("blocks"), 10},
                {QStringLiteral("strategy"), QStringLiteral("bw")},
                {QStringLiteral("runs"), QJsonArray{QJsonArray{QStringLiteral("slave-2"), 0, 6},
                                                    QJsonArray{QStringLiteral("slave-3"), 6, 4},
                                                    QJsonArray{QStringLiteral("slave-4"), 8, 9}}}},
               kT0)));
        const LiveTransfer *t = a.currentTransfer();
        QVERIFY(t);
        QCOMPARE(t->plannedOwner,
                 (std::vector<int>{0, 0, 0, 0, 0, 0, 1, 1, 1, 1})); // bad run skipped
        QCOMPARE(t->served, 0);
        const auto block = [](int b, const char *node, bool complete) {
            return ev("transfer_block",
                      {{QStringLiteral("transfer_id"), QStringLiteral("t-1")},
                       {QStringLiteral("block"), b},
                       {QStringLiteral("complete"), complete},
                       {QStringLiteral("node"), QLatin1String(node)}},
                      kT0 + 100 + b);
        };
        QVERIFY(a.apply(block(0, "slave-2", true)));
        QVERIFY(a.apply(
            block(7, "slave-5", true))); // moved to another slave: coloured by who served it
        QVERIFY(!a.apply(block(3, "slave-2", false))); // gave up: not served
        QVERIFY(!a.apply(block(10, "slave-2", true))); // out of range
        QVERIFY(a.apply(block(0, "slave-2", true)));   // again: counted once
        t = a.currentTransfer();
        QCOMPARE(t->served, 2);
        QCOMPARE(t->servedBy[7], int(t->slaves.indexOf(QStringLiteral("slave-5"))));
        QCOMPARE(t->servedBy[3], -1);

        // A newer transfer becomes the current one; only two are kept.
        for (int i = 2; i <= 3; ++i)
            QVERIFY(a.apply(ev("transfer_planned",
                               {{QStringLiteral("transfer_id"), QStringLiteral("t-%1").arg(i)},
                                {QStringLiteral("blocks"), 1}},
                               kT0 + 1000 * i)));
        QCOMPARE(a.currentTransfer()->id, QStringLiteral("t-3"));
        QVERIFY(!a.apply(block(1, "slave-2", true))); // t-1 was dropped
    }
};

QTEST_GUILESS_MAIN(TestTaskActivity)
#include "tst_taskactivity.moc"
