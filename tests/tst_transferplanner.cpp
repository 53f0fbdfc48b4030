// planTransfer: which slaves serve which pieces. Paper 1's equal split on its 4-slave test bed
// with the remainder to rank 0, load-rank order, operator weights, link- and CPU-proportional
// splits (40/20/10/5), PDDS, unknown estimates, drained/down/suspect slaves left out, 1-byte
// and empty files, more slaves than pieces; every plan is one TransferPlan::fromJson accepts.
#include "transfer/sha256.h"
#include "transfer/transferplanner.h"

#include <QTest>

using namespace starling;
using namespace starling::transfer;

namespace {

constexpr qint64 kPiece = 1024;

template<typename T> QString why(const Expected<T> &result)
{
    return result ? QString() : result.error();
}

FileDigest digestOf(qint64 size)
{
    FileDigest digest;
    digest.size = size;
    digest.mtimeNs = 1795334400123456789;
    digest.pieceSize = kPiece;
    digest.sha256 = Sha256::hexOf("whole");
    for (qint64 offset = 0; offset < size; offset += kPiece)
        digest.pieces.append(Sha256::hexOf(QByteArray::number(offset)));
    return digest;
}

// Slave i is "s<i>", MPI rank i + 2, data server port 41000 + i, load rank i unless given.
std::vector<PlanCandidate> candidates(int count, const QList<double> &links,
                                      const QList<double> &computes, const QList<double> &weights,
                                      const QList<int> &loadRanks, const QStringList &states)
{
    std::vector<PlanCandidate> result;
    for (int i = 0; i < count; ++i) {
        PlanCandidate c;
        c.rank = i + 2;
        c.name = QStringLiteral("s%1").arg(i);
        c.dataUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(41000 + i));
        c.linkMBps = links.value(i, 0);
        c.unitComputeS = computes.value(i, 0);
        c.weight = weights.value(i, 1.0);
        c.loadRank = loadRanks.value(i, i);
        const QString state = states.value(i, QStringLiteral("ACTIVE"));
        if (state == u"NOURL")
            c.dataUrl = QUrl();
        else if (state == u"FTP")
            c.dataUrl = QUrl(QStringLiteral("ftp://127.0.0.1:21"));
        else
            c.state = *cluster::nodeStateFromString(state);
        result.push_back(c);
    }
    return result;
}

int slaveCount(const QList<double> &links, const QList<double> &computes,
               const QList<double> &weights, const QList<int> &loadRanks, const QStringList &states)
{
    return int(std::max({links.size(), computes.size(), weights.size(), qsizetype(loadRanks.size()),
                         states.size()}));
}

} // namespace

class TestTransferPlanner : public QObject
{
    Q_OBJECT

private slots:
    void allocation_data();
    void allocation();
    void sourcesCarryWhatClientsNeed();
    void noSlaveCanServe_data();
    void noSlaveCanServe();
    void emptyFileNeedsNoSource();
    void badRequests_data();
    void badRequests();
};

