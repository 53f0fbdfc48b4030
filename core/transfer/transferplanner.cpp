#include "transferplanner.h"

#include "sched/apportionment.h"
#include "sched/blockallocator.h"
#include "sched/platform.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

namespace starling::transfer {

namespace {

using sched::StrategyKind;

bool isKnown(double estimate)
{
    return std::isfinite(estimate) && estimate > 0;
}

bool canServe(const PlanCandidate &c)
{
    return cluster::acceptsTasks(c.state) && c.dataUrl.isValid() && !c.dataUrl.host().isEmpty() &&
           (c.dataUrl.scheme() == u"http" || c.dataUrl.scheme() == u"https") &&
           std::isfinite(c.weight) && c.weight > 0;
}

// Unknown estimates become the mean of the known ones, or 1 for all when none is known.
std::vector<double> filled(const std::vector<double> &estimates, bool *anyKnown)
{
    double sum = 0;
    int known = 0;
    for (double e : estimates) {
        if (isKnown(e)) {
            sum += e;
            ++known;
        }
    }
    *anyKnown = known > 0;
    const double fill = known > 0 ? sum / known : 1.0;
    std::vector<double> result;
    for (double e : estimates)
        result.push_back(isKnown(e) ? e : fill);
    return result;
}

// The sched strategy whose shares a transfer uses (see the header for why optimal is bw).
StrategyKind baseKind(StrategyKind kind, bool bandwidthKnown, bool computeKnown)
{
    switch (kind) {
    case StrategyKind::Equal:
        return StrategyKind::Equal;
    case StrategyKind::Cpu:
        return computeKnown ? StrategyKind::Cpu : StrategyKind::Equal;
    case StrategyKind::Pdds:
        return bandwidthKnown || computeKnown ? StrategyKind::Pdds : StrategyKind::Equal;
    case StrategyKind::Bandwidth:
    case StrategyKind::Optimal:
    case StrategyKind::Dynamic:
        return bandwidthKnown ? StrategyKind::Bandwidth : StrategyKind::Equal;
    }
    return StrategyKind::Equal;
}

QString noSourceMessage(const PlanRequest &request)
{
    int inactive = 0;
    int noUrl = 0;
    for (const PlanCandidate &c : request.candidates) {
        if (!cluster::acceptsTasks(c.state))
            ++inactive;
        else if (!canServe(c))
            ++noUrl;
    }
    const QString message = QStringLiteral("no slave can serve \"%1\" now").arg(request.path);
    if (request.candidates.empty())
        return message + QStringLiteral(": the cluster has no slaves");
    return message + QStringLiteral(" (%1 slaves: %2 not ACTIVE, %3 without a data server or "
                                    "weight); resume a slave or retry when one is back")
                         .arg(request.candidates.size())
                         .arg(inactive)
                         .arg(noUrl);
}

qint64 pieceCount(const FileDigest &digest)
{
    return digest.size == 0 ? 0 : (digest.size - 1) / digest.pieceSize + 1;
}

std::optional<Error> checkDigest(const PlanRequest &request)
{
    const FileDigest &digest = request.digest;
    const auto bad = [](const QString &message) {
        return Error{QStringLiteral("cannot plan: ") + message, QStringLiteral("bad_request")};
    };
    if (request.transferId.isEmpty() || request.transferId.size() > 128)
        return bad(QStringLiteral("the transfer id must be 1 to 128 characters"));
    if (digest.size < 0 || digest.pieceSize <= 0 || digest.sha256.size() != 64)
        return bad(QStringLiteral("\"%1\" has no valid digest").arg(request.path));
    const qint64 pieces = pieceCount(digest);
    if (pieces != digest.pieces.size() || pieces > TransferPlan::kMaxBlocks) {
        return bad(QStringLiteral("\"%1\": %2 piece hashes for %3 bytes in pieces of %4")
                       .arg(request.path, QString::number(digest.pieces.size()),
                            QString::number(digest.size), QString::number(digest.pieceSize)));
    }
    return std::nullopt;
}

// The plan's sources: lightest first, ties by MPI rank.
std::vector<PlanCandidate> servingSlaves(const PlanRequest &request)
{
    std::vector<PlanCandidate> slaves;
    for (const PlanCandidate &c : request.candidates) {
        if (canServe(c))
            slaves.push_back(c);
    }
    std::sort(slaves.begin(), slaves.end(), [](const PlanCandidate &a, const PlanCandidate &b) {
        return a.loadRank != b.loadRank ? a.loadRank < b.loadRank : a.rank < b.rank;
    });
    if (slaves.size() > size_t(TransferPlan::kMaxSources))
        slaves.resize(size_t(TransferPlan::kMaxSources)); // the heaviest go
    return slaves;
}

// Everything but blocks and sources: what the file is.
TransferPlan planHeader(const PlanRequest &request)
{
    const FileDigest &digest = request.digest;
    TransferPlan plan;
    plan.transferId = request.transferId;
    plan.path = request.path;
    plan.size = digest.size;
    // Floor division: a file from before 1970 keeps its millisecond, not one after.
    plan.mtimeMs =
        digest.mtimeNs >= 0 ? digest.mtimeNs / 1000000 : -((-digest.mtimeNs + 999999) / 1000000);
    plan.etag = request.etag.isEmpty() ? makeEtag(digest.size, digest.mtimeNs) : request.etag;
    plan.pieceSize = digest.pieceSize;
    plan.sha256 = digest.sha256;
    plan.strategy = sched::toString(request.strategy);
    return plan;
}

// Every source's weight (the strategy's base weight times W_i); `kind` becomes Equal when the
// strategy had nothing to go on.
std::vector<double> sourceWeights(const PlanRequest &request,
                                  const std::vector<PlanCandidate> &slaves, StrategyKind *kind)
{
    std::vector<double> links;
    std::vector<double> computes;
    for (const PlanCandidate &c : slaves) {
        links.push_back(c.linkMBps);
        computes.push_back(c.unitComputeS);
    }
    bool linksKnown = false;
    bool computesKnown = false;
    const std::vector<double> b = filled(links, &linksKnown);
    const std::vector<double> t = filled(computes, &computesKnown);
    *kind = baseKind(request.strategy, linksKnown, computesKnown);

    sched::Platform platform;
    for (size_t i = 0; i < slaves.size(); ++i)
        platform.slaves.push_back({slaves[i].name, t[i], b[i]});
    std::vector<int> order(slaves.size());
    std::iota(order.begin(), order.end(), 0);
    std::vector<double> weights =
        sched::makeStrategy(*kind, request.pdds)->divisibleShares(platform, order, 1.0);
    double sum = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
        weights[i] =
            std::isfinite(weights[i]) && weights[i] > 0 ? weights[i] * slaves[i].weight : 0;
        sum += weights[i];
    }
    if (!(sum > 0) || !std::isfinite(sum)) {
        // PDDS with W1 = W2 = 0 weighs nothing; an equal split is the only defensible answer.
        *kind = StrategyKind::Equal;
        for (size_t i = 0; i < weights.size(); ++i)
            weights[i] = slaves[i].weight;
    }
    return weights;
}

std::vector<long long> pieceCounts(StrategyKind kind, const std::vector<double> &weights,
                                   long long pieces)
{
    if (kind == StrategyKind::Equal)
        return sched::BlockAllocator::equalCounts(pieces, weights);
    std::vector<int> order(weights.size());
    std::iota(order.begin(), order.end(), 0);
    return sched::apportion(weights, pieces, order);
}

// Source i's run of pieces follows source i - 1's, so rank 0's run starts the file.
void appendRuns(TransferPlan &plan, const FileDigest &digest,
                const std::vector<PlanCandidate> &slaves, const std::vector<long long> &counts)
{
    qint64 piece = 0;
    for (size_t i = 0; i < slaves.size(); ++i) {
        qint64 bytes = 0;
        for (long long k = 0; k < counts[i]; ++k, ++piece) {
            const qint64 offset = piece * digest.pieceSize;
            const qint64 length = qMin(digest.pieceSize, digest.size - offset);
            plan.blocks.push_back({int(piece), offset, length, digest.pieces[piece], int(i)});
            bytes += length;
        }
        QUrl url = slaves[i].dataUrl;
        url.setPath(QString());
        url.setQuery(QString());
        url.setFragment(QString());
        const QString name = slaves[i].name.isEmpty()
                                 ? QStringLiteral("rank-%1").arg(slaves[i].rank)
                                 : slaves[i].name;
        plan.sources.push_back({slaves[i].rank, name.left(256), url,
                                isKnown(slaves[i].linkMBps) ? slaves[i].linkMBps : 0,
                                digest.size > 0 ? double(bytes) / double(digest.size) : 0});
    }
}

} // namespace

Expected<TransferPlan> planTransfer(const PlanRequest &request)
{
    const FileDigest &digest = request.digest;
    if (std::optional<Error> error = checkDigest(request))
        return *error;
    const qint64 pieces = pieceCount(digest);
    const std::vector<PlanCandidate> slaves = servingSlaves(request);
    if (slaves.empty() && pieces > 0)
        return Error{noSourceMessage(request), QStringLiteral("no_source")};

    TransferPlan plan = planHeader(request);
    if (slaves.empty())
        return plan;
    StrategyKind kind = request.strategy;
    const std::vector<double> weights = sourceWeights(request, slaves, &kind);
    if (kind == StrategyKind::Equal)
        plan.strategy = sched::toString(StrategyKind::Equal);
    appendRuns(plan, digest, slaves, pieceCounts(kind, weights, pieces));
    return plan;
}

} // namespace starling::transfer
