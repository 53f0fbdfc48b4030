#pragma once

#include "client/downloadoptions.h"
#include "client/partfile.h"
#include "client/partfilelock.h"
#include "transfer/blockrecord.h"
#include "transfer/transferplan.h"
#include "util/expected.h"

#include <QByteArray>

namespace starling::client {

// Where a download starts: its part file, opened (kept only when --resume finds a record that
// fits it), and the blocks already verified in it. Internal to ParallelDownload.
class DownloadStart
{
public:
    // Without --resume an earlier partial download is discarded (with a warning). With it, a
    // record that does not load or a part file of the wrong size means starting over, and
    // every block the record claims is hashed again: the page cache may have lost bytes the
    // record counted (a crash before writeback), or someone may have edited the part file.
    // `buffer` is scratch space for reading blocks back.
    static Expected<DownloadStart> open(const transfer::TransferPlan &plan,
                                        const DownloadOptions &options, QByteArray &buffer);

    PartFileLock lock; // held as long as the download runs
    PartFile file;
    transfer::BlockRecord record; // the plan's, with the blocks that passed their hash again
    int blocksDone = 0;
    qint64 resumedBytes = 0;
    bool resumed = false; // a record was carried over, so it needs saving

private:
    Expected<bool> recheck(const transfer::TransferPlan &plan, const DownloadOptions &options,
                           const transfer::BlockRecord &previous, QByteArray &buffer);
};

} // namespace starling::client
