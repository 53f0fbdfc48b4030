#pragma once

#include "transfer/byteslice.h"

#include <QByteArray>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <vector>

namespace starling::transfer {

// The master's relay of one byte range: the range is cut into chunks that slaves read for the
// master (over MPI), at most `window` chunks between "asked for" and "handed to the client",
// so memory stays bounded however large the file. Chunks arrive in any order and leave in file
// order. A chunk not answered in time, or held by a slave that was lost, is asked again from
// another slave; an answer to an earlier attempt is recognised by its attempt number and
// dropped, so no byte is sent twice. Pure bookkeeping: no threads, no clock of its own.
class RelayWindow
{
public:
    struct Request
    {
        std::int64_t seq = 0; // chunk number from the start of the range
        int attempt = 0;      // 1 for the first ask, +1 per reassignment
        qint64 offset = 0;    // absolute file offset
        qint64 length = 0;
        int source = -1; // slave rank asked
    };

    RelayWindow(qint64 offset, qint64 length, qint64 chunkSize, int window);

    // The next chunks to ask for, spread over `sources` (slave ranks, preferred first) so that
    // no source holds more than its fair part of the window. Empty when the window is full,
    // everything is asked for, or there is no source.
    std::vector<Request> nextRequests(const std::vector<int> &sources, std::int64_t nowMs);
    // An answer. False (and nothing changes) when it is late, a duplicate, or malformed
    // (wrong length): the caller drops it.
    bool deliver(std::int64_t seq, int attempt, ByteSlice data);
    // Requests outstanding longer than timeoutMs, or held by `lostSources`, are asked again
    // from the first other source in `sources` (round robin); returns the new requests.
    std::vector<Request> reassign(const std::vector<int> &sources, std::int64_t nowMs,
                                  std::int64_t timeoutMs, const std::vector<int> &lostSources = {});
    // Contiguous data from the next unsent byte on, chunk by chunk, until at least maxBytes are
    // taken (so at most one chunk more than maxBytes); it leaves the window.
    std::vector<ByteSlice> takeReady(qint64 maxBytes = std::numeric_limits<qint64>::max());

    bool finished() const { return m_nextOut == m_chunkCount; }
    std::int64_t reassignments() const { return m_reassignments; }
    int outstanding() const { return int(m_asked.size()); }
    qint64 bytesOut() const { return m_bytesOut; }

private:
    struct Asked
    {
        int attempt = 0;
        int source = -1;
        std::int64_t sinceMs = 0;
    };
    Request makeRequest(std::int64_t seq, int attempt, int source, std::int64_t nowMs);
    qint64 chunkLength(std::int64_t seq) const;
    int inWindow() const;

    qint64 m_offset;
    qint64 m_length;
    qint64 m_chunkSize;
    int m_window;
    std::int64_t m_chunkCount;
    std::int64_t m_nextAsk = 0;                // first chunk never asked for
    std::int64_t m_nextOut = 0;                // first chunk not yet handed out
    std::map<std::int64_t, Asked> m_asked;     // outstanding
    std::map<std::int64_t, ByteSlice> m_ready; // arrived, waiting for earlier chunks
    std::size_t m_roundRobin = 0;
    std::int64_t m_reassignments = 0;
    qint64 m_bytesOut = 0;
};

} // namespace starling::transfer
