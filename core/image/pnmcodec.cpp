// PGM/PPM by hand: the format is a few header tokens and raw samples, and every branch below
// is a validation (fuzzed by fuzz_imagecodec).
#include "image/codecs.h"

namespace starling::image::detail {

namespace {

class PnmReader
{
public:
    explicit PnmReader(QByteArrayView bytes) : m_bytes(bytes) {}

    // Skips whitespace and '#' comments; false at the end of the data.
    bool skipSpace()
    {
        while (m_at < m_bytes.size()) {
            const char c = m_bytes[m_at];
            if (c == '#') {
                while (m_at < m_bytes.size() && m_bytes[m_at] != '\n' && m_bytes[m_at] != '\r')
                    ++m_at;
            } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
                ++m_at;
            } else {
                return true;
            }
        }
        return false;
    }

    // A decimal number of at most 9 digits, or -1.
    qint64 number()
    {
        if (!skipSpace())
            return -1;
        qint64 value = 0;
        int digits = 0;
        while (m_at < m_bytes.size() && m_bytes[m_at] >= '0' && m_bytes[m_at] <= '9') {
            if (++digits > 9)
                return -1;
            value = value * 10 + (m_bytes[m_at] - '0');
            ++m_at;
        }
        return digits > 0 ? value : -1;
    }

    qsizetype at() const { return m_at; }
    void advance() { ++m_at; }
    bool atSpace() const
    {
        if (m_at >= m_bytes.size())
            return false;
        const char c = m_bytes[m_at];
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    }

private:
    QByteArrayView m_bytes;
    qsizetype m_at = 0;
};

} // namespace

Expected<ImageBuffer> decodePnm(QByteArrayView bytes, const DecodeLimits &limits)
{
    if (bytes.size() < 2 || bytes[0] != 'P')
        return badImage(QStringLiteral("not a PGM or PPM file"));
    const char kind = bytes[1];
    const bool ascii = kind == '2' || kind == '3';
    const int channels = kind == '2' || kind == '5' ? 1 : 3;
    if (kind != '2' && kind != '3' && kind != '5' && kind != '6')
        return badImage(QStringLiteral("unsupported PNM kind P%1 (P2, P3, P5 and P6 are read)")
                            .arg(QLatin1Char(kind)));
    PnmReader reader(bytes.sliced(2));
    if (!reader.atSpace() && bytes.size() > 2)
        return badImage(QStringLiteral("PGM/PPM: no space after the magic number"));
    const qint64 width = reader.number();
    const qint64 height = reader.number();
    const qint64 maxval = reader.number();
    if (width < 0 || height < 0 || maxval < 0)
        return badImage(QStringLiteral("PGM/PPM: the header (width, height, maxval) is "
                                       "truncated or not numbers"));
    if (auto error = checkSize(width, height, limits))
        return *error;
    if (maxval < 1 || maxval > 255)
        return badImage(QStringLiteral("PGM/PPM: maxval %1 is not supported (1 to 255; 16-bit "
                                       "files are not read)")
                            .arg(maxval));
    if (!reader.atSpace())
        return badImage(QStringLiteral("PGM/PPM: no whitespace after maxval"));
    reader.advance();
    const qint64 samples = width * height * channels;
    // Too few bytes for the samples (binary: one each; text: a digit and a space) is known
    // before allocating anything.
    const qsizetype start = 2 + reader.at();
    const qint64 available = bytes.size() - start;
    if ((!ascii && available < samples) || (ascii && available < 2 * samples - 1))
        return badImage(QStringLiteral("PGM/PPM: truncated: %1 bytes for %2 samples")
                            .arg(qMax<qint64>(0, available))
                            .arg(samples));
    ImageBuffer image = ImageBuffer::allocate(int(width), int(height), channels);
    uchar *out = image.row(0);
    const auto scale = [maxval](qint64 v) {
        return maxval == 255 ? uchar(v) : uchar((v * 255 + maxval / 2) / maxval);
    };
    if (!ascii) {
        const auto *in = reinterpret_cast<const uchar *>(bytes.data() + start);
        for (qint64 i = 0; i < samples; ++i) {
            if (in[i] > maxval)
                return badImage(QStringLiteral("PGM/PPM: a sample (%1) is above maxval %2")
                                    .arg(in[i])
                                    .arg(maxval));
            out[i] = scale(in[i]);
        }
        return image;
    }
    for (qint64 i = 0; i < samples; ++i) {
        const qint64 v = reader.number();
        if (v < 0)
            return badImage(QStringLiteral("PGM/PPM: truncated or bad sample %1 of %2")
                                .arg(i + 1)
                                .arg(samples));
        if (v > maxval)
            return badImage(
                QStringLiteral("PGM/PPM: a sample (%1) is above maxval %2").arg(v).arg(maxval));
        out[i] = scale(v);
    }
    return image;
}

QByteArray encodePnm(const ImageBuffer &image)
{
    QByteArray out = (image.channels == 1 ? "P5\n" : "P6\n") + QByteArray::number(image.width) +
                     ' ' + QByteArray::number(image.height) + "\n255\n";
    return out + image.pixels;
}

} // namespace starling::image::detail
