#include "messagetag.h"

namespace starling::mpi {

const char *toString(Tag tag)
{
    switch (tag) {
    case Tag::Hello:
        return "hello";
    case Tag::Heartbeat:
        return "heartbeat";
    case Tag::Snapshot:
        return "snapshot";
    case Tag::AdminState:
        return "admin-state";
    case Tag::Command:
        return "command";
    case Tag::CommandReply:
        return "command-reply";
    case Tag::Event:
        return "event";
    case Tag::Liveness:
        return "liveness";
    case Tag::TaskAssign:
        return "task-assign";
    case Tag::TaskDone:
        return "task-done";
    case Tag::EpochReset:
        return "epoch-reset";
    case Tag::Shutdown:
        return "shutdown";
    case Tag::ChunkRead:
        return "chunk-read";
    case Tag::ChunkData:
        return "chunk-data";
    case Tag::BlockServed:
        return "block-served";
    case Tag::StripAssign:
        return "strip-assign";
    case Tag::StripResult:
        return "strip-result";
    case Tag::Slowdown:
        return "slowdown";
    case Tag::Wake:
        return "wake";
    case Tag::Probe:
        return "probe";
    case Tag::PeerLost:
        return "peer-lost";
    case Tag::StripReceived:
        return "strip-received";
    case Tag::CostEstimates:
        return "cost-estimates";
    }
    return "unknown";
}

} // namespace starling::mpi
