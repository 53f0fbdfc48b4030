// JobBoard: FIFO, one job running at a time, a bounded queue, status JSON through a job's life,
// results encoded once and cached, and retired jobs; ids from the CSPRNG; reservations taken
// before an upload and given back when it fails; the byte budget.
#include "image/imagecodec.h"
#include "jobs/jobboard.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace starling;
using jobs::JobBoard;
using jobs::JobSpec;

namespace {

JobSpec spec(int tasks = 4)
{
    JobSpec s;
    s.op = *image::ImageOp::make(QStringLiteral("grey"), {}, {});
    s.tasks = tasks;
    return s;
}

image::ImageBuffer picture(int w = 6, int h = 5)
{
    image::ImageBuffer img = image::ImageBuffer::allocate(w, h, 1);
    for (qsizetype i = 0; i < img.pixels.size(); ++i)
        img.pixels[i] = char(i);
    return img;
}

std::optional<jobs::JobReservation> reserve(JobBoard &board, qint64 bytes)
{
    auto reserved = board.reserve(bytes);
    if (!reserved)
        return std::nullopt;
    return std::move(reserved).value();
}

jobs::JobOutcome outcome(const image::ImageBuffer &output)
{
    jobs::JobOutcome o;
    o.output = output;
    o.slaves = {{QStringLiteral("slave-2"), 2}};
    jobs::JobChunk c;
    c.units = 4;
    c.state = jobs::JobChunk::State::Done;
    c.record.sendEnd = 0.1;
    c.record.computeEnd = 0.5;
    c.record.returnEnd = 0.6;
    o.chunks = {c};
    o.makespanS = 0.6;
    return o;
}

} // namespace

class TestJobBoard : public QObject
{
    Q_OBJECT

private slots:
    void lifeOfAJob();
    void oneAtATimeInOrder();
    void severalRunningUpToTheOverlap();
    void queueLimit();
    void failedJob();
    void retiresOldJobs();
    void unknownJobs();
    void unguessableIds();
    void validIds_data();
    void validIds();
    void reservationHoldsASlotUntilDropped();
    void budgetCoversInputsOutputsAndResults();
    void budgetDropsFetchedResultsFirst();
    void restoreKeepsSubmissionOrder();
    void countsForMetrics();
};

void TestJobBoard::lifeOfAJob()
{
    JobBoard board({16, 32});
    const auto id = board.submit(spec(), picture(), 1000);
    QVERIFY(id);
    auto status = board.status(*id);
    QVERIFY(status);
    QCOMPARE(status->value(u"state").toString(), QStringLiteral("queued"));
    QCOMPARE(status->value(u"units_total").toInt(), 4);
    QCOMPARE(status->value(u"jobs_ahead").toInt(), 0);
    QCOMPARE(board.result(*id, image::ImageFormat::Png).errorCode(), QStringLiteral("not_done"));

    const auto running = board.startNext(1100);
    QVERIFY(running);
    QCOMPARE(running->id, *id);
    QCOMPARE(running->input->width, 6);
    board.progress(*id, 2, 4);
    status = board.status(*id);
    QCOMPARE(status->value(u"state").toString(), QStringLiteral("running"));
    QCOMPARE(status->value(u"units_done").toInt(), 2);

    const image::ImageBuffer out = picture();
    board.finish(*id, outcome(out), 1200);
    status = board.status(*id);
    QCOMPARE(status->value(u"state").toString(), QStringLiteral("done"));
    QCOMPARE(status->value(u"makespan_s").toDouble(), 0.6);
    const QJsonObject timeline = status->value(u"timeline").toObject();
    QCOMPARE(timeline.value(u"slaves").toArray().size(), 1);
    QCOMPARE(timeline.value(u"chunks").toArray().size(), 1);
    const auto png = board.result(*id, image::ImageFormat::Png);
    QVERIFY2(png, qPrintable(png.error()));
    QVERIFY(*image::decodeImage(*png, {}) == out);
    QCOMPARE(*board.result(*id, image::ImageFormat::Png), *png); // cached, same bytes
    const auto pgm = board.result(*id, image::ImageFormat::Pgm);
    QVERIFY(pgm && pgm->startsWith("P5"));
}