void TestTransferPlanner::allocation_data()
{
    QTest::addColumn<QString>("strategy");
    QTest::addColumn<qint64>("size");
    QTest::addColumn<QList<double>>("links");
    QTest::addColumn<QList<double>>("computes");
    QTest::addColumn<QList<double>>("weights");
    QTest::addColumn<QList<int>>("loadRanks");
    QTest::addColumn<QStringList>("states");
    QTest::addColumn<QStringList>("sources");  // names in plan order
    QTest::addColumn<QList<qint64>>("pieces"); // per source, in plan order
    QTest::addColumn<QString>("planned");      // the plan's strategy

    const QList<double> none;
    const QList<int> noRanks;
    const QStringList allActive;
    const QList<double> four{1, 1, 1, 1};
    const QStringList s0123{QStringLiteral("s0"), QStringLiteral("s1"), QStringLiteral("s2"),
                            QStringLiteral("s3")};
    const QString equal = QStringLiteral("equal");

    // Paper 1's test bed: 1 master + 1 monitor + 4 slaves; floor(pieces / 4) each, the
    // remainder to rank 0.
    QTest::newRow("paper 1: 4 slaves, 8 pieces")
        << equal << 8 * kPiece << none << none << four << noRanks << allActive << s0123
        << QList<qint64>{2, 2, 2, 2} << equal;
    QTest::newRow("paper 1: 4 slaves, 10 pieces")
        << equal << 10 * kPiece << none << none << four << noRanks << allActive << s0123
        << QList<qint64>{4, 2, 2, 2} << equal;
    QTest::newRow("paper 1: 4 slaves, 1023 pieces, short last")
        << equal << 1022 * kPiece + 1 << none << none << four << noRanks << allActive << s0123
        << QList<qint64>{258, 255, 255, 255} << equal;
    QTest::newRow("remainder to rank 0, which is not the first listed")
        << equal << 7 * kPiece << none << none << QList<double>{1, 1, 1} << QList<int>{2, 0, 1}
        << allActive
        << QStringList{QStringLiteral("s1"), QStringLiteral("s2"), QStringLiteral("s0")}
        << QList<qint64>{3, 2, 2} << equal;
    QTest::newRow("equal load ranks: lower MPI rank first")
        << equal << 5 * kPiece << none << none << QList<double>{1, 1} << QList<int>{0, 0}
        << allActive << QStringList{QStringLiteral("s0"), QStringLiteral("s1")}
        << QList<qint64>{3, 2} << equal;

    // Operator weights W_i scale every strategy's shares.
    QTest::newRow("equal, W 1:2:1")
        << equal << 8 * kPiece << none << none << QList<double>{1, 2, 1} << noRanks << allActive
        << QStringList{QStringLiteral("s0"), QStringLiteral("s1"), QStringLiteral("s2")}
        << QList<qint64>{2, 4, 2} << equal;
    QTest::newRow("equal, W 3:1, remainder to rank 0")
        << equal << 10 * kPiece << none << none << QList<double>{3, 1} << noRanks << allActive
        << QStringList{QStringLiteral("s0"), QStringLiteral("s1")} << QList<qint64>{8, 2} << equal;
    QTest::newRow("bw 40:20 with W 1:2 is even")
        << QStringLiteral("bw") << 30 * kPiece << QList<double>{40, 20} << none
        << QList<double>{1, 2} << noRanks << allActive
        << QStringList{QStringLiteral("s0"), QStringLiteral("s1")} << QList<qint64>{15, 15}
        << QStringLiteral("bw");

    // Heterogeneous links 40/20/10/5 MB/s.
    const QList<double> links40{40, 20, 10, 5};
    for (const char *s : {"bw", "optimal", "dynamic"}) {
        QTest::newRow(qPrintable(QStringLiteral("%1: links 40/20/10/5").arg(QLatin1String(s))))
            << QString::fromLatin1(s) << 75 * kPiece << links40 << none << four << noRanks
            << allActive << s0123 << QList<qint64>{40, 20, 10, 5} << QString::fromLatin1(s);
    }
    QTest::newRow("bw: 40/20/10/5, heaviest load first in the list")
        << QStringLiteral("bw") << 75 * kPiece << links40 << none << four << QList<int>{3, 2, 1, 0}
        << allActive
        << QStringList{QStringLiteral("s3"), QStringLiteral("s2"), QStringLiteral("s1"),
                       QStringLiteral("s0")}
        << QList<qint64>{5, 10, 20, 40} << QStringLiteral("bw");
    QTest::newRow("bw: 40/20/10/5, largest remainders")
        << QStringLiteral("bw") << 10 * kPiece << links40 << none << four << noRanks << allActive
        << s0123 << QList<qint64>{5, 3, 1, 1} << QStringLiteral("bw");
    QTest::newRow("cpu: T 1/2/4 s")
        << QStringLiteral("cpu") << 7 * kPiece << QList<double>{5, 10, 20} << QList<double>{1, 2, 4}
        << none << noRanks << allActive
        << QStringList{QStringLiteral("s0"), QStringLiteral("s1"), QStringLiteral("s2")}
        << QList<qint64>{4, 2, 1} << QStringLiteral("cpu");
    // PF = 1.5 * 0.5 + 0.8 * 0.75 = 1.35 and 1.5 * 0.5 + 0.8 * 0.25 = 0.95: 27 : 19.
    QTest::newRow("pdds: equal CPUs, links 30:10")
        << QStringLiteral("pdds") << 46 * kPiece << QList<double>{30, 10} << QList<double>{1, 1}
        << none << noRanks << allActive << QStringList{QStringLiteral("s0"), QStringLiteral("s1")}
        << QList<qint64>{27, 19} << QStringLiteral("pdds");
    // PF = 1.5 * 2/3 + 0.4 = 1.4 and 1.5 * 1/3 + 0.4 = 0.9: 14 : 9.
    QTest::newRow("pdds: T 1 and 2 s, equal links")
        << QStringLiteral("pdds") << 23 * kPiece << QList<double>{10, 10} << QList<double>{1, 2}
        << none << noRanks << allActive << QStringList{QStringLiteral("s0"), QStringLiteral("s1")}
        << QList<qint64>{14, 9} << QStringLiteral("pdds");

    // Unknown estimates.
    QTest::newRow("bw: unknown link is the mean of the known")
        << QStringLiteral("bw") << 60 * kPiece << QList<double>{30, 0, 10} << none << none
        << noRanks << allActive
        << QStringList{QStringLiteral("s0"), QStringLiteral("s1"), QStringLiteral("s2")}
        << QList<qint64>{30, 20, 10} << QStringLiteral("bw");
    QTest::newRow("bw: no link known is equal")
        << QStringLiteral("bw") << 10 * kPiece << QList<double>{0, 0, 0} << none << none << noRanks
        << allActive
        << QStringList{QStringLiteral("s0"), QStringLiteral("s1"), QStringLiteral("s2")}
        << QList<qint64>{4, 3, 3} << equal;
    QTest::newRow("optimal: no link known is equal")
        << QStringLiteral("optimal") << 10 * kPiece << none << QList<double>{1, 2, 3} << none
        << noRanks << allActive
        << QStringList{QStringLiteral("s0"), QStringLiteral("s1"), QStringLiteral("s2")}
        << QList<qint64>{4, 3, 3} << equal;
    QTest::newRow("cpu: no T known is equal")
        << QStringLiteral("cpu") << 10 * kPiece << links40 << QList<double>{0, -1, qInf(), qQNaN()}
        << none << noRanks << allActive << s0123 << QList<qint64>{4, 2, 2, 2} << equal;
    QTest::newRow("pdds: only T known, links count equally")
        << QStringLiteral("pdds") << 23 * kPiece << none << QList<double>{1, 2} << none << noRanks
        << allActive << QStringList{QStringLiteral("s0"), QStringLiteral("s1")}
        << QList<qint64>{14, 9} << QStringLiteral("pdds");
    QTest::newRow("pdds: nothing known is equal")
        << QStringLiteral("pdds") << 3 * kPiece << none << none << QList<double>{1, 1} << noRanks
        << allActive << QStringList{QStringLiteral("s0"), QStringLiteral("s1")}
        << QList<qint64>{2, 1} << equal;

    // Who takes part.
    QTest::newRow("drained, draining, suspect and down are left out")
        << equal << 10 * kPiece << none << none << none << noRanks
        << QStringList{QStringLiteral("ACTIVE"),   QStringLiteral("DRAINED"),
                       QStringLiteral("DOWN"),     QStringLiteral("ACTIVE"),
                       QStringLiteral("DRAINING"), QStringLiteral("SUSPECT")}
        << QStringList{QStringLiteral("s0"), QStringLiteral("s3")} << QList<qint64>{5, 5} << equal;
    QTest::newRow("no data server or not http: left out")
        << QStringLiteral("bw") << 10 * kPiece << QList<double>{10, 10, 10} << none << none
        << noRanks
        << QStringList{QStringLiteral("NOURL"), QStringLiteral("ACTIVE"), QStringLiteral("FTP")}
        << QStringList{QStringLiteral("s1")} << QList<qint64>{10} << QStringLiteral("bw");
    QTest::newRow("weight 0 or not finite: left out")
        << equal << 4 * kPiece << none << none << QList<double>{0, 1, qQNaN(), -2} << noRanks
        << allActive << QStringList{QStringLiteral("s1")} << QList<qint64>{4} << equal;

    // Small files.
    QTest::newRow("1-byte file, equal")
        << equal << qint64(1) << none << none << QList<double>{1, 1, 1} << noRanks << allActive
        << QStringList{QStringLiteral("s0"), QStringLiteral("s1"), QStringLiteral("s2")}
        << QList<qint64>{1, 0, 0} << equal;
    QTest::newRow("1-byte file, bw: the fastest link")
        << QStringLiteral("bw") << qint64(1) << QList<double>{10, 40} << none << none << noRanks
        << allActive << QStringList{QStringLiteral("s0"), QStringLiteral("s1")}
        << QList<qint64>{0, 1} << QStringLiteral("bw");
    QTest::newRow("empty file") << QStringLiteral("bw") << qint64(0) << QList<double>{10, 40}
                                << none << none << noRanks << allActive
                                << QStringList{QStringLiteral("s0"), QStringLiteral("s1")}
                                << QList<qint64>{0, 0} << QStringLiteral("bw");
    QTest::newRow("more slaves than pieces, equal")
        << equal << 3 * kPiece << none << none << QList<double>{1, 1, 1, 1, 1} << noRanks
        << allActive
        << QStringList{QStringLiteral("s0"), QStringLiteral("s1"), QStringLiteral("s2"),
                       QStringLiteral("s3"), QStringLiteral("s4")}
        << QList<qint64>{3, 0, 0, 0, 0} << equal;
    QTest::newRow("more slaves than pieces, bw")
        << QStringLiteral("bw") << 3 * kPiece << QList<double>{50, 40, 30, 20, 10} << none << none
        << noRanks << allActive
        << QStringList{QStringLiteral("s0"), QStringLiteral("s1"), QStringLiteral("s2"),
                       QStringLiteral("s3"), QStringLiteral("s4")}
        << QList<qint64>{1, 1, 1, 0, 0} << QStringLiteral("bw");
}

