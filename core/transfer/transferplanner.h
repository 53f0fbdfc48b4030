#pragma once

#include "cluster/nodestate.h"
#include "sched/distributionstrategy.h"
#include "transfer/piecehasher.h"
#include "transfer/transferplan.h"
#include "util/expected.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <vector>

namespace starling::transfer {

// A slave as the master sees it when a file is requested.
struct PlanCandidate
{
    int rank = 0; // MPI rank
    QString name;
    QUrl dataUrl; // its data server (http://host:port); empty when it has none yet
    cluster::NodeState state = cluster::NodeState::Active;
    double weight = 1.0;     // W_i, the operator's weight
    int loadRank = 0;        // 0 = lightest (paper 1)
    double linkMBps = 0;     // B_i estimate; 0 = unknown
    double unitComputeS = 0; // T_i estimate; 0 = unknown
};

struct PlanRequest
{
    QString transferId;
    QString path;    // relative to the export root, as in the plan
    QByteArray etag; // empty = makeEtag(digest.size, digest.mtimeNs)
    FileDigest digest;
    sched::StrategyKind strategy = sched::StrategyKind::Equal;
    sched::PddsWeights pdds;
    std::vector<PlanCandidate> candidates;
};

// Builds the plan for one file (paper 1 with issue 4's strategies):
// - Only ACTIVE slaves with an http(s) data URL and a positive weight take part; they become the
//   plan's sources in load-rank order (ties by MPI rank), and every one of them is listed even
//   with no blocks, so a client can move blocks to it when another source fails.
// - Pieces (the digest's) are allocated in contiguous runs in that order, so rank 0's run starts
//   the file. The strategy gives each slave a base weight, multiplied by W_i:
//   `equal` 1 (paper 1: floor(quota) pieces each, every remaining piece to rank 0; with equal
//   W_i that is floor(pieces/N) each), `cpu` 1/T_i, `pdds` PF_i (paper 2, W1/W2 as given),
//   `bw`, `optimal` and `dynamic` B_i. For a pure transfer each source sends over its own link,
//   so the divisible-load optimum (everyone finishes together) is exactly proportional to link
//   speed: `optimal` is `bw` here, and `dynamic` starts from it (the client rebalances). All but
//   `equal` apportion pieces by largest remainder, ties to the lighter slave.
// - An unknown estimate (0, negative or not finite) is the mean of the known ones; when none is
//   known the term is equal for all, and a strategy that had nothing else to go on (`bw`,
//   `optimal`, `dynamic` without B_i, `cpu` without T_i, `pdds` without either) becomes
//   `equal`, which the plan's `strategy` then says.
// - Each source's share is the fraction of the file's bytes in its run.
// Errors: code "no_source" when no slave can serve a non-empty file (an empty one needs no
// source), "bad_request" for a digest or id the plan could not carry.
Expected<TransferPlan> planTransfer(const PlanRequest &request);

} // namespace starling::transfer
