// ParallelDownload against fake slaves (fakeslave.h: HttpServers on 127.0.0.1 port 0 serving
// Range slices of an in-memory file). Checks the bytes, what was requested, and what is left on
// disk: correct files from 1..4 sources at edge sizes; a hanging source, one sending wrong
// bytes and one that is far too slow are abandoned and their blocks fetched elsewhere; 412
// stops with no output; every source failing keeps a resume record that a second run uses
// without fetching verified blocks again (and re-checks them). Downloads are bounded by their
// own stall timeouts; hanging fakes wait on a condition released at the end of each test.
#include "fakeslave.h"
#include "transfer/blockrecord.h"
#include "client/paralleldownload.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace starling;
using namespace starling::transfer;
using namespace starling::client;
using starling::testing::FakeSlave;

namespace {

const QByteArray kEtag = "\"1234-5678\"";
const QString kPath = QStringLiteral("dir/some file.bin");
constexpr qint64 kPiece = 64 * 1024;

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// A download scenario: the file, its fake slaves, the plan, an output in a temporary dir.
struct Scenario
{
    QTemporaryDir dir;
    QByteArray data;
    std::vector<std::unique_ptr<FakeSlave>> slaves;
    TransferPlan plan;
    QString output;
    QStringList warnings;
    std::vector<DownloadProgress> progress;

    Scenario(qint64 size, int sources, quint32 seed = 1, const std::vector<double> &links = {})
        : data(randomBytes(size, seed))
    {
        std::vector<QUrl> urls;
        for (int i = 0; i < sources; ++i) {
            slaves.push_back(std::make_unique<FakeSlave>(data, kEtag, kPath));
            const auto port = slaves.back()->listen();
            if (!port)
                qFatal("fake slave cannot listen: %s", qPrintable(port.error()));
            urls.push_back(slaves.back()->url());
        }
        plan = testing::makePlan(data, kPiece, urls, kPath, kEtag, links);
        output = dir.filePath(QStringLiteral("out.bin"));
    }

    DownloadOptions options(bool resume = false)
    {
        DownloadOptions o;
        o.outputPath = output;
        o.resume = resume;
        o.stallTimeoutMs = 5000; // healthy fakes must never look stalled on a loaded machine
        o.progressIntervalMs = 50;
        o.onWarning = [this](const QString &line) {
            warnings << line;
        };
        o.onProgress = [this](const DownloadProgress &p) {
            progress.push_back(p);
        };
        return o;
    }

    Expected<DownloadSummary> run(DownloadOptions o)
    {
        ParallelDownload download(plan, std::move(o));
        return download.run();
    }

    QList<int> allRequests() const
    {
        QList<int> all;
        for (const auto &s : slaves)
            all += s->requestedBlocks();
        std::sort(all.begin(), all.end());
        return all;
    }
    QList<int> blocksOf(int source) const
    {
        QList<int> blocks;
        for (const PlanBlock &b : plan.blocks) {
            if (b.source == source)
                blocks << b.index;
        }
        return blocks;
    }
    // Nothing but the output (if any) in the directory: no part file, no record.
    QStringList leftovers() const
    {
        QStringList names = QDir(dir.path()).entryList(QDir::Files | QDir::Hidden);
        names.removeAll(QStringLiteral("out.bin"));
        return names;
    }
};

QList<int> range(int n)
{
    QList<int> list;
    for (int i = 0; i < n; ++i)
        list << i;
    return list;
}

QList<int> sorted(QList<int> list)
{
    std::sort(list.begin(), list.end());
    return list;
}

QString errorOf(const Expected<DownloadSummary> &result)
{
    return result.hasValue() ? QStringLiteral("(ok)") : result.error();
}

} // namespace

class TestParallelDownload : public QObject
{
    Q_OBJECT

private slots:
    void correctBytes_data();
    void correctBytes();
    void replacesExistingOutput();
    void hangingSourceMovesBlocks();
    void refusedSourceMovesBlocks();
    void wrongBytesFetchedElsewhere();
    void wrongBytesTwiceFails();
    void rangeIgnoredFetchedElsewhere();
    void fileChangedStops();
    void everySourceFails();
    void resumeSkipsVerifiedBlocks();
    void resumeRechecksPartFile();
    void resumeIgnoresRecordOfAnotherVersion();
    void withoutResumeStartsOver();
    void slowSourceAbandoned();
    void stopRequestKeepsRecord();
    void badOptions();
};