void TestJobBoard::oneAtATimeInOrder()
{
    JobBoard board({16, 32});
    const QString a = *board.submit(spec(), picture(), 1);
    const QString b = *board.submit(spec(), picture(), 2);
    QCOMPARE(board.status(b)->value(u"jobs_ahead").toInt(), 1);
    QCOMPARE(board.startNext(3)->id, a);
    QVERIFY(!board.startNext(4)); // a is running
    board.finish(a, outcome(picture()), 5);
    QCOMPARE(board.startNext(6)->id, b);
    QCOMPARE(board.list().first().toObject().value(u"id").toString(), b); // newest first
}

// Issue 16, job stream: the runner overlaps jobs; the board hands out at most `maxRunning`,
// counts every running job ahead of a queued one, and each keeps its budget until it ends.
void TestJobBoard::severalRunningUpToTheOverlap()
{
    JobBoard board({16, 32});
    const QString a = *board.submit(spec(), picture(), 1);
    const QString b = *board.submit(spec(), picture(), 2);
    const QString c = *board.submit(spec(), picture(), 3);
    const qint64 charged = board.budgetUsed();
    QCOMPARE(board.startNext(4, 2)->id, a);
    QCOMPARE(board.startNext(5, 2)->id, b);
    QVERIFY(!board.startNext(6, 2)); // two run
    QCOMPARE(board.status(b)->value(u"state").toString(), QStringLiteral("running"));
    QCOMPARE(board.status(c)->value(u"jobs_ahead").toInt(), 2);
    QCOMPARE(board.budgetUsed(), charged);
    board.finish(b, outcome(picture()), 7); // the later one may end first
    QCOMPARE(board.startNext(8, 2)->id, c);
    board.fail(a, QStringLiteral("lost"), 9);
    board.finish(c, outcome(picture()), 10);
    QCOMPARE(board.budgetUsed(), 2 * qint64(picture().pixels.size())); // two outputs kept
}

void TestJobBoard::queueLimit()
{
    JobBoard board({2, 32});
    QVERIFY(board.submit(spec(), picture(), 1));
    QVERIFY(board.submit(spec(), picture(), 1));
    const auto third = board.submit(spec(), picture(), 1);
    QVERIFY(!third);
    QCOMPARE(third.errorCode(), QStringLiteral("queue_full"));
    QVERIFY(board.startNext(2)); // a running job does not count as waiting
    QVERIFY(board.submit(spec(), picture(), 3));
}

void TestJobBoard::failedJob()
{
    JobBoard board({16, 32});
    const QString id = *board.submit(spec(), picture(), 1);
    board.startNext(2);
    board.fail(id, QStringLiteral("every slave of the job was lost"), 3);
    const auto status = board.status(id);
    QCOMPARE(status->value(u"state").toString(), QStringLiteral("failed"));
    QCOMPARE(status->value(u"error").toString(), QStringLiteral("every slave of the job was lost"));
    const auto result = board.result(id, image::ImageFormat::Png);
    QCOMPARE(result.errorCode(), QStringLiteral("failed"));
    QVERIFY(result.error().contains(QLatin1String("lost")));
    board.finish(id, outcome(picture()), 4); // too late: stays failed
    QCOMPARE(board.status(id)->value(u"state").toString(), QStringLiteral("failed"));
}

void TestJobBoard::retiresOldJobs()
{
    JobBoard board({16, 2});
    std::vector<QString> ids;
    for (int i = 0; i < 4; ++i) {
        ids.push_back(*board.submit(spec(), picture(), i));
        QCOMPARE(board.startNext(i)->id, ids.back());
        board.finish(ids.back(), outcome(picture()), 100 + i);
    }
    QVERIFY(!board.status(ids[0]));
    QVERIFY(!board.status(ids[1]));
    QVERIFY(board.status(ids[2]));
    QVERIFY(board.status(ids[3]));
    QCOMPARE(board.result(ids[0], image::ImageFormat::Png).errorCode(),
             QStringLiteral("unknown_job"));
}

