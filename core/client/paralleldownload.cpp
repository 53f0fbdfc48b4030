#include "paralleldownload.h"

#include "client/blockfetch.h"
#include "client/blockverifier.h"
#include "client/downloadstart.h"
#include "client/partfile.h"
#include "client/sourcepool.h"
#include "transfer/blockrecord.h"

#include <QFile>
#include <QMutex>
#include <QMutexLocker>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <optional>
#include <utility>

namespace starling::client {

namespace {

constexpr int kPollMs = 100; // the longest curl_multi_poll waits between checks
constexpr std::int64_t kRateWindowMs = SourcePool::kRateWindowMs;

using Source = DownloadSource;

} // namespace

struct ParallelDownload::Private
{
    transfer::TransferPlan plan;
    DownloadOptions options;
    std::atomic<bool> stopRequested{false};

    PartFileLock partLock; // released after the file is committed or kept
    PartFile file;
    transfer::BlockRecord record;
    SourcePool pool;
    std::vector<int> mismatchSource; // per block: who first sent wrong bytes, -1 = nobody
    CURLM *multi = nullptr;
    int inFlight = 0;
    std::unique_ptr<BlockVerifier> verifier; // stopped before the multi handle goes

    int blocksDone = 0;
    qint64 doneBytes = 0; // verified, including resumed
    qint64 resumedBytes = 0;
    QByteArray buffer;
    std::optional<Error> fatal;

    bool recordDirty = false;
    bool recordWarned = false;
    std::int64_t lastRecordMs = 0;
    std::int64_t startMs = 0;
    std::int64_t lastProgressMs = 0;
    RateWindow display;

    mutable QMutex publishedMutex;
    DownloadProgress published;

    void warn(const QString &line) const
    {
        if (options.onWarning)
            options.onWarning(line);
    }
    void fail(const QString &message, const char *code)
    {
        if (!fatal)
            fatal = Error{message, QString::fromLatin1(code)};
    }

    Expected<bool> prepare();
    bool step();
    void fill(std::int64_t nowMs);
    void drainMessages();
    void handle(BlockFetch &fetch, const FetchOutcome &outcome);
    void collectVerified();
    void wrongBytes(int block, int sourceIndex);
    void markVerified(int block, Source &source);
    void abandon(int sourceIndex, const QString &reason, std::vector<int> orphans);
    void tick(std::int64_t nowMs, bool force);
    void saveRecord();
    DownloadProgress snapshot(std::int64_t nowMs) const;
    Expected<DownloadSummary> finish();
    void teardown();
};

Expected<bool> ParallelDownload::Private::prepare()
{
    auto start = DownloadStart::open(plan, options, buffer);
    if (!start)
        return Error{start.error(), start.errorCode()};
    DownloadStart begun = std::move(start).value();
    partLock = std::move(begun.lock);
    file = std::move(begun.file);
    record = std::move(begun.record);
    blocksDone = begun.blocksDone;
    doneBytes = begun.resumedBytes;
    resumedBytes = begun.resumedBytes;
    recordDirty = begun.resumed;
    pool = SourcePool(plan, record);
    return true;
}

void ParallelDownload::Private::fill(std::int64_t nowMs)
{
    std::vector<Source> &sources = pool.sources();
    for (size_t i = 0; i < sources.size(); ++i) {
        Source &s = sources[i];
        if (s.abandoned)
            continue;
        for (int slot = 0; slot < options.connectionsPerSource && !s.queue.empty(); ++slot) {
            if (size_t(slot) == s.connections.size()) {
                BlockFetch::Tuning tuning;
                tuning.bearerToken = options.bearerToken;
                s.connections.push_back(
                    std::make_unique<BlockFetch>(int(i), file, &s.received, tuning));
            }
            BlockFetch &fetch = *s.connections[size_t(slot)];
            if (fetch.busy())
                continue;
            const transfer::PlanBlock &block = plan.blocks[size_t(s.queue.front())];
            s.queue.pop_front();
            fetch.start(plan.blockUrl(block, int(i)), block, plan.etag, plan.blocks.size() == 1,
                        nowMs);
            curl_multi_add_handle(multi, fetch.handle());
            ++inFlight;
            s.updateBusy(nowMs);
        }
    }
}

void ParallelDownload::Private::drainMessages()
{
    int left = 0;
    while (CURLMsg *message = curl_multi_info_read(multi, &left)) {
        if (message->msg != CURLMSG_DONE)
            continue;
        const CURLcode result = message->data.result;
        BlockFetch *fetch = nullptr;
        curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &fetch);
        // Removing the handle frees `message`; everything needed was copied above.
        curl_multi_remove_handle(multi, fetch->handle());
        --inFlight;
        const FetchOutcome outcome = fetch->finish(result);
        pool.at(fetch->sourceIndex()).updateBusy(steadyNowMs());
        handle(*fetch, outcome);
        if (fatal)
            return;
    }
}

