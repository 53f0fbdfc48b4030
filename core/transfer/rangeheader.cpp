#include "rangeheader.h"

#include <QByteArray>
#include <QStringBuilder>

#include <limits>
#include <optional>

namespace starling::transfer {

namespace {

// A header longer than this is not a single range anyone meant to send.
constexpr qsizetype kMaxHeaderBytes = 4096;

bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

QByteArrayView trimmed(QByteArrayView text)
{
    while (!text.isEmpty() && isOws(text.front()))
        text = text.sliced(1);
    while (!text.isEmpty() && isOws(text.back()))
        text.chop(1);
    return text;
}

// 1*DIGIT as a non-negative qint64; nullopt for anything else, including overflow.
std::optional<qint64> parseDigits(QByteArrayView text)
{
    if (text.isEmpty())
        return std::nullopt;
    qint64 value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        const int digit = c - '0';
        if (value > (std::numeric_limits<qint64>::max() - digit) / 10)
            return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

// One range-spec, before it meets the file size.
struct Spec
{
    std::optional<qint64> first; // nullopt = suffix range
    std::optional<qint64> last;  // int-range without last-pos = to the end
    qint64 suffix = 0;
};

std::optional<Spec> parseSpec(QByteArrayView text)
{
    const qsizetype dash = text.indexOf('-');
    if (dash < 0)
        return std::nullopt;
    const QByteArrayView left = text.first(dash);
    const QByteArrayView right = text.sliced(dash + 1);
    Spec spec;
    if (left.isEmpty()) {
        const std::optional<qint64> suffix = parseDigits(right);
        if (!suffix)
            return std::nullopt;
        spec.suffix = *suffix;
        return spec;
    }
    spec.first = parseDigits(left);
    if (!spec.first)
        return std::nullopt;
    if (!right.isEmpty()) {
        spec.last = parseDigits(right);
        if (!spec.last || *spec.last < *spec.first)
            return std::nullopt;
    }
    return spec;
}

RangeRequest kindOnly(RangeRequest::Kind kind)
{
    return RangeRequest{kind, 0, 0};
}

} // namespace

RangeRequest parseRange(QByteArrayView header, qint64 fileSize)
{
    using Kind = RangeRequest::Kind;
    fileSize = qMax<qint64>(fileSize, 0);
    if (header.isNull())
        return RangeRequest{Kind::Whole, 0, fileSize};
    if (header.size() > kMaxHeaderBytes)
        return kindOnly(Kind::Malformed);
    const QByteArrayView value = trimmed(header);
    const qsizetype equals = value.indexOf('=');
    if (equals < 0 || value.first(equals).compare("bytes", Qt::CaseInsensitive) != 0)
        return kindOnly(Kind::Malformed);

    std::optional<Spec> only;
    int count = 0;
    QByteArrayView rest = value.sliced(equals + 1);
    while (true) {
        const qsizetype comma = rest.indexOf(',');
        const QByteArrayView element = trimmed(comma < 0 ? rest : rest.first(comma));
        if (!element.isEmpty()) { // RFC 9110 §5.6.1: empty list elements are ignored
            const std::optional<Spec> spec = parseSpec(element);
            if (!spec)
                return kindOnly(Kind::Malformed);
            if (++count == 1)
                only = spec;
        }
        if (comma < 0)
            break;
        rest = rest.sliced(comma + 1);
    }
    if (count == 0)
        return kindOnly(Kind::Malformed);
    if (count > 1)
        return kindOnly(Kind::MultipleRanges);

    const Spec &spec = *only;
    if (!spec.first) {
        if (spec.suffix == 0)
            return kindOnly(Kind::Unsatisfiable);
        // RFC 9110 §14.1.1: an empty representation has no last bytes to send; the whole
        // (empty) file is the honest answer.
        if (fileSize == 0)
            return RangeRequest{Kind::Whole, 0, 0};
        const qint64 length = qMin(spec.suffix, fileSize);
        return RangeRequest{Kind::Partial, fileSize - length, length};
    }
    if (*spec.first >= fileSize)
        return kindOnly(Kind::Unsatisfiable);
    const qint64 last = spec.last ? qMin(*spec.last, fileSize - 1) : fileSize - 1;
    return RangeRequest{Kind::Partial, *spec.first, last - *spec.first + 1};
}

QByteArray contentRange(qint64 offset, qint64 length, qint64 fileSize)
{
    return QByteArray("bytes ") + QByteArray::number(offset) + '-' +
           QByteArray::number(offset + length - 1) + '/' + QByteArray::number(fileSize);
}

QByteArray unsatisfiedContentRange(qint64 fileSize)
{
    return QByteArray("bytes */") + QByteArray::number(fileSize);
}

} // namespace starling::transfer
