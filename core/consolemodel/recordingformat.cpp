#include "recordingformat.h"

#include <QJsonDocument>
#include <QtEndian>

#include <array>

namespace starling::consolemodel {

namespace {

// The recording's own keys: short, since every record repeats them.
constexpr QLatin1StringView kTime{"t"};
constexpr QLatin1StringView kKind{"k"};
constexpr QLatin1StringView kPayload{"p"};

constexpr std::array<std::pair<RecordKind, QLatin1StringView>, 4> kKindNames{{
    {RecordKind::Snapshot, QLatin1StringView("s")},
    {RecordKind::Event, QLatin1StringView("e")},
    {RecordKind::Ack, QLatin1StringView("a")},
    {RecordKind::Link, QLatin1StringView("l")},
}};

std::optional<RecordKind> kindNamed(const QString &name)
{
    for (const auto &[kind, text] : kKindNames) {
        if (name == text)
            return kind;
    }
    return std::nullopt;
}

QLatin1StringView nameOf(RecordKind kind)
{
    for (const auto &[k, text] : kKindNames) {
        if (k == kind)
            return text;
    }
    return QLatin1StringView("e");
}

std::array<std::uint32_t, 256> crcTable()
{
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    return table;
}

void appendU32(QByteArray &out, std::uint32_t value)
{
    char bytes[4];
    qToBigEndian(value, bytes);
    out.append(bytes, 4);
}

} // namespace

Record Record::make(qint64 atMs, RecordKind kind, const QJsonObject &payload)
{
    return Record{atMs, kind, QJsonDocument(payload).toJson(QJsonDocument::Compact)};
}

QJsonObject Record::payload() const
{
    return QJsonDocument::fromJson(payloadJson).object();
}

QJsonObject RecordingHeader::toJson() const
{
    return QJsonObject{{QStringLiteral("start_ms"), double(startMs)},
                       {QStringLiteral("client"), client},
                       {QStringLiteral("origin"), origin},
                       {QStringLiteral("tab"), tab},
                       {QStringLiteral("window_ms"), double(windowMs)}};
}

Expected<RecordingHeader> RecordingHeader::fromJson(const QJsonObject &object)
{
    RecordingHeader h;
    const QJsonValue start = object.value(u"start_ms");
    if (!start.isDouble() || start.toDouble() < 0 || start.toDouble() > 1e15)
        return Error{QStringLiteral("the header has no valid start_ms")};
    h.startMs = qint64(start.toDouble());
    h.client = object.value(u"client").toString().left(200);
    h.origin = object.value(u"origin").toString().left(500);
    h.tab = object.value(u"tab").toString().left(100);
    const double window = object.value(u"window_ms").toDouble();
    h.windowMs = window > 0 && window < 1e9 ? qint64(window) : 0;
    return h;
}

QJsonObject RecordedAck::toJson() const
{
    QJsonObject o{{QStringLiteral("id"), id}, {QStringLiteral("ok"), ok}};
    if (!result.isEmpty())
        o.insert(QStringLiteral("result"), result);
    if (!code.isEmpty())
        o.insert(QStringLiteral("code"), code);
    if (!message.isEmpty())
        o.insert(QStringLiteral("message"), message);
    return o;
}

RecordedAck RecordedAck::fromJson(const QJsonObject &object)
{
    return RecordedAck{object.value(u"id").toString(), object.value(u"ok").toBool(),
                       object.value(u"result").toObject(), object.value(u"code").toString(),
                       object.value(u"message").toString()};
}

QJsonObject RecordedLink::toJson() const
{
    return QJsonObject{{QStringLiteral("state"), linkStateName(state)},
                       {QStringLiteral("detail"), detail}};
}

std::optional<RecordedLink> RecordedLink::fromJson(const QJsonObject &object)
{
    const QString name = object.value(u"state").toString();
    for (LinkState s : {LinkState::Disconnected, LinkState::Connecting, LinkState::Connected}) {
        if (name == linkStateName(s))
            return RecordedLink{s, object.value(u"detail").toString()};
    }
    return std::nullopt;
}

namespace recording {

QByteArray fileStart()
{
    QByteArray out(kMagic, kMagicBytes);
    appendU32(out, kVersion);
    return out;
}

QByteArray encodeBlock(const QByteArray &raw)
{
    const QByteArray stored = qCompress(raw, 9);
    QByteArray out;
    out.reserve(kBlockHeaderBytes + stored.size());
    appendU32(out, std::uint32_t(stored.size()));
    appendU32(out, ~std::uint32_t(stored.size()));
    appendU32(out, crc32(stored));
    out.append(stored);
    return out;
}

QByteArray encodeRecord(qint64 atMs, RecordKind kind, const QJsonObject &payload)
{
    const QJsonObject line{{kTime, double(atMs)}, {kKind, nameOf(kind)}, {kPayload, payload}};
    return QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
}

std::optional<Record> decodeRecord(const QByteArray &line, QString &why)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        why = QStringLiteral("not a JSON object");
        return std::nullopt;
    }
    const QJsonObject o = doc.object();
    const QJsonValue t = o.value(kTime);
    const double at = t.toDouble(-1);
    if (!t.isDouble() || at < 0 || at > double(kMaxOffsetMs)) {
        why = QStringLiteral("no valid time");
        return std::nullopt;
    }
    const auto kind = kindNamed(o.value(kKind).toString());
    if (!kind || !o.value(kPayload).isObject()) {
        why = QStringLiteral("no known kind and payload");
        return std::nullopt;
    }
    return Record::make(qint64(at), *kind, o.value(kPayload).toObject());
}

std::uint32_t crc32(const QByteArray &bytes)
{
    static const std::array<std::uint32_t, 256> table = crcTable();
    std::uint32_t c = 0xFFFFFFFFu;
    for (const char b : bytes)
        c = table[(c ^ std::uint8_t(b)) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

} // namespace recording

} // namespace starling::consolemodel
