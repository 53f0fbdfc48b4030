#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QLatin1String>
#include <QString>

namespace starling::bridge {

inline constexpr int kProtocolVersion = 1;
inline constexpr QLatin1String kServerName{"starling-monitor"};
inline constexpr qsizetype kMaxClientNameLength = 64;
inline constexpr qsizetype kMaxCommandIdLength = 128;

// The "type" of every line (PROTOCOL.md, "Messages").
namespace MessageType {
inline constexpr QLatin1String Hello{"hello"};
inline constexpr QLatin1String Welcome{"welcome"};
inline constexpr QLatin1String Snapshot{"snapshot"};
inline constexpr QLatin1String Event{"event"};
inline constexpr QLatin1String Command{"command"};
inline constexpr QLatin1String Ack{"ack"};
inline constexpr QLatin1String Error{"error"};
inline constexpr QLatin1String Ping{"ping"};
inline constexpr QLatin1String Pong{"pong"};
} // namespace MessageType

// Error codes the bridge itself sends; the monitor adds its own for commands it refuses.
namespace ErrorCode {
inline constexpr QLatin1String Unauthorized{"unauthorized"};                // closes
inline constexpr QLatin1String UnsupportedProtocol{"unsupported_protocol"}; // closes
inline constexpr QLatin1String HelloRequired{"hello_required"};             // closes
inline constexpr QLatin1String HelloTimeout{"hello_timeout"};               // closes
inline constexpr QLatin1String BadHello{"bad_hello"};                       // closes
inline constexpr QLatin1String TooManyClients{"too_many_clients"};          // closes
inline constexpr QLatin1String LineTooLong{"line_too_long"};                // closes
inline constexpr QLatin1String TooSlow{"too_slow"};                         // closes
inline constexpr QLatin1String ShuttingDown{"shutting_down"};               // closes
inline constexpr QLatin1String BadJson{"bad_json"};
inline constexpr QLatin1String UnknownType{"unknown_type"};
inline constexpr QLatin1String BadCommand{"bad_command"};
} // namespace ErrorCode

// Building and reading bridge lines. Every builder returns one compact JSON object followed by
// "\n" (compact JSON escapes newlines inside strings, so a line is always one message).
class BridgeMessage
{
public:
    // A line read from the peer: either an object with a string "type", or why it is not.
    struct Parsed
    {
        QJsonObject object;
        QString type;
        QString errorCode; // empty when the line is a typed object
        QString errorMessage;

        bool isValid() const { return errorCode.isEmpty(); }
    };

    static Parsed parse(const QByteArray &line);
    static QByteArray encode(const QJsonObject &object);

    static QByteArray hello(const QString &clientName, const QByteArray &token);
    static QByteArray welcome(quint64 clientId);
    // The id the server gave this client in its welcome; 0 if there is none.
    static quint64 clientIdOf(const QJsonObject &welcome);
    static QByteArray snapshot(const QJsonObject &snapshot);
    static QByteArray event(const QJsonObject &event);
    static QByteArray ack(const QString &id, const QJsonObject &result);
    // A null id is sent as JSON null (errors that belong to no command).
    static QByteArray error(const QString &id, const QString &code, const QString &message);
    static QByteArray ping(const QString &id);
    static QByteArray pong(const QJsonValue &id);

    // Non-empty, at most 64 characters of [A-Za-z0-9._@-].
    static bool isValidClientName(const QString &name);
    // A non-empty string of at most 128 characters.
    static bool isValidCommandId(const QJsonValue &id);
    // Why a "command" object breaks the envelope rules, or an empty string if it does not.
    static QString commandEnvelopeError(const QJsonObject &command);
};

} // namespace starling::bridge
