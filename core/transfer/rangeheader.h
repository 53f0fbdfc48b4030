#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace starling::transfer {

// One HTTP Range header (RFC 9110 §14.1.2) read against a file's size.
struct RangeRequest
{
    enum class Kind
    {
        Whole,          // no Range header (or an empty file asked for a suffix): send all, 200
        Partial,        // one satisfiable range: [offset, offset + length), 206
        Unsatisfiable,  // well-formed, but starts at or past the end (or "-0"): 416
        Malformed,      // not "bytes=a-b", "bytes=a-" or "bytes=-n": 416 (see below)
        MultipleRanges, // more than one well-formed range: 416 (no multipart answers)
    };
    Kind kind = Kind::Whole;
    qint64 offset = 0; // Whole and Partial; 0 otherwise
    qint64 length = 0; // Whole and Partial; 0 otherwise

    friend bool operator==(const RangeRequest &, const RangeRequest &) = default;
};

// Parses `header` (a null view means the request had no Range header) against a file of
// `fileSize` bytes. Accepts `bytes=a-b` (b past the end is clamped), `bytes=a-` and `bytes=-n`
// (the last n bytes, all of them if n >= size); the unit is case-insensitive; optional
// whitespace is allowed where the RFC allows it (around the value and around list commas) and
// empty list elements are ignored. Never undefined behaviour: a number that does not fit in
// 63 bits is Malformed.
//
// Deliberate departures from the RFC, which says to ignore a Range header that is invalid or
// has an unknown unit and answer 200: a parallel client asking for one block must never be sent
// a whole 1 GiB file by accident, so malformed headers, unknown units and b < a are Malformed,
// and several ranges are MultipleRanges; the server answers both with 416 and a message.
RangeRequest parseRange(QByteArrayView header, qint64 fileSize);

// "bytes <first>-<last>/<size>" for a Partial range; "bytes */<size>" for a 416.
QByteArray contentRange(qint64 offset, qint64 length, qint64 fileSize);
QByteArray unsatisfiedContentRange(qint64 fileSize);

} // namespace starling::transfer
