#include "bridgetoken.h"

#include <QRandomGenerator>

#include <array>

namespace starling::bridge {

namespace {
constexpr qsizetype kTokenBytes = 32;
}

QByteArray BridgeToken::generate()
{
    std::array<quint32, kTokenBytes / sizeof(quint32)> words{};
    QRandomGenerator::system()->fillRange(words.data(), qsizetype(words.size()));
    const QByteArray raw(reinterpret_cast<const char *>(words.data()), kTokenBytes);
    return raw.toHex();
}

bool BridgeToken::isWellFormed(QByteArrayView token)
{
    if (token.size() != 2 * kTokenBytes)
        return false;
    for (const char c : token) {
        const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!hex)
            return false;
    }
    return true;
}

bool BridgeToken::matches(QByteArrayView expected, QByteArrayView given)
{
    if (expected.isEmpty())
        return false;
    // Walk all of expected whatever given holds; fold every difference (and a length
    // difference) into one accumulator, branch only at the end.
    unsigned difference = expected.size() == given.size() ? 0u : 1u;
    const qsizetype givenSize = given.size();
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const unsigned char g = givenSize > 0 ? uchar(given[i % givenSize]) : 0u;
        difference |= unsigned(uchar(expected[i]) ^ g);
    }
    return difference == 0;
}

} // namespace starling::bridge
