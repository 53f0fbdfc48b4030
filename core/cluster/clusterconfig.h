#pragma once

#include "sched/distributionstrategy.h"
#include "util/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <map>

namespace starling::cluster {

// The special value of bind_host/advertise_host meaning "this rank's host address".
inline constexpr QLatin1String kRankHostAddress("host");

// An address setting for one role or one host; empty fields inherit the wider setting.
struct AddressOverride
{
    QString bindHost;
    QString advertiseHost;

    bool operator==(const AddressOverride &) const = default;
};

// How one cluster runs: addresses, failure-detector timing, bridge limits and the scheduling
// default. Read from a JSON file whose keys are all optional (resources/config/starling.json
// lists every one at its default; README.md "Configuration" says what each means). Any problem is
// one line naming the origin and the key. Ports set to 0 mean "any free port".
struct ClusterConfig
{
    static constexpr qint64 kMaxFileBytes = 1 << 20;
    static constexpr int kMinHeartbeatMs = 10;
    static constexpr int kMaxTimingMs = 3600000;

    static constexpr int kMaxAddressOverrides = 1024;

    // The master API and the data servers bind bindHost and put advertiseHost in their URLs
    // ("" = the bind address, or the rank's host address when binding a wildcard). Either may
    // be "host": the address of the rank's host as Hydra names it. The bridge and /metrics bind
    // serviceHost, loopback unless configured. `roles` ("master", "slave") and `hosts` (keyed
    // by the host as Hydra names it) override these, the host being the more specific.
    QString bindHost = QStringLiteral("127.0.0.1");
    QString advertiseHost;
    QString serviceHost = QStringLiteral("127.0.0.1");
    std::map<QString, AddressOverride> roleAddresses;
    std::map<QString, AddressOverride> hostAddresses;
    quint16 masterPort = 0;
    quint16 bridgePort = 0;
    quint16 metricsPort = 0;
    quint16 dataPortBase = 0; // nonzero: slave k (0 = first slave) listens on dataPortBase + k
    QString exportRoot = QStringLiteral(".");
    int heartbeatMs = 500;
    int suspectAfterMs = 2000;
    int downAfterMs = 5000;
    // How often the master probes every rank (and slaves the master and monitor) with an empty
    // message: a dead process fails the send, so a crash is known within about this long.
    int peerProbeMs = 250;
    double snapshotHz = 2.0;
    int historyLength = 120; // heartbeat samples the monitor keeps per node
    // The console's charts: how far back the monitor remembers every slave, in how many
    // samples at most (one per historyMinutes * 60 s / historyPoints), see HistoryStore.
    int historyMinutes = 60;
    int historyPoints = 3600;
    int bridgeMaxClients = 64;
    qint64 bridgeLineLimitBytes = 65536;
    qint64 bridgeClientBufferBytes = 1048576;
    sched::StrategyKind strategy = sched::kDefaultStrategy;
    double w1 = sched::PddsWeights{}.w1;
    double w2 = sched::PddsWeights{}.w2;
    double startupTimeoutS = 30;
    // Image jobs: the largest upload and image the master takes, how many jobs may wait, how
    // many finished ones it keeps for their results, and the compute speed of a *standard*
    // slave (megabytes of input per second for an op of relative cost 1), which the profile's
    // cpu_factor divides on an emulated slave.
    // image_max_bytes is also the largest job upload body: a bigger Content-Length gets 413
    // before anything is read. image_max_pixels is the per-image pixel budget (422 over it).
    qint64 imageMaxBytes = qint64(256) << 20;
    qint64 imageMaxPixels = qint64(64) << 20;
    int jobQueueLimit = 1024; // issue 16, fairness: was 16; per submitter see below
    int jobsKept = 32;
    double imageStandardMBps = 20;
    // Issue 15, slice "local" (planning huge files): hashing passes the master runs at once
    // (more wait queued), their read rate in MB/s (0 = unlimited), and how long a plan request
    // waits for the hashes before it is answered 202 with the progress.
    int planHashPasses = 2;
    double planHashReadMBps = 0;
    int planHashWaitMs = 1000;
    // Security, "who may do what" slice (issue 15): jobs and the cluster snapshot always need
    // the cluster token; with this the file API (master and data servers) needs it too.
    // Default off, so plain curl and aria2c keep working.
    bool requireFileToken = false;

    // Slice "uploads" (issue 15): job uploads read and decoded at once (more get 503 "busy"),
    // and the one byte budget for uploads, queued and running jobs and kept results (503
    // "budget_exceeded").
    int jobUploadSlots = 2;
    qint64 jobByteBudget = qint64(1) << 30;

    // Relay limits and bridge flood resistance (issue 15, "flood" slice). Relays reserve their
    // worst-case memory from relayBudgetBytes (waiting at most relayBusyWaitMs, then 503
    // relay_busy); the master's HTTP server takes at most masterConnectionsPerAddress
    // connections from one client address and closes a streamed body that moved fewer than
    // relayMinRateBytesPerS x relayMinRateWindowS bytes over the last window (0 = no floor).
    // Bridge connections that have not said hello have their own quotas, per address and in
    // all, apart from bridgeMaxClients (which counts authenticated clients); after accept()
    // fails (out of descriptors) the bridge tries again after bridgeAcceptRetryMs.
    qint64 relayBudgetBytes = qint64(256) << 20;
    int relayBusyWaitMs = 2000;
    int masterConnectionsPerAddress = 32;
    qint64 relayMinRateBytesPerS = 16384;
    int relayMinRateWindowS = 30;
    int bridgePreHelloPerAddress = 16;
    int bridgePreHelloMax = 64;
    int bridgeHelloTimeoutMs = 5000;
    int bridgeAcceptRetryMs = 250;
    // TLS slice: PEM paths (relative ones resolved against the config file's directory). With
    // a certificate and key the master API, every data server, the bridge and /metrics speak
    // TLS only; `tls_ca` is the CA file clients are told to trust (state file `tls.ca_file`),
    // without it they pin the certificate's public key. Empty = clear text, as before.
    QString tlsCert;
    QString tlsKey;
    QString tlsCa;
    // Estimator slice (issue 16): how fast the master's cost estimates forget (weight of the
    // older timings at each new one: 0.9 = about ten effective samples), and after how many
    // seconds without a new timing an estimate's confidence halves.
    double estimatorForgetting = 0.9;
    double estimatorConfidenceHalfLifeS = 3600;

    // Issue 16, slice "fairness": queue slots one submitter may hold (queued and being
    // uploaded), and the part of job_byte_budget it may hold beyond its first job; past either
    // a submission gets 429 "submitter_quota".
    int jobQueuePerSubmitter = 256;
    double jobSubmitterByteShare = 0.5;
    // Issue 16, showing the estimates: the master sends its cost estimates to the monitor (for
    // the snapshot, the console and /metrics) when they change, at most this often.
    int estimatePublishMs = 1000;
    // Issue 16, slice "runner": image jobs the master runs at once, sharing its port (a job
    // starts on the backlog of those in front). 1 = one at a time, first come first served.
    int jobOverlap = 3;

    bool tlsEnabled() const { return !tlsCert.isEmpty(); }

    sched::PddsWeights pddsWeights() const { return {w1, w2}; }

    QJsonObject toJson() const;
    static Expected<ClusterConfig> fromJson(const QByteArray &json, const QString &origin);
    static Expected<ClusterConfig> load(const QString &path);

    bool operator==(const ClusterConfig &) const = default;
};

} // namespace starling::cluster