void TestParallelDownload::correctBytes_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<int>("sources");
    QTest::addColumn<int>("verifyThreads");
    for (int sources = 1; sources <= 4; ++sources) {
        for (const qint64 size :
             {qint64(0), qint64(1), kPiece - 1, kPiece, kPiece + 1, 13 * kPiece + 7}) {
            QTest::addRow("%d sources, %lld bytes", sources, size) << size << sources << 1;
        }
    }
    // Several hashing threads finish blocks out of order; the result must not care.
    QTest::addRow("3 sources, 4 verify threads") << 41 * kPiece + 3 << 3 << 4;
}

void TestParallelDownload::correctBytes()
{
    QFETCH(qint64, size);
    QFETCH(int, sources);
    QFETCH(int, verifyThreads);
    Scenario s(size, sources, quint32(size + sources));
    DownloadOptions options = s.options();
    options.verifyThreads = verifyThreads;
    const auto result = s.run(std::move(options));
    QVERIFY2(result.hasValue(), qPrintable(errorOf(result)));
    QCOMPARE(readAll(s.output), s.data);
    QCOMPARE(QFileInfo(s.output).size(), size);
    QCOMPARE(s.leftovers(), QStringList());
    QVERIFY2(s.warnings.isEmpty(), qPrintable(s.warnings.join(u'\n')));

    // Every block exactly once, each from its planned source.
    QCOMPARE(s.allRequests(), range(int(s.plan.blocks.size())));
    for (int i = 0; i < sources; ++i)
        QCOMPARE(sorted(s.slaves[size_t(i)]->requestedBlocks()), s.blocksOf(i));

    const DownloadSummary &summary = *result;
    QCOMPARE(summary.sha256, s.plan.sha256);
    QCOMPARE(summary.outputPath, s.output);
    QCOMPARE(summary.progress.totalBytes, size);
    QCOMPARE(summary.progress.doneBytes, size);
    QCOMPARE(summary.progress.blocksDone, int(s.plan.blocks.size()));
    QCOMPARE(summary.progress.reassignments, 0);
    qint64 perSource = 0;
    for (const SourceProgress &p : summary.progress.sources) {
        perSource += p.bytesVerified;
        QCOMPARE(toString(p.status), toString(SourceStatus::Idle));
    }
    QCOMPARE(perSource, size);
    QVERIFY(!s.progress.empty()); // at least the final one
    QCOMPARE(s.progress.back().doneBytes, size);
    const QJsonObject json = summary.toJson();
    QCOMPARE(json.value(QLatin1String("sha256")).toString(), QString::fromLatin1(s.plan.sha256));
    QCOMPARE(json.value(QLatin1String("bytes")).toInteger(), size);
    QCOMPARE(json.value(QLatin1String("sources")).toArray().size(), sources);
}

void TestParallelDownload::replacesExistingOutput()
{
    Scenario s(3 * kPiece, 2);
    QFile old(s.output);
    QVERIFY(old.open(QIODevice::WriteOnly));
    old.write("an older version of the file");
    old.close();
    const auto result = s.run(s.options());
    QVERIFY2(result.hasValue(), qPrintable(errorOf(result)));
    QCOMPARE(readAll(s.output), s.data);
}

void TestParallelDownload::hangingSourceMovesBlocks()
{
    Scenario s(24 * kPiece + 100, 3);
    s.slaves[1]->mode = FakeSlave::Mode::Hang;
    DownloadOptions options = s.options();
    options.stallTimeoutMs = 1000;
    const auto result = s.run(options);
    QVERIFY2(result.hasValue(), qPrintable(errorOf(result)));
    QCOMPARE(readAll(s.output), s.data);
    QCOMPARE(s.leftovers(), QStringList());
    const DownloadProgress &p = result->progress;
    QCOMPARE(toString(p.sources[1].status), toString(SourceStatus::Abandoned));
    QVERIFY2(p.sources[1].reason.contains(QLatin1String("stalled")),
             qPrintable(p.sources[1].reason));
    QCOMPARE(p.sources[1].bytesVerified, 0);
    QCOMPARE(p.reassignments, s.blocksOf(1).size());
    QCOMPARE(p.sources[0].bytesVerified + p.sources[2].bytesVerified, s.data.size());
    // The healthy sources fetched every block of the hanging one.
    QList<int> healthy = s.slaves[0]->requestedBlocks() + s.slaves[2]->requestedBlocks();
    std::sort(healthy.begin(), healthy.end());
    QCOMPARE(healthy, range(int(s.plan.blocks.size())));
    QVERIFY(s.slaves[1]->hanging() >= 1);
    QVERIFY(std::any_of(s.warnings.begin(), s.warnings.end(), [](const QString &w) {
        return w.startsWith(QLatin1String("slave-3")) && w.contains(QLatin1String("abandoned"));
    }));
}