void ParallelDownload::Private::handle(BlockFetch &fetch, const FetchOutcome &outcome)
{
    const int sourceIndex = fetch.sourceIndex();
    Source &source = pool.at(sourceIndex);
    const int block = fetch.blockIndex();
    using Kind = FetchOutcome::Kind;
    switch (outcome.kind) {
    case Kind::Received: {
        const transfer::PlanBlock &b = plan.blocks[size_t(block)];
        verifier->submit({block, sourceIndex, b.offset, b.length, b.sha256});
        return;
    }
    case Kind::FileChanged:
        fail(QStringLiteral("the file changed on the server during the transfer (%1 answered "
                            "412 for block %2); run starling get again")
                 .arg(source.plan.name)
                 .arg(block),
             "file_changed");
        return;
    case Kind::LocalError:
        fail(outcome.reason, "io");
        return;
    case Kind::Failed:
        abandon(sourceIndex, outcome.reason, {block});
        return;
    }
}

void ParallelDownload::Private::collectVerified()
{
    for (const BlockVerifier::Result &result : verifier->takeResults()) {
        if (fatal)
            return;
        const int block = result.job.block;
        if (result.readError != 0)
            fail(QStringLiteral("cannot read block %1 back from %2: %3")
                     .arg(block)
                     .arg(file.path(), QString::fromLocal8Bit(strerror(result.readError))),
                 "io");
        else if (result.matches)
            markVerified(block, pool.at(result.job.source));
        else
            wrongBytes(block, result.job.source);
    }
}

void ParallelDownload::Private::wrongBytes(int block, int sourceIndex)
{
    Source &source = pool.at(sourceIndex);
    if (const int first = mismatchSource[size_t(block)]; first >= 0) {
        fail(QStringLiteral("block %1 failed its SHA-256 from %2 and from %3; the file on "
                            "the server may be damaged or changing")
                 .arg(block)
                 .arg(pool.at(first).plan.name, source.plan.name),
             "verification_failed");
        return;
    }
    mismatchSource[size_t(block)] = sourceIndex;
    // The source may have been abandoned for something else while the block was hashed.
    if (source.abandoned)
        pool.reassign({block}, plan, steadyNowMs());
    else
        abandon(sourceIndex,
                QStringLiteral("sent bytes that fail their hash (block %1)").arg(block), {block});
}

void ParallelDownload::Private::markVerified(int block, Source &source)
{
    const qint64 length = plan.blocks[size_t(block)].length;
    record.verified[size_t(block)] = true;
    ++blocksDone;
    doneBytes += length;
    source.verifiedBytes += length;
    ++source.verifiedBlocks;
    recordDirty = true;
    file.startWriteback(plan.blocks[size_t(block)].offset, length);
}