void TestTransferPlanner::allocation()
{
    QFETCH(QString, strategy);
    QFETCH(qint64, size);
    QFETCH(QList<double>, links);
    QFETCH(QList<double>, computes);
    QFETCH(QList<double>, weights);
    QFETCH(QList<int>, loadRanks);
    QFETCH(QStringList, states);
    QFETCH(QStringList, sources);
    QFETCH(QList<qint64>, pieces);
    QFETCH(QString, planned);

    PlanRequest request;
    request.transferId = QStringLiteral("t-1");
    request.path = QStringLiteral("data/file.bin");
    request.digest = digestOf(size);
    request.strategy = *sched::strategyKindFromString(strategy);
    request.candidates = candidates(slaveCount(links, computes, weights, loadRanks, states), links,
                                    computes, weights, loadRanks, states);
    const Expected<TransferPlan> plan = planTransfer(request);
    QVERIFY2(plan, qPrintable(why(plan)));
    QCOMPARE(plan->strategy, planned);

    QStringList names;
    for (const PlanSource &s : plan->sources)
        names.append(s.name);
    QCOMPARE(names, sources);

    // Contiguous runs in source order, every piece once, with its own hash.
    QList<qint64> counts(qsizetype(plan->sources.size()), 0);
    QList<qint64> bytes(qsizetype(plan->sources.size()), 0);
    QCOMPARE(qsizetype(plan->blocks.size()), request.digest.pieces.size());
    int previousSource = 0;
    for (size_t i = 0; i < plan->blocks.size(); ++i) {
        const PlanBlock &block = plan->blocks[i];
        QCOMPARE(block.index, int(i));
        QCOMPARE(block.offset, qint64(i) * kPiece);
        QCOMPARE(block.length, qMin(kPiece, size - block.offset));
        QCOMPARE(block.sha256, request.digest.pieces[qsizetype(i)]);
        QVERIFY2(block.source >= previousSource, "a source's blocks are not one run");
        previousSource = block.source;
        ++counts[block.source];
        bytes[block.source] += block.length;
    }
    QCOMPARE(counts, pieces);
    if (!pieces.isEmpty() && pieces.first() > 0)
        QCOMPARE(plan->blocks.front().source, 0); // rank 0 starts the file

    double shareSum = 0;
    for (size_t i = 0; i < plan->sources.size(); ++i) {
        const double expected = size > 0 ? double(bytes[qsizetype(i)]) / double(size) : 0.0;
        QCOMPARE(plan->sources[i].share, expected);
        shareSum += plan->sources[i].share;
    }
    if (size > 0)
        QVERIFY(qAbs(shareSum - 1.0) < 1e-12);

    // What a client receives parses and validates.
    const Expected<TransferPlan> parsed = TransferPlan::fromJson(plan->toJson());
    QVERIFY2(parsed, qPrintable(why(parsed)));
}

