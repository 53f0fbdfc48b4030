#pragma once

#include "transfer/byteslice.h"
#include "util/expected.h"

#include <QByteArray>
#include <QString>

#include <cstdint>

namespace starling::transfer {

// The master's request for one chunk of a relayed file, and the slave's answer. Both travel
// between ranks (MPI); the answer is a compact JSON header line followed by the raw bytes, so
// a 2 MiB chunk costs no base64 and no JSON parse of the data.
struct ChunkRequest
{
    qint64 relay = 0; // relay id at the master
    qint64 seq = 0;
    int attempt = 0;
    QString path; // relative to the export root
    qint64 offset = 0;
    qint64 length = 0;
    QByteArray etag; // the file the relay started on; a different one is an error

    QByteArray encode() const;
    static Expected<ChunkRequest> decode(const QByteArray &payload);
};

struct ChunkAnswer
{
    qint64 relay = 0;
    qint64 seq = 0;
    int attempt = 0;
    QString error;     // empty = data holds the chunk
    QString errorCode; // "changed", "not_found", "io"
    ByteSlice data;    // after decode(): the payload's bytes past the header, not a copy

    QByteArray encode() const;
    static Expected<ChunkAnswer> decode(const QByteArray &payload);

    static constexpr qint64 kMaxChunk = 64 * 1024 * 1024;
};

} // namespace starling::transfer
