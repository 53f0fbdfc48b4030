// Fair share on the master's JobBoard (issue 16, "Fairness"): which queued job starts next when
// several submitters wait (start-time fair queuing by estimated work, FIFO within a submitter,
// no credit banked while idle), the per-submitter quotas of queue slots and budget bytes, the
// spool keeping submitters across a restart, and what a valid submitter name is.
#include "jobs/jobboard.h"
#include "jobs/submittername.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <vector>

using namespace starling;
using jobs::JobBoard;
using jobs::SubmitterName;

namespace {

const QString kAlice = QStringLiteral("alice");
const QString kBob = QStringLiteral("bob");

jobs::JobSpec grey()
{
    jobs::JobSpec s;
    s.op = *image::ImageOp::make(QStringLiteral("grey"), {}, {});
    s.tasks = 4;
    return s;
}

// Work = input bytes x the op's relative cost: a picture of `rows` rows weighs `rows` units.
image::ImageBuffer picture(int rows)
{
    return image::ImageBuffer::allocate(10, rows, 1);
}

QString submit(JobBoard &board, const QString &who, int rows = 10)
{
    const auto id = board.submit(grey(), picture(rows), 1, who);
    return id ? *id : QString();
}

jobs::JobOutcome done()
{
    jobs::JobOutcome o;
    o.output = picture(1);
    return o;
}

// Starts and finishes jobs until none is left; their ids in the order they started.
QStringList drain(JobBoard &board)
{
    QStringList started;
    for (int i = 0; i < 10000; ++i) { // bounded: the queue is far shorter
        const auto running = board.startNext(10);
        if (!running)
            break;
        started << running->id;
        board.finish(running->id, done(), 11);
    }
    return started;
}

} // namespace

class TestJobFairness : public QObject
{
    Q_OBJECT

private slots:
    void floodDoesNotStarveAnother();
    void weighsJobsByWork();
    void idleSubmitterBanksNothing();
    void jobsAheadFollowsTheFairOrder();
    void queueQuotaPerSubmitter();
    void byteQuotaPerSubmitter();
    void restoreKeepsSubmittersAndOrder();
    void listAndStatusShowSubmitter();
    void submitterNames_data();
    void submitterNames();
    void submitterFromQuery();
};

void TestJobFairness::floodDoesNotStarveAnother()
{
    JobBoard board({2000, 32, qint64(1) << 30, 1000});
    std::vector<QString> flood;
    for (int i = 0; i < 1000; ++i)
        flood.push_back(submit(board, kAlice));
    QVERIFY(!flood.back().isEmpty());
    const QString bobs = submit(board, kBob);
    QVERIFY(!bobs.isEmpty());
    QCOMPARE(board.startNext(2)->id, flood[0]); // it was first
    board.finish(flood[0], done(), 3);
    QCOMPARE(board.startNext(4)->id, bobs); // FIFO would start alice's 999 others first
}

void TestJobFairness::weighsJobsByWork()
{
    JobBoard board({64, 32});
    const QString big1 = submit(board, kAlice, 100);
    const QString big2 = submit(board, kAlice, 100);
    QStringList small;
    for (int i = 0; i < 10; ++i)
        small << submit(board, kBob, 10); // ten jobs, together as much work as one big one
    const QStringList order = drain(board);
    // The big one started first (no one had been served); then bob's ten are worth one big
    // job, all served before alice's second.
    QCOMPARE(order, QStringList{big1} + small + QStringList{big2});

    // Turned around: a big job does not wait behind the whole of a stream of small ones.
    JobBoard other({64, 32});
    QStringList smalls;
    for (int i = 0; i < 10; ++i)
        smalls << submit(other, kBob, 10);
    const QString big = submit(other, kAlice, 100);
    const QStringList second = drain(other);
    QCOMPARE(second.indexOf(big), 1); // after bob's first, not after all ten
}

void TestJobFairness::idleSubmitterBanksNothing()
{
    JobBoard board({64, 32});
    for (int i = 0; i < 5; ++i)
        submit(board, kAlice);
    QCOMPARE(drain(board).size(), 5); // alice alone: bob asked for nothing meanwhile
    QStringList alice;
    QStringList bob;
    for (int i = 0; i < 3; ++i)
        alice << submit(board, kAlice);
    for (int i = 0; i < 3; ++i)
        bob << submit(board, kBob);
    // Bob comes in at the current virtual time: one turn each, not three for bob first.
    QCOMPARE(drain(board), (QStringList{bob[0], alice[0], bob[1], alice[1], bob[2], alice[2]}));
}

void TestJobFairness::jobsAheadFollowsTheFairOrder()
{
    JobBoard board({64, 32});
    QStringList alice;
    for (int i = 0; i < 8; ++i)
        alice << submit(board, kAlice);
    const QString bob = submit(board, kBob);
    QVERIFY(board.startNext(1));
    QCOMPARE(board.status(bob)->value(u"jobs_ahead").toInt(), 1);      // the running one
    QCOMPARE(board.status(alice[1])->value(u"jobs_ahead").toInt(), 2); // and bob's
    QCOMPARE(board.status(alice[7])->value(u"jobs_ahead").toInt(), 8);
}

