// StripWorker, a slave's image work: strips it holds are computed earliest job of the master's
// stream first (StripAssignment::sequence), in arrival order within a job, so a job that
// overlaps the one in front does not delay it (issue 16).
#include "image/imageop.h"
#include "jobs/stripmessage.h"
#include "mpi_backend/jobs/stripworker.h"

#include <QSignalSpy>
#include <QTest>

using namespace starling;

namespace {

// A whole 8 x 4 grey image as one strip (no halo needed at the image's edges).
jobs::StripAssignment strip(int chunk, qint64 sequence)
{
    jobs::StripAssignment a;
    a.jobId = QStringLiteral("job-%1").arg(sequence);
    a.chunk = chunk;
    a.op = image::ImageOp::make(QStringLiteral("sobel"), std::nullopt, std::nullopt)->toJson();
    a.width = 8;
    a.channels = 1;
    a.imageHeight = 4;
    a.begin = 0;
    a.end = 4;
    a.units = 1;
    a.standardS = 0.05; // emulated: each strip lasts 50 ms, long enough to queue the others
    a.pixels = QByteArray(8 * 4, char(7));
    a.sequence = sequence;
    return a;
}

} // namespace

class TestStripWorker : public QObject
{
    Q_OBJECT

private slots:
    void earliestJobFirst();
};

void TestStripWorker::earliestJobFirst()
{
    mpi::StripWorker worker(true, 1.0);
    QSignalSpy finished(&worker, &mpi::StripWorker::finished);
    worker.enqueue(0, strip(0, 3)); // starts at once
    QVERIFY(worker.busy());
    worker.enqueue(1, strip(1, 5));
    worker.enqueue(2, strip(2, 4));
    worker.enqueue(3, strip(3, 4));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 4, 10000);
    QList<int> order;
    for (const QList<QVariant> &args : finished) {
        const auto result = jobs::StripResult::decode(args.at(1).toByteArray());
        QVERIFY2(result, qPrintable(result ? QString() : result.error()));
        QVERIFY2(result->error.isEmpty(), qPrintable(result->error));
        order.append(result->chunk);
    }
    QCOMPARE(order, (QList<int>{0, 2, 3, 1}));
}

QTEST_GUILESS_MAIN(TestStripWorker)
#include "tst_stripworker.moc"
