#pragma once

namespace starling::mpi {

// Every message between ranks carries one of these tags; the payload is compact JSON. Values are
// part of the wire contract between ranks of one build only, so they may change between versions.
enum class Tag : int
{
    Hello = 1,     // any rank -> monitor: who and where I am (pid, host, ports)
    Heartbeat,     // slave -> monitor: NodeStats
    Snapshot,      // monitor -> master: ClusterSnapshot
    NodeTable,     // master -> monitor: protocol::NodeTableMessage
    Command,       // monitor -> master: an operator command from a bridge client
    CommandReply,  // master -> monitor: ack or error for a command
    Event,         // master -> monitor: a typed event (protocol/*events.h)
    Liveness,      // monitor -> master: the failure detector's verdict on a slave
    TaskAssign,    // master -> slave
    TaskDone,      // slave -> master
    EpochReset,    // master -> slave: you were declared DOWN; drop your queue, new epoch
    Shutdown,      // master -> every rank
    ChunkRead,     // master -> slave: read a chunk of a file for the relay (transfer::ChunkRequest)
    ChunkData,     // slave -> master: the chunk, or why not (transfer::ChunkAnswer)
    BlockServed,   // slave -> master: protocol::TransferBlockEvent without node and time
    StripAssign,   // master -> slave: an image strip to compute (jobs::StripAssignment, binary)
    StripResult,   // slave -> master: the computed strip, or why not (jobs::StripResult, binary)
    Slowdown,      // master -> slave: {"factor": f}, compute takes f times as long from now on
    Wake,          // master -> slave: {"ms": n}, poll fast for n ms (a job is running)
    Probe,         // any rank -> a watched peer: empty; a failed send means the peer is gone
    PeerLost,      // master -> monitor: cluster::PeerLoss, a slave's process is gone
    StripReceived, // slave -> master: jobs::StripReceipt, a strip arrived whole
};

const char *toString(Tag tag);

} // namespace starling::mpi