void TestJobFairness::queueQuotaPerSubmitter()
{
    JobBoard board({16, 32, qint64(1) << 30, 3});
    for (int i = 0; i < 3; ++i)
        QVERIFY(!submit(board, kAlice).isEmpty());
    const auto refused = board.submit(grey(), picture(10), 1, kAlice);
    QCOMPARE(refused.errorCode(), QStringLiteral("submitter_quota"));
    auto upload = board.reserve(100, kAlice);
    QCOMPARE(upload.errorCode(), QStringLiteral("submitter_quota")); // uploads count too
    for (int i = 0; i < 3; ++i)
        QVERIFY(!submit(board, kBob).isEmpty()); // bob is never refused for alice's flood
    QVERIFY(board.startNext(2));                 // alice's first: one slot free again
    auto reserved = board.reserve(100, kAlice);
    QVERIFY(reserved);
    QCOMPARE(board.reserve(0, kAlice).errorCode(), QStringLiteral("submitter_quota"));
    {
        const jobs::JobReservation dropped = std::move(reserved).value();
    }
    QVERIFY(board.reserve(0, kAlice)); // a dropped upload gives its slot back
}

void TestJobFairness::byteQuotaPerSubmitter()
{
    // 1000 bytes, half of them per submitter; a 10x20 grey job charges 400 (input + output).
    JobBoard board({16, 32, 1000, 16, 0.5});
    QVERIFY(!submit(board, kAlice, 20).isEmpty());
    const auto second = board.submit(grey(), picture(20), 1, kAlice);
    QCOMPARE(second.errorCode(), QStringLiteral("submitter_quota"));
    QVERIFY(!submit(board, kBob, 20).isEmpty()); // bob's share is untouched
    // One job alone may pass the share (it would never run otherwise) but not the budget.
    JobBoard alone({16, 32, 1000, 16, 0.1});
    QVERIFY(!submit(alone, kAlice, 20).isEmpty());
    QCOMPARE(alone.submit(grey(), picture(5), 1, kAlice).errorCode(),
             QStringLiteral("submitter_quota"));
    QVERIFY(!submit(alone, kBob, 20).isEmpty());
}

void TestJobFairness::restoreKeepsSubmittersAndOrder()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    jobs::JobSpool spool(dir.filePath(QStringLiteral("jobs")));
    QStringList before;
    {
        JobBoard board({64, 32});
        board.setSpool(&spool);
        for (int i = 0; i < 4; ++i)
            submit(board, kAlice);
        submit(board, kBob);
        submit(board, kBob);
        // The order it would start them in, from each job's place in line.
        const QJsonArray jobs = board.list();
        before.resize(jobs.size());
        for (const QJsonValue &job : jobs) {
            const QString id = job.toObject().value(u"id").toString();
            before[board.status(id)->value(u"jobs_ahead").toInt()] = id;
        }
    }
    QStringList warnings;
    JobBoard restarted({64, 32});
    for (jobs::JobSpool::Entry &entry : spool.load(warnings))
        restarted.restore(std::move(entry));
    QVERIFY(warnings.isEmpty());
    QCOMPARE(restarted.status(before[1])->value(u"submitter").toString(), kBob);
    QCOMPARE(restarted.status(before[0])->value(u"submitter").toString(), kAlice);
    QCOMPARE(drain(restarted), before); // alice, bob, alice, bob, alice, alice
}

void TestJobFairness::listAndStatusShowSubmitter()
{
    JobBoard board({64, 32});
    const QString id = submit(board, QStringLiteral("ci-bot@build.example"));
    QCOMPARE(board.status(id)->value(u"submitter").toString(),
             QStringLiteral("ci-bot@build.example"));
    QCOMPARE(board.list().first().toObject().value(u"submitter").toString(),
             QStringLiteral("ci-bot@build.example"));
}

void TestJobFairness::submitterNames_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("plain") << QByteArray("alice") << true;
    QTest::newRow("all classes") << QByteArray("A-z_0.9@x") << true;
    QTest::newRow("64") << QByteArray(64, 'a') << true;
    QTest::newRow("65") << QByteArray(65, 'a') << false;
    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("space") << QByteArray("a b") << false;
    QTest::newRow("slash") << QByteArray("../x") << false;
    QTest::newRow("quote") << QByteArray("a\"b") << false;
    QTest::newRow("newline") << QByteArray("a\nb") << false;
    QTest::newRow("nul") << QByteArray("a\0b", 3) << false;
    QTest::newRow("utf-8") << QByteArray("j\xc3\xb6rg") << false;
    QTest::newRow("colon") << QByteArray("::1") << false; // addresses are not names
}

void TestJobFairness::submitterNames()
{
    QFETCH(QByteArray, name);
    QFETCH(bool, valid);
    QCOMPARE(SubmitterName::isValid(name), valid);
    const auto read =
        SubmitterName::fromQuery({{"op", "grey"}, {"submitter", name}}, QStringLiteral("10.0.0.1"));
    QCOMPARE(bool(read), valid);
    if (!valid)
        QCOMPARE(read.errorCode(), QStringLiteral("bad_request"));
}

void TestJobFairness::submitterFromQuery()
{
    QCOMPARE(*SubmitterName::fromQuery({{"op", "grey"}}, QStringLiteral("10.0.0.7")),
             QStringLiteral("10.0.0.7"));
    const auto twice =
        SubmitterName::fromQuery({{"submitter", "a"}, {"submitter", "b"}}, QString());
    QCOMPARE(twice.errorCode(), QStringLiteral("bad_request"));
    const auto rest = SubmitterName::withoutSubmitter({{"op", "grey"}, {"submitter", "a"}});
    QCOMPARE(rest.size(), 1);
    QCOMPARE(rest.first().first, QByteArray("op"));
    QVERIFY(SubmitterName::isStorable(u"fe80::1%eth0"));
    QVERIFY(!SubmitterName::isStorable(u"a/b"));
}

QTEST_GUILESS_MAIN(TestJobFairness)
#include "tst_jobfairness.moc"