void TestJobBoard::unknownJobs()
{
    JobBoard board({16, 32});
    QVERIFY(!board.status(QStringLiteral("job-1")));
    board.progress(QStringLiteral("job-9"), 1, 1); // ignored
    board.finish(QStringLiteral("job-9"), outcome(picture()), 1);
    board.fail(QStringLiteral("job-9"), QStringLiteral("x"), 1);
    QCOMPARE(board.list().size(), 0);
    QVERIFY(!board.startNext(1));
}

void TestJobBoard::unguessableIds()
{
    JobBoard board({200, 32});
    static const QRegularExpression kShape(QStringLiteral("^job-[0-9a-f]{32}$"));
    std::set<QString> seen;
    for (int i = 0; i < 100; ++i) {
        const auto id = board.submit(spec(), picture(1, 1), i);
        QVERIFY(id);
        QVERIFY2(kShape.match(*id).hasMatch(), qPrintable(*id));
        QVERIFY(JobBoard::isValidId(id->toLatin1()));
        QVERIFY(seen.insert(*id).second);
    }
    // The order is the board's, not the ids': the oldest is last in the list.
    QCOMPARE(board.list().last().toObject().value(u"submitted_at_ms").toInt(), 0);
}

void TestJobBoard::validIds_data()
{
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<bool>("valid");
    QTest::newRow("new") << QByteArray("job-0123456789abcdef0123456789abcdef") << true;
    QTest::newRow("old spool number") << QByteArray("job-17") << true;
    QTest::newRow("33 digits") << QByteArray("job-0123456789abcdef0123456789abcdef0") << false;
    QTest::newRow("upper case") << QByteArray("job-ABCDEF") << false;
    QTest::newRow("no digits") << QByteArray("job-") << false;
    QTest::newRow("dot dot") << QByteArray("..") << false;
    QTest::newRow("slash") << QByteArray("job-1/2") << false;
    QTest::newRow("NUL") << QByteArray("job-1\0", 6) << false;
    QTest::newRow("other prefix") << QByteArray("task-1") << false;
}

void TestJobBoard::validIds()
{
    QFETCH(QByteArray, id);
    QFETCH(bool, valid);
    QCOMPARE(JobBoard::isValidId(id), valid);
}

void TestJobBoard::reservationHoldsASlotUntilDropped()
{
    JobBoard board({2, 32, 1000});
    auto a = reserve(board, 100);
    auto b = reserve(board, 100);
    QVERIFY(a && b);
    QCOMPARE(board.budgetUsed(), qint64(200));
    const auto third = board.reserve(0);
    QCOMPARE(third.errorCode(), QStringLiteral("queue_full")); // both slots held by uploads
    {
        jobs::JobReservation dropped = std::move(*a); // an upload that failed
    }
    QCOMPARE(board.budgetUsed(), qint64(100));
    auto c = reserve(board, 0);
    QVERIFY(c);
    QVERIFY(c->reserveImage(JobBoard::imageCharge(6, 5, 1, 1)));
    const auto id = board.submit(*c, spec(), picture(), 1);
    QVERIFY(id);
    QVERIFY(!c->holdsSlot());
    QCOMPARE(board.queuedCount(), 1);
    QCOMPARE(board.submit(*c, spec(), picture(), 2).errorCode(), QStringLiteral("queue_full"));
}

