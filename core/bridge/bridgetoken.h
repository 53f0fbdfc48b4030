#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace starling::bridge {

// The shared secret a bridge client presents in its hello: 64 lowercase hex characters (32
// random bytes) that `starling up` writes to the 0600 state file.
class BridgeToken
{
public:
    static QByteArray generate();                   // from the system's cryptographic random source
    static bool isWellFormed(QByteArrayView token); // exactly 64 hex characters
    // Whether given equals expected, in time that depends only on expected's length (so the
    // time taken tells an attacker nothing about how many leading characters were right). An
    // empty expected token matches nothing.
    static bool matches(QByteArrayView expected, QByteArrayView given);
};

} // namespace starling::bridge