void TestParallelDownload::refusedSourceMovesBlocks()
{
    Scenario s(10 * kPiece, 2);
    QTcpServer probe; // a port that was free a moment ago: nothing listens there now
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 dead = probe.serverPort();
    probe.close();
    s.plan.sources[0].url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(dead));
    const auto result = s.run(s.options());
    QVERIFY2(result.hasValue(), qPrintable(errorOf(result)));
    QCOMPARE(readAll(s.output), s.data);
    QCOMPARE(toString(result->progress.sources[0].status), toString(SourceStatus::Abandoned));
    QCOMPARE(result->progress.reassignments, s.blocksOf(0).size());
    QCOMPARE(sorted(s.slaves[1]->requestedBlocks()), range(10));
}

void TestParallelDownload::wrongBytesFetchedElsewhere()
{
    Scenario s(12 * kPiece + 5, 2);
    s.slaves[1]->mode = FakeSlave::Mode::Corrupt;
    const int bad = s.blocksOf(1).first();
    s.slaves[1]->corruptBlocks = {bad};
    const auto result = s.run(s.options());
    QVERIFY2(result.hasValue(), qPrintable(errorOf(result)));
    QCOMPARE(readAll(s.output), s.data);
    const DownloadProgress &p = result->progress;
    QCOMPARE(toString(p.sources[1].status), toString(SourceStatus::Abandoned));
    QVERIFY2(p.sources[1].reason.contains(QLatin1String("hash")), qPrintable(p.sources[1].reason));
    QVERIFY(s.slaves[0]->requestedBlocks().contains(bad)); // fetched again from the good one
    QCOMPARE(s.slaves[0]->requestedBlocks().count(bad), 1);
    QCOMPARE(p.sources[0].bytesVerified + p.sources[1].bytesVerified, s.data.size());
}

void TestParallelDownload::wrongBytesTwiceFails()
{
    Scenario s(8 * kPiece, 2);
    const int bad = s.blocksOf(0).last();
    for (const auto &slave : s.slaves) {
        slave->mode = FakeSlave::Mode::Corrupt;
        slave->corruptBlocks = {bad};
    }
    const auto result = s.run(s.options());
    QVERIFY(!result.hasValue());
    QCOMPARE(result.errorCode(), QStringLiteral("verification_failed"));
    QVERIFY2(result.error().contains(QStringLiteral("block %1").arg(bad)),
             qPrintable(result.error()));
    QVERIFY(!QFile::exists(s.output));
}

void TestParallelDownload::rangeIgnoredFetchedElsewhere()
{
    // A server that answers 200 with the whole file is not a block source; the client stops
    // reading it early (no need to receive 4 MiB to learn that).
    Scenario s(64 * kPiece, 2);
    s.slaves[0]->mode = FakeSlave::Mode::Whole;
    const auto result = s.run(s.options());
    QVERIFY2(result.hasValue(), qPrintable(errorOf(result)));
    QCOMPARE(readAll(s.output), s.data);
    const DownloadProgress &p = result->progress;
    QCOMPARE(toString(p.sources[0].status), toString(SourceStatus::Abandoned));
    QVERIFY2(p.sources[0].reason.contains(QLatin1String("HTTP 200")) &&
                 p.sources[0].reason.contains(QLatin1String("Range was ignored")),
             qPrintable(p.sources[0].reason));
    QVERIFY(p.sources[0].bytesReceived < s.data.size() / 2);
    QCOMPARE(p.sources[1].bytesVerified, s.data.size());
}

void TestParallelDownload::fileChangedStops()
{
    Scenario s(16 * kPiece, 3);
    s.slaves[2]->mode = FakeSlave::Mode::Changed;
    const auto result = s.run(s.options());
    QVERIFY(!result.hasValue());
    QCOMPARE(result.errorCode(), QStringLiteral("file_changed"));
    QVERIFY2(result.error().contains(QLatin1String("the file changed on the server during the "
                                                   "transfer")),
             qPrintable(result.error()));
    QVERIFY(!result.error().contains(u'\n'));
    QVERIFY(!QFile::exists(s.output));
    QCOMPARE(s.leftovers(), QStringList()); // no part file, no record: never a mixed file
}

