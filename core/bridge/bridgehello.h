#pragma once

#include <QByteArray>
#include <QString>

namespace starling::bridge {

// The verdict on a client's first line (PROTOCOL.md, "Hello"): a hello of this protocol with
// the right token and a valid client name, or the error that closes the connection. Pure, so
// the part of the bridge a stranger reaches before authenticating can be fuzzed without sockets.
struct BridgeHello
{
    bool accepted = false;
    QString clientName; // when accepted
    QString errorCode;  // when not: one of ErrorCode's closing codes
    QString errorMessage;

    // The token is compared in constant time and never appears in the verdict.
    static BridgeHello check(const QByteArray &line, const QByteArray &token);
};

} // namespace starling::bridge
