#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <utility>

namespace starling::transfer {

// A range of a QByteArray that shares its buffer (QByteArray cannot share a sub-range itself):
// a relayed chunk goes from the MPI message it arrived in, header and all, to the HTTP socket
// without being copied on the master's event loop.
struct ByteSlice
{
    ByteSlice() = default;
    // The whole array; implicit, so a plain QByteArray goes wherever a slice does.
    ByteSlice(QByteArray whole) : bytes(std::move(whole)), length(bytes.size()) {}
    // [offset, offset + size) of buffer, clamped to it.
    ByteSlice(QByteArray buffer, qsizetype offset, qsizetype size)
        : bytes(std::move(buffer)), offset(qBound(qsizetype(0), offset, bytes.size())),
          length(qBound(qsizetype(0), size, bytes.size() - this->offset))
    {}

    const char *data() const { return bytes.constData() + offset; }
    qsizetype size() const { return length; }
    bool isEmpty() const { return length == 0; }
    QByteArrayView view() const { return QByteArrayView(data(), length); }

    QByteArray bytes;
    qsizetype offset = 0;
    qsizetype length = 0;
};

} // namespace starling::transfer