void TestJobBoard::budgetCoversInputsOutputsAndResults()
{
    // 6 x 5 grey in, grey out: 60 bytes while queued or running, 30 once done.
    JobBoard board({16, 32, 100, 16, 1.0}); // one submitter may use all (tst_jobfairness)
    const QString a = *board.submit(spec(), picture(), 1);
    QCOMPARE(board.budgetUsed(), qint64(60));
    const auto b = board.submit(spec(), picture(), 2);
    QCOMPARE(b.errorCode(), QStringLiteral("budget_exceeded"));
    QVERIFY(!board.reserve(41)); // the upload alone does not fit either
    QCOMPARE(board.budgetUsed(), qint64(60));
    QVERIFY(board.startNext(3));
    board.finish(a, outcome(picture()), 4);
    QCOMPARE(board.budgetUsed(), qint64(30));
    const auto pgm = board.result(a, image::ImageFormat::Pgm);
    QVERIFY(pgm);
    QCOMPARE(board.budgetUsed(), qint64(30) + pgm->size()); // the kept encoding counts
}

void TestJobBoard::budgetDropsFetchedResultsFirst()
{
    JobBoard board({16, 32, 130, 16, 1.0});
    const QString a = *board.submit(spec(), picture(), 1);
    board.startNext(2);
    board.finish(a, outcome(picture()), 3); // 30 bytes, not fetched
    const QString b = *board.submit(spec(), picture(), 4);
    board.startNext(5);
    board.finish(b, outcome(picture()), 6);            // 30 bytes
    QVERIFY(board.result(b, image::ImageFormat::Pgm)); // fetched: b may now make room
    const qint64 used = board.budgetUsed();
    QVERIFY(used > 60 && used <= 130);
    // 60 more do not fit beside both results: b (fetched) goes, a (never fetched) stays.
    const auto c = board.submit(spec(), picture(), 7);
    QVERIFY2(c, qPrintable(c.error()));
    QVERIFY(board.status(a));
    QVERIFY(!board.status(b));
    // Nothing fetched is left to drop: the next one is refused.
    QCOMPARE(board.submit(spec(), picture(), 8).errorCode(), QStringLiteral("budget_exceeded"));
}

void TestJobBoard::restoreKeepsSubmissionOrder()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    jobs::JobSpool spool(dir.filePath(QStringLiteral("jobs")));
    std::vector<QString> ids;
    {
        JobBoard board({16, 32});
        board.setSpool(&spool);
        for (int i = 0; i < 6; ++i) // all in the same millisecond: only the sequence orders them
            ids.push_back(*board.submit(spec(), picture(), 1000));
    }
    QStringList warnings;
    JobBoard restarted({16, 32});
    for (jobs::JobSpool::Entry &entry : spool.load(warnings))
        restarted.restore(std::move(entry));
    QVERIFY(warnings.isEmpty());
    for (const QString &id : ids) {
        const auto running = restarted.startNext(2000);
        QVERIFY(running);
        QCOMPARE(running->id, id);
        restarted.finish(id, outcome(picture()), 2001);
    }
    // A job submitted after the restart comes after them.
    const QString later = *restarted.submit(spec(), picture(), 500);
    QCOMPARE(restarted.list().first().toObject().value(u"id").toString(), later);
}

// Issue 17: what /metrics and the alert rules see; the totals outlive retired jobs (kept = 1).
void TestJobBoard::countsForMetrics()
{
    JobBoard board({16, 1});
    QCOMPARE(board.counts(), (JobBoard::Counts{0, 0, 16, 0, 0}));
    std::vector<QString> ids;
    for (int i = 0; i < 5; ++i)
        ids.push_back(*board.submit(spec(), picture(), i));
    QVERIFY(board.startNext(10, 3));
    QVERIFY(board.startNext(10, 3));
    QVERIFY(board.startNext(10, 3));
    QCOMPARE(board.counts(), (JobBoard::Counts{2, 3, 16, 0, 0}));
    board.finish(ids[0], outcome(picture()), 11);
    board.fail(ids[1], QStringLiteral("lost"), 12);
    board.fail(ids[1], QStringLiteral("again"), 13); // already failed: counted once
    board.finish(ids[2], outcome(picture()), 14);
    QCOMPARE(board.counts(), (JobBoard::Counts{2, 0, 16, 2, 1}));
    QVERIFY(!board.status(ids[0])); // retired, still counted
}

QTEST_GUILESS_MAIN(TestJobBoard)
#include "tst_jobboard.moc"
