#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <memory>

namespace starling::transfer {

// Incremental SHA-256 over OpenSSL's EVP interface. Qt's QCryptographicHash computes SHA-256 in
// portable C (~250 MB/s here); OpenSSL uses the CPU's SHA extensions (several GB/s), which a
// client verifying a 1 GiB download at loopback speed needs.
class Sha256
{
public:
    Sha256();
    ~Sha256();
    Sha256(Sha256 &&) noexcept;
    Sha256 &operator=(Sha256 &&) noexcept;
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void add(QByteArrayView data);
    void add(const char *data, qsizetype size) { add(QByteArrayView(data, size)); }
    // The digest as 64 lower-case hex characters; the hasher starts over afterwards.
    QByteArray hexResult();

    static QByteArray hexOf(QByteArrayView data);

private:
    struct Context;
    std::unique_ptr<Context> d;
};

} // namespace starling::transfer
