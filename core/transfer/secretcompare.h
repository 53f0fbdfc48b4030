#pragma once

#include <QByteArrayView>

namespace starling::transfer {

// Whether `given` equals `expected`, in time that depends only on their lengths (OpenSSL's
// CRYPTO_memcmp), so an attacker timing the answers learns nothing about how many leading
// bytes were right. Lengths are not secret (tokens are 64 hex characters, signatures 32). An
// empty `expected` matches nothing, so an unset secret never admits anyone.
bool secretsEqual(QByteArrayView expected, QByteArrayView given);

} // namespace starling::transfer
