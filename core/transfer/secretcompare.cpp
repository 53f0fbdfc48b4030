#include "secretcompare.h"

#include <openssl/crypto.h>

namespace starling::transfer {

bool secretsEqual(QByteArrayView expected, QByteArrayView given)
{
    if (expected.isEmpty() || expected.size() != given.size())
        return false;
    return CRYPTO_memcmp(expected.data(), given.data(), size_t(expected.size())) == 0;
}

} // namespace starling::transfer
