#pragma once

namespace starling::mpi {

// Every message between ranks carries one of these tags; the payload is compact JSON of the
// type named beside it (core/protocol, the message catalogue), or binary where it says so. Values
// are part of the wire contract between ranks of one build only, so they may change between
// versions.
enum class Tag : int
{
    Hello = 1,     // any rank -> monitor: protocol::RankHello
    Heartbeat,     // slave -> monitor: NodeStats
    Snapshot,      // monitor -> master: ClusterSnapshot
    AdminState,    // master -> monitor: protocol::AdminStateMessage
    Command,       // monitor -> master: protocol::CommandRequest
    CommandReply,  // master -> monitor: protocol::CommandReply
    Event,         // master -> monitor: a typed event (protocol/*events.h)
    Liveness,      // monitor -> master: protocol::LivenessReport
    TaskAssign,    // master -> slave: protocol::TaskAssignment
    TaskDone,      // slave -> master: protocol::TaskCompletion
    EpochReset,    // master -> slave: protocol::EpochReset
    Shutdown,      // master -> every rank: {}
    ChunkRead,     // master -> slave: read a chunk of a file for the relay (transfer::ChunkRequest)
    ChunkData,     // slave -> master: the chunk, or why not (transfer::ChunkAnswer)
    BlockServed,   // slave -> master: protocol::TransferBlockEvent without node and time
    StripAssign,   // master -> slave: an image strip to compute (jobs::StripAssignment, binary)
    StripResult,   // slave -> master: the computed strip, or why not (jobs::StripResult, binary)
    Slowdown,      // master -> slave: protocol::Slowdown
    Wake,          // master -> slave: protocol::Wake
    Probe,         // any rank -> a watched peer: empty; a failed send means the peer is gone
    PeerLost,      // master -> monitor: cluster::PeerLoss, a slave's process is gone
    StripReceived, // slave -> master: jobs::StripReceipt, a strip arrived whole
    // issue 16, showing the estimates:
    CostEstimates, // master -> monitor: protocol::CostEstimatesMessage
};

const char *toString(Tag tag);

} // namespace starling::mpi