void ParallelDownload::Private::abandon(int sourceIndex, const QString &reason,
                                        std::vector<int> orphans)
{
    Source &s = pool.at(sourceIndex);
    if (s.abandoned)
        return;
    s.abandoned = true;
    s.reason = reason;
    for (const auto &connection : s.connections) {
        if (!connection->busy())
            continue;
        curl_multi_remove_handle(multi, connection->handle());
        --inFlight;
        orphans.push_back(connection->blockIndex());
        connection->abandon();
    }
    s.updateBusy(steadyNowMs());
    orphans.insert(orphans.end(), s.queue.begin(), s.queue.end());
    s.queue.clear();
    s.slowWindow.clear();
    std::sort(orphans.begin(), orphans.end());
    warn(QStringLiteral("%1 (%2) abandoned: %3%4")
             .arg(s.plan.name, s.plan.url.toString(), reason,
                  orphans.empty()
                      ? QString()
                      : QStringLiteral("; %1 blocks go to the other sources").arg(orphans.size())));
    pool.reassign(orphans, plan, steadyNowMs());
}

void ParallelDownload::Private::tick(std::int64_t nowMs, bool force)
{
    for (size_t i = 0; i < pool.sources().size() && !fatal; ++i) {
        if (const std::optional<QString> trouble = pool.trouble(int(i), nowMs, options))
            abandon(int(i), *trouble, {});
    }
    display.add(nowMs, pool.totalReceived(), kRateWindowMs);
    if (recordDirty && (force || nowMs - lastRecordMs >= options.recordIntervalMs))
        saveRecord();
    if (force || nowMs - lastProgressMs >= options.progressIntervalMs) {
        lastProgressMs = nowMs;
        DownloadProgress progress = snapshot(nowMs);
        {
            QMutexLocker lock(&publishedMutex);
            published = progress;
        }
        if (options.onProgress)
            options.onProgress(progress);
    }
}

void ParallelDownload::Private::saveRecord()
{
    recordDirty = false;
    lastRecordMs = steadyNowMs();
    if (const auto saved = record.save(transfer::recordFilePath(options.outputPath));
        !saved && !recordWarned) {
        recordWarned = true;
        warn(saved.error() + QStringLiteral("; --resume will not be able to continue"));
    }
}

DownloadProgress ParallelDownload::Private::snapshot(std::int64_t nowMs) const
{
    DownloadProgress p;
    p.totalBytes = plan.size;
    p.doneBytes = doneBytes;
    p.resumedBytes = resumedBytes;
    p.blocksTotal = int(plan.blocks.size());
    p.blocksDone = blocksDone;
    p.reassignments = pool.reassignments();
    p.elapsedS = double(nowMs - startMs) / 1000.0;
    for (const Source &s : pool.sources()) {
        p.sources.push_back(s.progress(nowMs));
        for (const auto &c : s.connections) {
            if (c->busy())
                p.doneBytes += c->received(); // bytes of blocks in flight count as progress
        }
    }
    if (verifier)
        p.doneBytes += verifier->pendingBytes(); // every byte arrived; the hash is pending
    p.rateBps = display.rate(nowMs, pool.totalReceived());
    p.etaS = p.rateBps > 0 ? double(p.totalBytes - p.doneBytes) / p.rateBps : -1;
    if (blocksDone == p.blocksTotal)
        p.etaS = 0;
    return p;
}

void ParallelDownload::Private::teardown()
{
    if (verifier)
        verifier->stop(); // before the multi handle its wake-up uses, and the part file
    for (Source &s : pool.sources()) {
        for (const auto &c : s.connections) {
            if (c->busy()) {
                curl_multi_remove_handle(multi, c->handle());
                c->abandon();
            }
        }
        s.connections.clear(); // easy handles go before the multi handle
    }
    inFlight = 0;
    if (multi)
        curl_multi_cleanup(std::exchange(multi, nullptr));
}

Expected<DownloadSummary> ParallelDownload::Private::finish()
{
    teardown(); // nothing writes into the part file after this
    const QString recordPath = transfer::recordFilePath(options.outputPath);
    if (!fatal && record.verifiedCount() != int(plan.blocks.size()))
        fail(QStringLiteral("internal error: the download ended with unverified blocks"), "io");
    if (!fatal) {
        if (const auto committed = file.commit(options.outputPath); !committed)
            fail(committed.error(), "io");
        else
            QFile::remove(recordPath);
    }
    // A file that changed makes the part file worthless; otherwise keep what was verified for
    // --resume.
    const bool worthless =
        fatal && (fatal->code == QLatin1String("file_changed") || record.verifiedCount() == 0);
    if (worthless) {
        file.remove();
        QFile::remove(recordPath);
    }
    recordDirty = fatal && !worthless; // the final record, for --resume
    const std::int64_t nowMs = steadyNowMs();
    tick(nowMs, true); // the final progress line (and record)
    file.close();
    if (fatal)
        return *fatal;
    DownloadSummary summary;
    summary.outputPath = options.outputPath;
    // Every byte passed exactly one block hash of this plan, so the file is the one the plan's
    // whole-file hash was computed from.
    summary.sha256 = plan.sha256;
    summary.progress = snapshot(nowMs);
    return summary;
}

