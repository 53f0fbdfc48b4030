#include "linebuffer.h"

#include <algorithm>

namespace starling::bridge {

LineBuffer::LineBuffer(qsizetype lineLimit) : m_limit(std::max<qsizetype>(lineLimit, 1)) {}

LineBuffer::Batch LineBuffer::feed(QByteArrayView bytes)
{
    Batch batch;
    if (m_overflowed) {
        batch.overflowed = true;
        return batch;
    }
    qsizetype pos = 0;
    while (pos < bytes.size()) {
        const qsizetype newline = bytes.indexOf('\n', pos);
        if (newline < 0) {
            const QByteArrayView tail = bytes.sliced(pos);
            if (!partialFits(m_partial.size() + tail.size(), tail.back() == '\r')) {
                overflow(batch);
                return batch;
            }
            m_partial.append(tail);
            break;
        }
        QByteArrayView piece = bytes.sliced(pos, newline - pos);
        pos = newline + 1;
        bool carriageReturn = false;
        if (!piece.isEmpty()) {
            carriageReturn = piece.back() == '\r';
            if (carriageReturn)
                piece.chop(1);
        } else if (m_partial.endsWith('\r')) {
            m_partial.chop(1);
        }
        if (m_partial.size() + piece.size() > m_limit) {
            overflow(batch);
            return batch;
        }
        QByteArray line;
        if (m_partial.isEmpty()) {
            line = piece.toByteArray();
        } else {
            line = std::move(m_partial);
            line.append(piece);
            m_partial = QByteArray();
        }
        if (!line.isEmpty())
            batch.lines.append(std::move(line));
    }
    return batch;
}

void LineBuffer::reset()
{
    m_partial = QByteArray();
    m_overflowed = false;
}

bool LineBuffer::partialFits(qsizetype size, bool endsWithCr) const
{
    // An unfinished line may be one byte over the limit if that byte is the '\r' of "\r\n".
    return size <= m_limit || (size == m_limit + 1 && endsWithCr);
}

void LineBuffer::overflow(Batch &batch)
{
    m_partial = QByteArray();
    m_overflowed = true;
    batch.overflowed = true;
}

} // namespace starling::bridge
