#include "sha256.h"

#include <openssl/evp.h>

#include <new>
#include <stdexcept>

namespace starling::transfer {

struct Sha256::Context
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
    void reset()
    {
        if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1)
            throw std::runtime_error("OpenSSL cannot start a SHA-256 digest");
    }
};

Sha256::Sha256() : d(std::make_unique<Context>())
{
    if (!d->ctx)
        throw std::bad_alloc();
    d->reset();
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256 &&) noexcept = default;
Sha256 &Sha256::operator=(Sha256 &&) noexcept = default;

void Sha256::add(QByteArrayView data)
{
    if (!data.isEmpty())
        EVP_DigestUpdate(d->ctx, data.data(), size_t(data.size()));
}

QByteArray Sha256::hexResult()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(d->ctx, digest, &length);
    d->reset();
    return QByteArray(reinterpret_cast<const char *>(digest), qsizetype(length)).toHex();
}

QByteArray Sha256::hexOf(QByteArrayView data)
{
    Sha256 hasher;
    hasher.add(data);
    return hasher.hexResult();
}

} // namespace starling::transfer
