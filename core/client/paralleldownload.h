#pragma once

#include "client/downloadoptions.h"
#include "client/downloadprogress.h"
#include "transfer/transferplan.h"
#include "util/expected.h"

#include <QString>

#include <memory>

namespace starling::client {

// Runs a TransferPlan: every block from its planned source over a few keep-alive connections
// per source (libcurl multi, one thread, curl_multi_poll: no busy loop), written in place into
// `<out>.starling-part`, read back and verified against its SHA-256 on verifyThreads other
// threads (BlockVerifier: receiving keeps one core busy on a fast link), and its disk write
// started once verified (so the final flush waits for the last blocks only); then the part
// file is made durable and renamed to `<out>` and the resume record removed, so nothing is
// left behind.
//
// The whole-file hash is not computed again: the plan's blocks tile the file exactly
// (TransferPlan::fromJson checks it) and every byte passes its block's SHA-256, which the
// master computed in the same pass as the whole-file hash. Reading the file back to hash it
// once more cost a second pass over every byte (a third of the CPU time of an unshaped
// download) and proved nothing the block hashes had not.
//
// Failures, as the plan's contract (transferplan.h) allows, since every slave serves every
// block:
// - a source whose connection is silent for stallTimeoutMs, that answers an error or breaks a
//   connection, or (when the plan gives its link_MBps) runs below slowFraction of that rate
//   over slowWindowMs while another source keeps at least twice that fraction of its own, is
//   abandoned for the rest of this download; its unfinished blocks go to the remaining
//   sources, each to the one expected to finish it first (the fastest first);
// - a source that sends bytes that fail their hash is abandoned too (its copy differs); the
//   block is fetched again once from another source, and a second mismatch fails the download;
// - 412 from any source means the file changed on the server: the download stops with error
//   code "file_changed" and removes its part file and record (never a mixed file);
// - when every source is gone the download fails ("sources_failed"), keeping the part file and
//   record for a later resume if any block was verified.
// Apart from failures the plan is followed as given (no work stealing), so what a strategy
// decides is what the client does.
//
// Error codes: file_changed, sources_failed, verification_failed, interrupted, io.
class ParallelDownload
{
public:
    ParallelDownload(transfer::TransferPlan plan, DownloadOptions options);
    ~ParallelDownload();
    ParallelDownload(const ParallelDownload &) = delete;
    ParallelDownload &operator=(const ParallelDownload &) = delete;

    // Blocks until the download is done, failed or stopped.
    Expected<DownloadSummary> run();
    // Stops a running download soon (within ~100 ms), saving the resume record; run() then
    // fails with code "interrupted". Async-signal-safe, callable from any thread.
    void requestStop();
    // The latest state; after run() returns, the final one (also on failure).
    DownloadProgress progress() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace starling::client
