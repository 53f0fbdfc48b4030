#include "bridgemessage.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace starling::bridge {

namespace {
const QLatin1String kType{"type"};
const QLatin1String kId{"id"};
const QLatin1String kClientId{"client_id"};

QJsonValue idValue(const QString &id)
{
    return id.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(id);
}
} // namespace

BridgeMessage::Parsed BridgeMessage::parse(const QByteArray &line)
{
    Parsed parsed;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError) {
        parsed.errorCode = ErrorCode::BadJson;
        parsed.errorMessage = QStringLiteral("not valid JSON (%1 at byte %2)")
                                  .arg(error.errorString())
                                  .arg(error.offset);
        return parsed;
    }
    if (!document.isObject()) {
        parsed.errorCode = ErrorCode::BadJson;
        parsed.errorMessage = QStringLiteral("a line must hold one JSON object");
        return parsed;
    }
    parsed.object = document.object();
    const QJsonValue type = parsed.object.value(kType);
    if (!type.isString()) {
        parsed.errorCode = ErrorCode::UnknownType;
        parsed.errorMessage = QStringLiteral("the object has no string \"type\"");
        return parsed;
    }
    parsed.type = type.toString();
    return parsed;
}

QByteArray BridgeMessage::encode(const QJsonObject &object)
{
    QByteArray line = QJsonDocument(object).toJson(QJsonDocument::Compact);
    line.append('\n');
    return line;
}

QByteArray BridgeMessage::hello(const QString &clientName, const QByteArray &token)
{
    return encode({{kType, MessageType::Hello},
                   {QLatin1String("protocol"), kProtocolVersion},
                   {QLatin1String("client"), clientName},
                   {QLatin1String("token"), QString::fromLatin1(token)}});
}

QByteArray BridgeMessage::welcome(quint64 clientId)
{
    return encode({{kType, MessageType::Welcome},
                   {QLatin1String("protocol"), kProtocolVersion},
                   {QLatin1String("server"), kServerName},
                   {kClientId, double(clientId)}});
}

quint64 BridgeMessage::clientIdOf(const QJsonObject &welcome)
{
    const double id = welcome.value(kClientId).toDouble();
    return id > 0 ? quint64(id) : 0;
}

QByteArray BridgeMessage::snapshot(const QJsonObject &snapshot)
{
    return encode({{kType, MessageType::Snapshot}, {QLatin1String("snapshot"), snapshot}});
}

QByteArray BridgeMessage::event(const QJsonObject &event)
{
    return encode({{kType, MessageType::Event}, {QLatin1String("event"), event}});
}

QByteArray BridgeMessage::ack(const QString &id, const QJsonObject &result)
{
    return encode({{kType, MessageType::Ack}, {kId, id}, {QLatin1String("result"), result}});
}

QByteArray BridgeMessage::error(const QString &id, const QString &code, const QString &message)
{
    return encode({{kType, MessageType::Error},
                   {kId, idValue(id)},
                   {QLatin1String("code"), code},
                   {QLatin1String("message"), message}});
}

QByteArray BridgeMessage::ping(const QString &id)
{
    return encode({{kType, MessageType::Ping}, {kId, id}});
}

QByteArray BridgeMessage::pong(const QJsonValue &id)
{
    return encode({{kType, MessageType::Pong}, {kId, id}});
}

bool BridgeMessage::isValidClientName(const QString &name)
{
    if (name.isEmpty() || name.size() > kMaxClientNameLength)
        return false;
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') ||
                        (u >= u'0' && u <= u'9') || u == u'.' || u == u'_' || u == u'@' ||
                        u == u'-';
        if (!ok)
            return false;
    }
    return true;
}

bool BridgeMessage::isValidCommandId(const QJsonValue &id)
{
    if (!id.isString())
        return false;
    const QString text = id.toString();
    return !text.isEmpty() && text.size() <= kMaxCommandIdLength;
}

QString BridgeMessage::commandEnvelopeError(const QJsonObject &command)
{
    const QJsonValue id = command.value(kId);
    if (!isValidCommandId(id)) {
        return QStringLiteral("\"id\" must be a non-empty string of at most %1 characters")
            .arg(kMaxCommandIdLength);
    }
    const QJsonValue op = command.value(QLatin1String("op"));
    if (!op.isString() || op.toString().isEmpty())
        return QStringLiteral("\"op\" must be a non-empty string");
    return {};
}

} // namespace starling::bridge