void TestTransferPlanner::sourcesCarryWhatClientsNeed()
{
    PlanRequest request;
    request.transferId = QStringLiteral("t-2");
    request.path = QStringLiteral("a b/c.bin");
    request.digest = digestOf(5 * kPiece);
    request.strategy = sched::StrategyKind::Bandwidth;
    request.candidates = candidates(2, {25, 0}, {}, {}, {}, {});
    request.candidates[0].dataUrl = QUrl(QStringLiteral("http://127.0.0.1:41000/some/path?q#f"));
    request.candidates[1].name.clear();
    const Expected<TransferPlan> plan = planTransfer(request);
    QVERIFY2(plan, qPrintable(why(plan)));
    QCOMPARE(plan->sources[0].url, QUrl(QStringLiteral("http://127.0.0.1:41000")));
    QCOMPARE(plan->sources[0].rank, 2);
    QCOMPARE(plan->sources[0].linkMBps, 25.0);
    QCOMPARE(plan->sources[1].linkMBps, 0.0); // unknown stays unknown for the client
    QCOMPARE(plan->sources[1].name, QStringLiteral("rank-3"));
    QCOMPARE(plan->size, 5 * kPiece);
    QCOMPARE(plan->mtimeMs, qint64(1795334400123));
    QCOMPARE(plan->etag, makeEtag(5 * kPiece, 1795334400123456789));
    QCOMPARE(plan->sha256, request.digest.sha256);
    QCOMPARE(plan->pieceSize, kPiece);
    QCOMPARE(plan->transferId, request.transferId);
    QCOMPARE(plan->blockUrl(plan->blocks[0], 0).toEncoded(),
             QByteArray("http://127.0.0.1:41000/files/a%20b/c.bin?t=t-2&b=0"));

    request.etag = "\"given\"";
    QCOMPARE(planTransfer(request)->etag, QByteArray("\"given\""));
}

