#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace starling::jobs {

// The strips of an image job as they travel between master and slave over MPI. A message is
// binary so the pixels are not inflated by text encoding:
//   "STRP" | header length (4 bytes, little-endian) | compact JSON header | raw pixel rows
// The header says exactly how many pixel bytes follow, so a truncated or padded message is
// refused rather than computed on. Both sides are ranks of one build, but a message is still
// validated in full: a bug on one rank must not crash another.

// Master -> slave: compute rows [begin, end) of the job's image. `pixels` holds the rows
// [begin - haloTop, end + haloBottom) of the input, `width * channels` bytes each.
struct StripAssignment
{
    QString jobId;
    int chunk = 0;       // the scheduler's chunk id; a reassigned strip gets a new one
    QJsonObject op;      // image::ImageOp::toJson(); parsed by the slave
    int width = 0;       // pixels per row
    int channels = 0;    // 1 or 3
    int imageHeight = 0; // rows of the whole image (the strip's halo is clamped to it)
    int begin = 0;
    int end = 0;
    int haloTop = 0;
    int haloBottom = 0;
    double units = 0;     // unit tasks in the strip
    double standardS = 0; // what the strip costs a standard slave, seconds (emulated compute)
    QByteArray pixels;
    // The job's place in the master's stream (jobs::JobStream): a slave computes the strips it
    // holds earliest job first, so a job that overlaps the one in front does not delay it.
    qint64 sequence = 0;
    // The largest sequence a strip may carry (exact in a JSON number): the master's probe
    // strips carry it, to come after every job's.
    static constexpr qint64 kLastSequence = qint64(1) << 52;

    QByteArray encode() const;
    static Expected<StripAssignment> decode(const QByteArray &message);
};

// Slave -> master: the output rows [begin, end) of a chunk, or why it could not be computed.
struct StripResult
{
    QString jobId;
    int chunk = 0;
    int width = 0;
    int channels = 0; // of the output
    int begin = 0;
    int end = 0;
    double computeS = 0; // compute as the job sees it: the kernel, stretched to the emulated cost
    double kernelS = 0;  // the kernel alone
    QString error;       // non-empty: no pixels
    QByteArray pixels;

    QByteArray encode() const;
    static Expected<StripResult> decode(const QByteArray &message);
};

// Slave -> master, as soon as a strip has arrived whole (before it is computed): the master's
// one port is busy until then. Over TCP a send "completes" once the bytes are buffered, long
// before they crossed a slow link, so only the slave can say when a strip was delivered.
struct StripReceipt
{
    QString jobId;
    int chunk = 0;

    QByteArray encode() const;
    static Expected<StripReceipt> decode(const QByteArray &message);
};

} // namespace starling::jobs
