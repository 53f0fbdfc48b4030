#pragma once

#include "cluster/nodestate.h"
#include "http/httpserver.h"
#include "relayservice.h"
#include "sched/distributionstrategy.h"
#include "transfer/blocktagsigner.h"
#include "transfer/exportroot.h"
#include "transfer/piecehashcache.h"
#include "transfer/rangeheader.h"
#include "transfer/transferplan.h"

#include <QJsonObject>
#include <QUrl>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

namespace starling::mpi {

// The master's file API (paper 1's service): the export root's listing for people and
// programs, transfer plans for parallel clients, Metalink documents for aria2c, and the relay
// of whole files for plain clients. Runs on the HTTP server's connection threads; what it
// knows of the cluster is a copy the master's MPI thread replaces with setSlaves().
class FileService
{
public:
    // One slave as the planner sees it, from the master's table and the monitor's snapshot.
    struct Slave
    {
        int rank = 0;
        QString name;
        QUrl dataUrl;
        cluster::NodeState state = cluster::NodeState::Active;
        double weight = 1.0;
        int loadRank = -1;       // 0 = lightest; -1 = not ranked
        double linkMBps = 0;     // B_i estimate; 0 = unknown
        double unitComputeS = 0; // T_i estimate; 0 = unknown
    };
    struct Policy
    {
        sched::StrategyKind strategy = sched::kDefaultStrategy;
        sched::PddsWeights pdds;
    };

    // How long a plan request waits for its file's hashes before it is answered 202 with the
    // progress (the client asks again); small files are planned within it.
    static constexpr int kDefaultPlanHashWaitMs = 1000;

    // `signer` signs every block tag of the plans made here (see BlockTagSigner).
    FileService(transfer::ExportRoot root, RelayService &relay, transfer::BlockTagSigner signer,
                transfer::PieceHashCacheLimits hashLimits = {},
                int planHashWaitMs = kDefaultPlanHashWaitMs);

    // Any thread. An answer for the paths this service owns (/, /<dir>/, /files/...,
    // /api/v1/files, /api/v1/plan), nullopt for others.
    std::optional<http::HttpResponse> handle(const http::HttpRequest &request);

    // MPI thread.
    void setSlaves(std::vector<Slave> slaves, Policy policy);
    // Called on a connection thread with events for the monitor (plans made); the receiver
    // posts them to its own thread.
    void setEventSink(std::function<void(QJsonObject)> sink);
    // Before the HTTP server stops: relays waiting for data give up at once.
    void stop();
    // The relay's limits on the server that carries it: connections per client address and
    // the minimum rate a relayed body must be read at.
    void applyConnectionLimits(http::HttpServerLimits &limits) const;

private:
    http::HttpResponse listing(const QByteArray &directory, bool html);
    http::HttpResponse plan(const http::HttpRequest &request);
    http::HttpResponse metalink(const transfer::ResolvedFile &file, const QByteArray &host);
    http::HttpResponse relay(const http::HttpRequest &request, const transfer::ResolvedFile &file);
    http::HttpResponse relayedBody(int status, const transfer::ResolvedFile &file,
                                   const QByteArray &etag, const transfer::RangeRequest &range);
    Expected<transfer::TransferPlan> makePlan(const transfer::ResolvedFile &file,
                                              std::optional<sched::StrategyKind> strategy);
    Expected<transfer::TransferPlan> makePlan(const transfer::ResolvedFile &file,
                                              std::optional<sched::StrategyKind> strategy,
                                              transfer::FileDigest digest);
    void emitPlanned(const transfer::TransferPlan &plan);
    void emitEvent(QJsonObject event);

    transfer::ExportRoot m_root;
    RelayService &m_relay;
    const transfer::BlockTagSigner m_signer;
    transfer::PieceHashCache m_hashes;
    int m_planHashWaitMs = kDefaultPlanHashWaitMs;
    mutable std::mutex m_mutex; // guards m_slaves, m_policy, m_sink
    std::vector<Slave> m_slaves;
    Policy m_policy;
    std::function<void(QJsonObject)> m_sink;
    std::atomic<bool> m_stopping{false};
    std::atomic<qint64> m_nextTransfer{1};
};

} // namespace starling::mpi
