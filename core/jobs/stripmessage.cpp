#include "stripmessage.h"

#include "util/jsonobjectreader.h"

#include <QJsonDocument>
#include <QtEndian>

#include <limits>

namespace starling::jobs {

namespace {

constexpr char kMagic[4] = {'S', 'T', 'R', 'P'};
constexpr qsizetype kPrefix = 8;
constexpr qint64 kMaxHeader = 64 * 1024;
constexpr int kMaxSide = 1 << 20;           // rows or columns of an image
constexpr double kMaxSeconds = 7 * 86400.0; // any longer is a bug, not a strip

QByteArray frame(const QJsonObject &header, const QByteArray &pixels)
{
    const QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    QByteArray message;
    message.reserve(kPrefix + json.size() + pixels.size());
    message.append(kMagic, 4);
    char length[4];
    qToLittleEndian<quint32>(quint32(json.size()), length);
    message.append(length, 4);
    message.append(json);
    message.append(pixels);
    return message;
}

struct Framed
{
    QJsonObject header;
    qsizetype pixelsAt = 0;
};

Expected<Framed> unframe(const QByteArray &message, const char *what)
{
    const QString kind = QString::fromLatin1(what);
    if (message.size() < kPrefix || !message.startsWith(QByteArrayView(kMagic, 4)))
        return Error{kind + QStringLiteral(": not a strip message")};
    const quint32 length = qFromLittleEndian<quint32>(message.constData() + 4);
    if (length > kMaxHeader || qint64(length) > message.size() - kPrefix)
        return Error{kind +
                     QStringLiteral(": header length %1 does not fit the message of %2 bytes")
                         .arg(length)
                         .arg(message.size())};
    QJsonParseError parse;
    const QJsonDocument document =
        QJsonDocument::fromJson(message.mid(kPrefix, qsizetype(length)), &parse);
    if (parse.error != QJsonParseError::NoError || !document.isObject())
        return Error{kind + QStringLiteral(": the header is not a JSON object")};
    return Framed{document.object(), kPrefix + qsizetype(length)};
}

util::NumberRange seconds()
{
    return {0, kMaxSeconds};
}

QJsonObject commonHeader(const QString &jobId, int chunk, int width, int channels, int begin,
                         int end)
{
    return {{QStringLiteral("job"), jobId},   {QStringLiteral("chunk"), chunk},
            {QStringLiteral("width"), width}, {QStringLiteral("channels"), channels},
            {QStringLiteral("begin"), begin}, {QStringLiteral("end"), end}};
}

void readCommon(util::JsonObjectReader &r, QString &jobId, int &chunk, int &width, int &channels,
                int &begin, int &end)
{
    util::StringRule id;
    id.accept = [](const QString &s) {
        return !s.isEmpty() && s.size() <= 128;
    };
    id.expectation = QStringLiteral("a job id of 1 to 128 characters");
    r.readString(QLatin1String("job"), jobId, id);
    r.readInteger(QLatin1String("chunk"), 0, std::numeric_limits<int>::max(), chunk);
    r.readInteger(QLatin1String("width"), 1, kMaxSide, width);
    r.readInteger(QLatin1String("channels"), 1, 3, channels);
    r.readInteger(QLatin1String("begin"), 0, kMaxSide, begin);
    r.readInteger(QLatin1String("end"), 0, kMaxSide, end);
}

} // namespace

QByteArray StripAssignment::encode() const
{
    QJsonObject header = commonHeader(jobId, chunk, width, channels, begin, end);
    header.insert(QStringLiteral("op"), op);
    header.insert(QStringLiteral("image_height"), imageHeight);
    header.insert(QStringLiteral("halo_top"), haloTop);
    header.insert(QStringLiteral("halo_bottom"), haloBottom);
    header.insert(QStringLiteral("units"), units);
    header.insert(QStringLiteral("standard_s"), standardS);
    header.insert(QStringLiteral("sequence"), sequence);
    return frame(header, pixels);
}

Expected<StripAssignment> StripAssignment::decode(const QByteArray &message)
{
    auto framed = unframe(message, "strip assignment");
    if (!framed)
        return Error{framed.error()};
    StripAssignment a;
    QJsonObject header = framed->header;
    const QJsonValue op = header.take(QLatin1String("op")); // the reader has no objects
    util::JsonObjectReader r(header, QStringLiteral("strip assignment"),
                             util::JsonObjectReader::MissingKey::IsError);
    readCommon(r, a.jobId, a.chunk, a.width, a.channels, a.begin, a.end);
    r.readInteger(QLatin1String("image_height"), 1, kMaxSide, a.imageHeight);
    r.readInteger(QLatin1String("halo_top"), 0, kMaxSide, a.haloTop);
    r.readInteger(QLatin1String("halo_bottom"), 0, kMaxSide, a.haloBottom);
    r.readNumber(QLatin1String("units"), {0, 1e9}, a.units);
    r.readNumber(QLatin1String("standard_s"), seconds(), a.standardS);
    // Exact in a JSON double, so it round-trips.
    r.readInteger(QLatin1String("sequence"), 0, StripAssignment::kLastSequence, a.sequence);
    if (!op.isObject())
        r.reject(QLatin1String("op"), QStringLiteral("an object"));
    a.op = op.toObject();
    r.rejectUnknownKeys();
    if (!r.ok())
        return Error{r.error()};
    if (a.channels == 2)
        return Error{QStringLiteral("strip assignment: 2 channels is neither grey nor RGB")};
    if (a.begin >= a.end || a.end > a.imageHeight || a.haloTop > a.begin ||
        a.haloBottom > a.imageHeight - a.end)
        return Error{QStringLiteral("strip assignment: rows %1-%2 with halo %3/%4 do not fit an "
                                    "image of %5 rows")
                         .arg(a.begin)
                         .arg(a.end)
                         .arg(a.haloTop)
                         .arg(a.haloBottom)
                         .arg(a.imageHeight)};
    const qint64 rows = qint64(a.end - a.begin) + a.haloTop + a.haloBottom;
    const qint64 expected = rows * a.width * a.channels;
    if (message.size() - framed->pixelsAt != expected)
        return Error{QStringLiteral("strip assignment: %1 pixel bytes for %2 rows of %3x%4, "
                                    "expected %5")
                         .arg(message.size() - framed->pixelsAt)
                         .arg(rows)
                         .arg(a.width)
                         .arg(a.channels)
                         .arg(expected)};
    a.pixels = message.mid(framed->pixelsAt);
    return a;
}

QByteArray StripResult::encode() const
{
    QJsonObject header = commonHeader(jobId, chunk, width, channels, begin, end);
    header.insert(QStringLiteral("compute_s"), computeS);
    header.insert(QStringLiteral("kernel_s"), kernelS);
    if (!error.isEmpty())
        header.insert(QStringLiteral("error"), error);
    return frame(header, error.isEmpty() ? pixels : QByteArray());
}

Expected<StripResult> StripResult::decode(const QByteArray &message)
{
    auto framed = unframe(message, "strip result");
    if (!framed)
        return Error{framed.error()};
    StripResult s;
    util::JsonObjectReader r(framed->header, QStringLiteral("strip result"),
                             util::JsonObjectReader::MissingKey::IsError);
    readCommon(r, s.jobId, s.chunk, s.width, s.channels, s.begin, s.end);
    r.readNumber(QLatin1String("compute_s"), seconds(), s.computeS);
    r.readNumber(QLatin1String("kernel_s"), seconds(), s.kernelS);
    if (framed->header.contains(QLatin1String("error"))) {
        util::StringRule line;
        line.accept = [](const QString &e) {
            return !e.isEmpty() && e.size() <= 1000 && !e.contains(u'\n');
        };
        line.expectation = QStringLiteral("one line of at most 1000 characters");
        r.readString(QLatin1String("error"), s.error, line);
    }
    r.rejectUnknownKeys();
    if (!r.ok())
        return Error{r.error()};
    if (s.channels == 2 || s.begin >= s.end)
        return Error{QStringLiteral("strip result: bad rows %1-%2 or channels %3")
                         .arg(s.begin)
                         .arg(s.end)
                         .arg(s.channels)};
    const qint64 expected = s.error.isEmpty() ? qint64(s.end - s.begin) * s.width * s.channels : 0;
    if (message.size() - framed->pixelsAt != expected)
        return Error{QStringLiteral("strip result: %1 pixel bytes, expected %2")
                         .arg(message.size() - framed->pixelsAt)
                         .arg(expected)};
    s.pixels = message.mid(framed->pixelsAt);
    return s;
}

QByteArray StripReceipt::encode() const
{
    return QJsonDocument(
               QJsonObject{{QLatin1String("job"), jobId}, {QLatin1String("chunk"), chunk}})
        .toJson(QJsonDocument::Compact);
}

Expected<StripReceipt> StripReceipt::decode(const QByteArray &message)
{
    if (message.size() > 1024)
        return Error{QStringLiteral("strip receipt: %1 bytes, at most 1024").arg(message.size())};
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(message, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return Error{QStringLiteral("strip receipt: not a JSON object")};
    StripReceipt receipt;
    util::JsonObjectReader r(document.object(), QStringLiteral("strip receipt"),
                             util::JsonObjectReader::MissingKey::IsError);
    util::StringRule id;
    id.accept = [](const QString &s) {
        return !s.isEmpty() && s.size() <= 128;
    };
    id.expectation = QStringLiteral("a job id of 1 to 128 characters");
    r.readString(QLatin1String("job"), receipt.jobId, id);
    r.readInteger(QLatin1String("chunk"), 0, std::numeric_limits<int>::max(), receipt.chunk);
    r.rejectUnknownKeys();
    if (!r.ok())
        return Error{r.error()};
    return receipt;
}

} // namespace starling::jobs
