#pragma once

#include <QString>

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace starling::cluster {

enum class Liveness
{
    Alive,
    Suspect,
    Down
};

QString toString(Liveness liveness); // "alive", "suspect", "down"
std::optional<Liveness> livenessFromString(QStringView name);

struct LivenessChange
{
    int rank = 0;
    Liveness from = Liveness::Alive;
    Liveness to = Liveness::Alive;
    std::int64_t silentMs = 0; // how long the node had been silent when the change was made
};

// Missed heartbeats turn a node SUSPECT, then DOWN; the next heartbeat makes it alive again,
// unless its process is known to have exited.
// Times are from a monotonic clock (ms); the detector itself reads no clock, so tests drive it.
class FailureDetector
{
public:
    FailureDetector(std::int64_t suspectAfterMs, std::int64_t downAfterMs);

    // Starts watching a node as if it had just sent a heartbeat (grace period at start-up).
    void watch(int rank, std::int64_t nowMs);
    // Returns the change if the node was SUSPECT or DOWN and is now alive again.
    std::optional<LivenessChange> heartbeat(int rank, std::int64_t nowMs);
    // Changes since the last call, at most one per node, in rank order.
    std::vector<LivenessChange> evaluate(std::int64_t nowMs);
    // The node's process is gone (the master saw a send to it fail): DOWN for good, whatever
    // arrives later. Returns the change, or nothing if it was already known to have exited.
    std::optional<LivenessChange> markExited(int rank, std::int64_t nowMs);

    Liveness liveness(int rank) const;
    bool exited(int rank) const;
    // -1 when the node is not watched.
    std::int64_t silenceMs(int rank, std::int64_t nowMs) const;

private:
    struct Watch
    {
        std::int64_t lastHeardMs = 0;
        Liveness liveness = Liveness::Alive;
        bool exited = false;
    };
    std::int64_t m_suspectAfterMs;
    std::int64_t m_downAfterMs;
    std::map<int, Watch> m_watches;
};

} // namespace starling::cluster
