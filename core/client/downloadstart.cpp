#include "downloadstart.h"

#include "transfer/sha256.h"

#include <QFile>

#include <optional>

namespace starling::client {

namespace {

void warn(const DownloadOptions &options, const QString &line)
{
    if (options.onWarning)
        options.onWarning(line);
}

// The record of the previous attempt, when --resume asks for it and it fits the plan.
std::optional<transfer::BlockRecord>
previousRecord(const transfer::TransferPlan &plan, const DownloadOptions &options, bool partExisted)
{
    const QString partPath = transfer::partFilePath(options.outputPath);
    const QString recordPath = transfer::recordFilePath(options.outputPath);
    if (options.resume) {
        auto loaded = transfer::BlockRecord::load(recordPath, plan);
        if (loaded)
            return std::move(loaded).value();
        if (loaded.errorCode() != QLatin1String("missing"))
            warn(options, QStringLiteral("ignoring the resume record: %1; starting over")
                              .arg(loaded.error()));
    } else if (QFile::exists(recordPath) || partExisted) {
        warn(options,
             QStringLiteral("discarding the partial download %1 (use --resume to continue it)")
                 .arg(partPath));
        QFile::remove(recordPath);
    }
    return std::nullopt;
}

} // namespace

Expected<DownloadStart> DownloadStart::open(const transfer::TransferPlan &plan,
                                            const DownloadOptions &options, QByteArray &buffer)
{
    const QString partPath = transfer::partFilePath(options.outputPath);
    // Locked before the record or the part file is looked at: another download may own them.
    const bool partExisted = QFile::exists(partPath);
    auto locked = PartFileLock::acquire(partPath);
    if (!locked)
        return Error{locked.error(), locked.errorCode()};
    std::optional<transfer::BlockRecord> previous = previousRecord(plan, options, partExisted);
    auto opened = PartFile::open(partPath, plan.size, previous.has_value());
    if (!opened)
        return Error{opened.error(), QStringLiteral("io")};
    DownloadStart start;
    start.lock = std::move(locked).value();
    start.file = std::move(opened).value();
    if (previous && !start.file.keptContent()) {
        warn(options, QStringLiteral("%1 is missing or not %2 bytes long; starting over")
                          .arg(partPath)
                          .arg(plan.size));
        previous.reset();
    }
    start.record = transfer::BlockRecord::forPlan(plan);
    if (!previous)
        return start;
    if (const auto checked = start.recheck(plan, options, *previous, buffer); !checked)
        return Error{checked.error(), checked.errorCode()};
    start.resumed = true;
    return start;
}

Expected<bool> DownloadStart::recheck(const transfer::TransferPlan &plan,
                                      const DownloadOptions &options,
                                      const transfer::BlockRecord &previous, QByteArray &buffer)
{
    int dropped = 0;
    for (const transfer::PlanBlock &block : plan.blocks) {
        if (!previous.verified[size_t(block.index)])
            continue;
        if (const auto read = file.read(block.offset, block.length, buffer); !read)
            return Error{read.error(), QStringLiteral("io")};
        if (transfer::Sha256::hexOf(buffer) != block.sha256) {
            ++dropped;
            continue;
        }
        record.verified[size_t(block.index)] = true;
        ++blocksDone;
        resumedBytes += block.length;
    }
    if (dropped > 0)
        warn(options, QStringLiteral("%1 of the %2 blocks the resume record counted no longer "
                                     "match their hash; fetching them again")
                          .arg(dropped)
                          .arg(previous.verifiedCount()));
    return true;
}

} // namespace starling::client
