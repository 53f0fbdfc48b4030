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

struct PnmHeader
{
    bool ascii = false; // P2/P3: samples as decimal text
    int channels = 1;
    qint64 width = 0;
    qint64 height = 0;
    qint64 maxval = 0;
};

// "P2", "P3", "P5" or "P6": text or binary, grey or RGB.
Expected<PnmHeader> readMagic(QByteArrayView bytes)
{
    if (bytes.size() < 2 || bytes[0] != 'P')
        return badImage(QStringLiteral("not a PGM or PPM file"));
    const char kind = bytes[1];
    PnmHeader header;
    header.ascii = kind == '2' || kind == '3';
    header.channels = kind == '2' || kind == '5' ? 1 : 3;
    if (kind != '2' && kind != '3' && kind != '5' && kind != '6')
        return badImage(QStringLiteral("unsupported PNM kind P%1 (P2, P3, P5 and P6 are read)")
                            .arg(QLatin1Char(kind)));
    return header;
}

// Width, height and maxval, then the one whitespace character before the samples.
std::optional<Error> readDimensions(PnmReader &reader, QByteArrayView bytes,
                                    const DecodeLimits &limits, PnmHeader &header)
{
    if (!reader.atSpace() && bytes.size() > 2)
        return badImage(QStringLiteral("PGM/PPM: no space after the magic number"));
    header.width = reader.number();
    header.height = reader.number();
    header.maxval = reader.number();
    if (header.width < 0 || header.height < 0 || header.maxval < 0)
        return badImage(QStringLiteral("PGM/PPM: the header (width, height, maxval) is "
                                       "truncated or not numbers"));
    if (auto error = checkSize(header.width, header.height, limits))
        return *error;
    if (header.maxval < 1 || header.maxval > 255)
        return badImage(QStringLiteral("PGM/PPM: maxval %1 is not supported (1 to 255; 16-bit "
                                       "files are not read)")
                            .arg(header.maxval));
    if (!reader.atSpace())
        return badImage(QStringLiteral("PGM/PPM: no whitespace after maxval"));
    reader.advance();
    return std::nullopt;
}

uchar scaled(qint64 v, qint64 maxval)
{
    return maxval == 255 ? uchar(v) : uchar((v * 255 + maxval / 2) / maxval);
}

std::optional<Error> readBinarySamples(const uchar *in, qint64 samples, qint64 maxval, uchar *out)
{
    for (qint64 i = 0; i < samples; ++i) {
        if (in[i] > maxval)
            return badImage(
                QStringLiteral("PGM/PPM: a sample (%1) is above maxval %2").arg(in[i]).arg(maxval));
        out[i] = scaled(in[i], maxval);
    }
    return std::nullopt;
}

std::optional<Error> readTextSamples(PnmReader &reader, qint64 samples, qint64 maxval, uchar *out)
{
    for (qint64 i = 0; i < samples; ++i) {
        const qint64 v = reader.number();
        if (v < 0)
            return badImage(QStringLiteral("PGM/PPM: truncated or bad sample %1 of %2")
                                .arg(i + 1)
                                .arg(samples));
        if (v > maxval)
            return badImage(
                QStringLiteral("PGM/PPM: a sample (%1) is above maxval %2").arg(v).arg(maxval));
        out[i] = scaled(v, maxval);
    }
    return std::nullopt;
}

} // namespace

Expected<ImageBuffer> decodePnm(QByteArrayView bytes, const DecodeLimits &limits)
{
    Expected<PnmHeader> magic = readMagic(bytes);
    if (!magic)
        return Error{magic.error(), magic.errorCode()};
    PnmHeader header = *magic;
    PnmReader reader(bytes.sliced(2));
    if (auto error = readDimensions(reader, bytes, limits, header))
        return *error;
    const qint64 samples = header.width * header.height * header.channels;
    // Too few bytes for the samples (binary: one each; text: a digit and a space) is known
    // before allocating anything.
    const qsizetype start = 2 + reader.at();
    const qint64 available = bytes.size() - start;
    if ((!header.ascii && available < samples) || (header.ascii && available < 2 * samples - 1))
        return badImage(QStringLiteral("PGM/PPM: truncated: %1 bytes for %2 samples")
                            .arg(qMax<qint64>(0, available))
                            .arg(samples));
    if (auto refused = admitPixels(header.width, header.height, header.channels, limits))
        return *refused;
    ImageBuffer image =
        ImageBuffer::allocate(int(header.width), int(header.height), header.channels);
    const std::optional<Error> error =
        header.ascii ? readTextSamples(reader, samples, header.maxval, image.row(0))
                     : readBinarySamples(reinterpret_cast<const uchar *>(bytes.data() + start),
                                         samples, header.maxval, image.row(0));
    if (error)
        return *error;
    return image;
}

QByteArray encodePnm(const ImageBuffer &image)
{
    QByteArray out = (image.channels == 1 ? "P5\n" : "P6\n") + QByteArray::number(image.width) +
                     ' ' + QByteArray::number(image.height) + "\n255\n";
    return out + image.pixels;
}

} // namespace starling::image::detail