ParallelDownload::ParallelDownload(transfer::TransferPlan plan, DownloadOptions options)
    : d(std::make_unique<Private>())
{
    d->plan = std::move(plan);
    d->options = std::move(options);
}

ParallelDownload::~ParallelDownload()
{
    d->teardown();
}

void ParallelDownload::requestStop()
{
    d->stopRequested.store(true, std::memory_order_relaxed);
}

DownloadProgress ParallelDownload::progress() const
{
    QMutexLocker lock(&d->publishedMutex);
    return d->published;
}

Expected<DownloadSummary> ParallelDownload::run()
{
    if (const auto problem = d->options.problem())
        return Error{*problem, QStringLiteral("io")};
    static_assert(std::atomic<bool>::is_always_lock_free, "requestStop() must be signal-safe");
    if (d->plan.size > 0 && d->plan.sources.empty())
        return Error{QStringLiteral("the plan has no sources"), QStringLiteral("sources_failed")};
    for (const transfer::PlanBlock &block : d->plan.blocks) {
        if (block.source < 0 || size_t(block.source) >= d->plan.sources.size())
            return Error{QStringLiteral("the plan's block %1 has no source").arg(block.index),
                         QStringLiteral("sources_failed")};
    }
    d->startMs = d->lastProgressMs = steadyNowMs();
    d->mismatchSource.assign(d->plan.blocks.size(), -1);
    if (const auto prepared = d->prepare(); !prepared)
        return Error{prepared.error(), prepared.errorCode()};
    ensureCurlInitialised();
    d->multi = curl_multi_init();
    if (!d->multi)
        return Error{QStringLiteral("cannot start libcurl"), QStringLiteral("io")};
    d->verifier = std::make_unique<BlockVerifier>(d->file.descriptor(), d->options.verifyThreads,
                                                  [p = d.get()] { curl_multi_wakeup(p->multi); });
    while (!d->fatal && d->step()) {
    }
    return d->finish();
}

// One round of the download: hand out blocks, check the sources, wait for libcurl or a
// verified block, take in what finished. False when the download is over.
bool ParallelDownload::Private::step()
{
    fill(steadyNowMs());
    if (blocksDone == int(plan.blocks.size()))
        return false;
    if (inFlight == 0 && verifier->pending() == 0) {
        fail(QStringLiteral("every source failed (%1)").arg(pool.abandonReasons()),
             "sources_failed");
        return false;
    }
    tick(steadyNowMs(), false);
    if (fatal)
        return false;
    if (inFlight == 0 && pool.anyQueued())
        return true; // the tick abandoned a source: hand its blocks out before waiting
    int ready = 0;
    const CURLMcode polled = curl_multi_poll(multi, nullptr, 0, kPollMs, &ready);
    int running = 0;
    const CURLMcode performed = polled == CURLM_OK ? curl_multi_perform(multi, &running) : polled;
    if (performed != CURLM_OK) {
        fail(QStringLiteral("libcurl: %1").arg(QString::fromLatin1(curl_multi_strerror(performed))),
             "io");
        return false;
    }
    drainMessages();
    if (!fatal)
        collectVerified();
    if (const std::optional<QString> full = file.reservationFailure())
        fail(*full, "io");
    if (stopRequested.load(std::memory_order_relaxed))
        fail(QStringLiteral("interrupted; run again with --resume to continue"), "interrupted");
    return true;
}

} // namespace starling::client