void TestParallelDownload::everySourceFails()
{
    Scenario s(6 * kPiece, 2);
    for (const auto &slave : s.slaves)
        slave->mode = FakeSlave::Mode::Fail;
    const auto result = s.run(s.options());
    QVERIFY(!result.hasValue());
    QCOMPARE(result.errorCode(), QStringLiteral("sources_failed"));
    QVERIFY2(result.error().contains(QLatin1String("slave-2: HTTP 500")) &&
                 result.error().contains(QLatin1String("slave-3: HTTP 500")),
             qPrintable(result.error()));
    QVERIFY(!QFile::exists(s.output));
    QCOMPARE(s.leftovers(), QStringList()); // nothing verified, nothing worth keeping
}

void TestParallelDownload::resumeSkipsVerifiedBlocks()
{
    Scenario s(32 * kPiece + 999, 1);
    s.slaves[0]->failAfter = 10; // then 500 for good: the only source is gone
    const auto first = s.run(s.options());
    QVERIFY(!first.hasValue());
    QCOMPARE(first.errorCode(), QStringLiteral("sources_failed"));
    QVERIFY(!QFile::exists(s.output));
    QVERIFY(QFile::exists(partFilePath(s.output)));
    const auto record = BlockRecord::load(recordFilePath(s.output), s.plan);
    QVERIFY2(record.hasValue(), qPrintable(record.hasValue() ? QString() : record.error()));
    QCOMPARE(record->verifiedCount(), 10);

    // Second run: a healthy slave, a new plan for the same file (another port, another id).
    auto healthy = std::make_unique<FakeSlave>(s.data, kEtag, kPath);
    QVERIFY(healthy->listen().hasValue());
    s.plan = testing::makePlan(s.data, kPiece, {healthy->url()}, kPath, kEtag);
    s.plan.transferId = QStringLiteral("second");
    s.warnings.clear();
    const auto second = s.run(s.options(true));
    QVERIFY2(second.hasValue(), qPrintable(errorOf(second)));
    QCOMPARE(readAll(s.output), s.data);
    QCOMPARE(s.leftovers(), QStringList());
    QVERIFY2(s.warnings.isEmpty(), qPrintable(s.warnings.join(u'\n')));
    QList<int> expected;
    for (int i = 0; i < int(s.plan.blocks.size()); ++i) {
        if (!record->verified[size_t(i)])
            expected << i;
    }
    QCOMPARE(sorted(healthy->requestedBlocks()), expected); // verified blocks not fetched again
    QCOMPARE(second->progress.resumedBytes, 10 * kPiece);
    QCOMPARE(second->sha256, s.plan.sha256); // the whole file, resumed blocks included
}

void TestParallelDownload::resumeRechecksPartFile()
{
    Scenario s(8 * kPiece, 1);
    s.slaves[0]->failAfter = 4;
    QVERIFY(!s.run(s.options()).hasValue());
    // Damage a verified block in the part file, as a crash before writeback could.
    {
        QFile part(partFilePath(s.output));
        QVERIFY(part.open(QIODevice::ReadWrite));
        QVERIFY(part.seek(kPiece + 10));
        QCOMPARE(part.write("XXXX"), 4);
    }
    s.slaves[0]->failAfter = -1;
    s.warnings.clear();
    const QList<int> before = s.slaves[0]->requestedBlocks();
    const auto result = s.run(s.options(true));
    QVERIFY2(result.hasValue(), qPrintable(errorOf(result)));
    QCOMPARE(readAll(s.output), s.data);
    const QList<int> secondRun = s.slaves[0]->requestedBlocks().mid(before.size());
    QCOMPARE(sorted(secondRun), (QList<int>{1, 4, 5, 6, 7}));
    QCOMPARE(s.warnings.size(), 1);
    QVERIFY2(s.warnings[0].contains(QLatin1String("no longer match")), qPrintable(s.warnings[0]));
}

void TestParallelDownload::resumeIgnoresRecordOfAnotherVersion()
{
    Scenario s(6 * kPiece, 1);
    s.slaves[0]->failAfter = 3;
    QVERIFY(!s.run(s.options()).hasValue());
    QVERIFY(QFile::exists(recordFilePath(s.output)));
    // The file changed on the server in between: same path, new mtime, new bytes.
    Scenario changed(6 * kPiece, 1, 77);
    changed.plan.mtimeMs += 1000;
    s.plan = changed.plan;
    s.data = changed.data;
    s.warnings.clear();
    const auto result = s.run(s.options(true));
    QVERIFY2(result.hasValue(), qPrintable(errorOf(result)));
    QCOMPARE(readAll(s.output), changed.data);
    QCOMPARE(sorted(changed.slaves[0]->requestedBlocks()), range(6)); // a fresh start
    QCOMPARE(s.warnings.size(), 1);
    QVERIFY2(s.warnings[0].startsWith(QLatin1String("ignoring the resume record")) &&
                 s.warnings[0].contains(QLatin1String("changed on the server")),
             qPrintable(s.warnings[0]));
    QCOMPARE(s.leftovers(), QStringList());
}

