#include "bridgehello.h"

#include "bridge/bridgemessage.h"
#include "bridge/bridgetoken.h"

namespace starling::bridge {

namespace {

BridgeHello refused(QLatin1String code, const QString &message)
{
    return BridgeHello{false, QString(), code, message};
}

} // namespace

BridgeHello BridgeHello::check(const QByteArray &line, const QByteArray &token)
{
    const BridgeMessage::Parsed parsed = BridgeMessage::parse(line);
    if (!parsed.isValid() || parsed.type != MessageType::Hello)
        return refused(ErrorCode::HelloRequired,
                       QStringLiteral("the first line must be {\"type\":\"hello\",...}"));
    const QJsonObject &hello = parsed.object;
    const QJsonValue protocol = hello.value(QLatin1String("protocol"));
    if (!protocol.isDouble() || protocol.toDouble() != kProtocolVersion)
        return refused(ErrorCode::UnsupportedProtocol,
                       QStringLiteral("this bridge speaks protocol %1").arg(kProtocolVersion));
    const QJsonValue offered = hello.value(QLatin1String("token"));
    if (!offered.isString() || !BridgeToken::matches(token, offered.toString().toUtf8()))
        return refused(ErrorCode::Unauthorized, offered.isString()
                                                    ? QStringLiteral("wrong token")
                                                    : QStringLiteral("the hello carries no token"));
    const QJsonValue client = hello.value(QLatin1String("client"));
    if (!client.isString() || !BridgeMessage::isValidClientName(client.toString()))
        return refused(
            ErrorCode::BadHello,
            QStringLiteral("\"client\" must be 1 to %1 characters of A-Z a-z 0-9 . _ @ -")
                .arg(kMaxClientNameLength));
    return BridgeHello{true, client.toString(), QString(), QString()};
}

} // namespace starling::bridge
