// JobBoard: FIFO, one job running at a time, a bounded queue, status JSON through a job's life,
// results encoded once and cached, and retired jobs.
#include "image/imagecodec.h"
#include "jobs/jobboard.h"

#include <QJsonArray>
#include <QTest>

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
    void queueLimit();
    void failedJob();
    void retiresOldJobs();
    void unknownJobs();
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

QTEST_GUILESS_MAIN(TestJobBoard)
#include "tst_jobboard.moc"