void TestParallelDownload::withoutResumeStartsOver()
{
    Scenario s(6 * kPiece, 1);
    s.slaves[0]->failAfter = 3;
    QVERIFY(!s.run(s.options()).hasValue());
    s.slaves[0]->failAfter = -1;
    s.warnings.clear();
    const int before = s.slaves[0]->requestedBlocks().size();
    const auto result = s.run(s.options(false));
    QVERIFY2(result.hasValue(), qPrintable(errorOf(result)));
    QCOMPARE(readAll(s.output), s.data);
    QCOMPARE(sorted(s.slaves[0]->requestedBlocks().mid(before)), range(6));
    QCOMPARE(s.warnings.size(), 1);
    QVERIFY2(s.warnings[0].startsWith(QLatin1String("discarding the partial download")),
             qPrintable(s.warnings[0]));
}

void TestParallelDownload::slowSourceAbandoned()
{
    // slave-2 is planned at 1 MB/s and is much faster; slave-3 is planned at 100 MB/s but
    // answers one 64 KiB block per 250 ms (~0.26 MB/s), far below a quarter of its plan.
    Scenario s(16 * kPiece, 2, 5, {1.0, 100.0});
    s.slaves[1]->delayMs = 250;
    DownloadOptions options = s.options();
    // Slow, not silent: the rate rule must catch it (stallTimeoutMs stays 5 s).
    options.slowWindowMs = 1000;
    const auto result = s.run(options);
    QVERIFY2(result.hasValue(), qPrintable(errorOf(result)));
    QCOMPARE(readAll(s.output), s.data);
    const DownloadProgress &p = result->progress;
    QCOMPARE(toString(p.sources[1].status), toString(SourceStatus::Abandoned));
    QVERIFY2(p.sources[1].reason.contains(QLatin1String("too slow")),
             qPrintable(p.sources[1].reason));
    QVERIFY(p.reassignments > 0);
    QCOMPARE(toString(p.sources[0].status), toString(SourceStatus::Idle));
}

void TestParallelDownload::stopRequestKeepsRecord()
{
    Scenario s(40 * kPiece, 2);
    DownloadOptions options = s.options();
    ParallelDownload *running = nullptr;
    options.onProgress = [&running](const DownloadProgress &p) {
        if (p.blocksDone >= 2 && running)
            running->requestStop();
    };
    s.slaves[0]->delayMs = 20; // so that the stop lands mid-download
    s.slaves[1]->delayMs = 20;
    ParallelDownload download(s.plan, options);
    running = &download;
    const auto result = download.run();
    QVERIFY(!result.hasValue());
    QCOMPARE(result.errorCode(), QStringLiteral("interrupted"));
    QVERIFY(!QFile::exists(s.output));
    const auto record = BlockRecord::load(recordFilePath(s.output), s.plan);
    QVERIFY2(record.hasValue(), qPrintable(record.hasValue() ? QString() : record.error()));
    QCOMPARE(record->verifiedCount(), download.progress().blocksDone);
    QVERIFY(record->verifiedCount() >= 2);
    QVERIFY(record->verifiedCount() < 40);
}

void TestParallelDownload::badOptions()
{
    Scenario s(kPiece, 1);
    for (const int connections : {0, DownloadOptions::kMaxConnections + 1}) {
        DownloadOptions options = s.options();
        options.connectionsPerSource = connections;
        const auto result = s.run(options);
        QVERIFY(!result.hasValue());
        QVERIFY2(result.error().contains(QLatin1String("connections")), qPrintable(result.error()));
    }
    for (const int threads : {0, DownloadOptions::kMaxConnections + 1}) {
        DownloadOptions options = s.options();
        options.verifyThreads = threads;
        const auto result = s.run(options);
        QVERIFY(!result.hasValue());
        QVERIFY2(result.error().contains(QLatin1String("verify threads")),
                 qPrintable(result.error()));
    }
    QVERIFY(s.allRequests().isEmpty());
    QCOMPARE(s.leftovers(), QStringList());
}

QTEST_GUILESS_MAIN(TestParallelDownload)
#include "tst_paralleldownload.moc"
