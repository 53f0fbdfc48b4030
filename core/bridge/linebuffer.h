#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace starling::bridge {

// Bounded newline framing for NDJSON streams: bytes in, complete lines out. Pure (no socket),
// so a reader feeds it whatever chunks the network delivers.
//
// A line is the bytes before a '\n', with one trailing '\r' stripped. Empty lines are skipped.
// A line longer than lineLimit bytes (not counting "\n" or "\r\n") is an overflow: the buffer
// notices as soon as the unfinished line passes the limit, so it never holds more than
// lineLimit + 1 bytes (the + 1 is a '\r' that may be the start of "\r\n"). After an overflow the
// stream is unusable; every later feed() reports the overflow and returns no lines.
class LineBuffer
{
public:
    struct Batch
    {
        QList<QByteArray> lines; // complete lines, in order, before any overflow in this chunk
        bool overflowed = false;
    };

    explicit LineBuffer(qsizetype lineLimit);

    Batch feed(QByteArrayView bytes);

    qsizetype lineLimit() const { return m_limit; }
    qsizetype pendingSize() const { return m_partial.size(); } // bytes of an unfinished line
    bool hasOverflowed() const { return m_overflowed; }
    void reset(); // forget the unfinished line and any overflow

private:
    bool partialFits(qsizetype size, bool endsWithCr) const;
    void overflow(Batch &batch);

    qsizetype m_limit;
    QByteArray m_partial;
    bool m_overflowed = false;
};

} // namespace starling::bridge