void TestTransferPlanner::noSlaveCanServe_data()
{
    QTest::addColumn<QStringList>("states");
    QTest::addColumn<QString>("message");
    QTest::newRow("no slaves") << QStringList()
                               << QStringLiteral("no slave can serve \"f.bin\" now: the cluster "
                                                 "has no slaves");
    QTest::newRow("all drained or down")
        << QStringList{QStringLiteral("DRAINED"), QStringLiteral("DOWN"), QStringLiteral("NOURL")}
        << QStringLiteral("no slave can serve \"f.bin\" now (3 slaves: 2 not ACTIVE, 1 "
                          "without a data server or weight); resume a slave or retry when one "
                          "is back");
}

void TestTransferPlanner::noSlaveCanServe()
{
    QFETCH(QStringList, states);
    QFETCH(QString, message);
    PlanRequest request;
    request.transferId = QStringLiteral("t");
    request.path = QStringLiteral("f.bin");
    request.digest = digestOf(1);
    request.candidates = candidates(int(states.size()), {}, {}, {}, {}, states);
    const Expected<TransferPlan> plan = planTransfer(request);
    QVERIFY(!plan);
    QCOMPARE(plan.errorCode(), QStringLiteral("no_source"));
    QCOMPARE(plan.error(), message);
}

void TestTransferPlanner::emptyFileNeedsNoSource()
{
    PlanRequest request;
    request.transferId = QStringLiteral("t");
    request.path = QStringLiteral("empty");
    request.digest = digestOf(0);
    request.digest.sha256 = Sha256::hexOf({});
    request.candidates = candidates(1, {}, {}, {}, {}, {QStringLiteral("DOWN")});
    const Expected<TransferPlan> plan = planTransfer(request);
    QVERIFY2(plan, qPrintable(why(plan)));
    QVERIFY(plan->sources.empty());
    QVERIFY(plan->blocks.empty());
    QVERIFY(TransferPlan::fromJson(plan->toJson()));
}

void TestTransferPlanner::badRequests_data()
{
    QTest::addColumn<QString>("transferId");
    QTest::addColumn<int>("dropPieces");
    QTest::addColumn<qint64>("pieceSize");
    QTest::addColumn<QString>("message");
    QTest::newRow("no transfer id") << QString() << 0 << kPiece
                                    << QStringLiteral("cannot plan: the transfer id must be 1 to "
                                                      "128 characters");
    QTest::newRow("transfer id too long") << QString(129, u'x') << 0 << kPiece
                                          << QStringLiteral("cannot plan: the transfer id must be "
                                                            "1 to 128 characters");
    QTest::newRow("piece hash missing")
        << QStringLiteral("t") << 1 << kPiece
        << QStringLiteral("cannot plan: \"f.bin\": 2 piece hashes for 3072 bytes in pieces of "
                          "1024");
    QTest::newRow("piece size 0") << QStringLiteral("t") << 0 << qint64(0)
                                  << QStringLiteral("cannot plan: \"f.bin\" has no valid digest");
}

void TestTransferPlanner::badRequests()
{
    QFETCH(QString, transferId);
    QFETCH(int, dropPieces);
    QFETCH(qint64, pieceSize);
    QFETCH(QString, message);
    PlanRequest request;
    request.transferId = transferId;
    request.path = QStringLiteral("f.bin");
    request.digest = digestOf(3 * kPiece);
    request.digest.pieceSize = pieceSize;
    for (int i = 0; i < dropPieces; ++i)
        request.digest.pieces.removeLast();
    request.candidates = candidates(2, {}, {}, {}, {}, {});
    const Expected<TransferPlan> plan = planTransfer(request);
    QVERIFY(!plan);
    QCOMPARE(plan.errorCode(), QStringLiteral("bad_request"));
    QCOMPARE(plan.error(), message);
}

QTEST_APPLESS_MAIN(TestTransferPlanner)
#include "tst_transferplanner.moc"
