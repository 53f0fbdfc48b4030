#include "tlsidentity.h"

#include "util/tlstrust.h"

#include <QFile>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace starling::tls {

namespace {

struct BioFree
{
    void operator()(BIO *bio) const { BIO_free(bio); }
};
struct X509Free
{
    void operator()(X509 *cert) const { X509_free(cert); }
};
struct PkeyFree
{
    void operator()(EVP_PKEY *key) const { EVP_PKEY_free(key); }
};

std::unique_ptr<BIO, BioFree> memoryBio(const QByteArray &bytes)
{
    return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(bytes.constData(), int(bytes.size())));
}

// An encrypted key would make OpenSSL prompt on the terminal; refuse it instead.
int noPassphrase(char *, int, int, void *)
{
    return 0;
}

Expected<QByteArray> readPem(const QString &path, const char *what)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("%1 %2: cannot read: %3")
                         .arg(QLatin1String(what), path, file.errorString())};
    const QByteArray bytes = file.read(TlsIdentity::kMaxPemBytes + 1);
    if (bytes.size() > TlsIdentity::kMaxPemBytes)
        return Error{QStringLiteral("%1 %2: larger than %3 bytes, not a PEM file")
                         .arg(QLatin1String(what), path)
                         .arg(TlsIdentity::kMaxPemBytes)};
    return bytes;
}

std::unique_ptr<X509, X509Free> firstCertificate(const QByteArray &pem)
{
    const auto bio = memoryBio(pem);
    std::unique_ptr<X509, X509Free> cert(
        bio ? PEM_read_bio_X509(bio.get(), nullptr, noPassphrase, nullptr) : nullptr);
    ERR_clear_error();
    return cert;
}

QString publicKeyPinOf(X509 *cert)
{
    unsigned char *der = nullptr;
    const int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
    if (length <= 0)
        return {};
    const QString pin = util::publicKeyPinOf(QByteArray(reinterpret_cast<char *>(der), length));
    OPENSSL_free(der);
    return pin;
}

} // namespace

Expected<TlsIdentity> TlsIdentity::load(const QString &certificatePath, const QString &keyPath)
{
    const auto cert = readPem(certificatePath, "tls_cert");
    if (!cert)
        return Error{cert.error()};
    const auto key = readPem(keyPath, "tls_key");
    if (!key)
        return Error{key.error()};
    return fromPem(*cert, *key, QStringLiteral("tls_cert ") + certificatePath,
                   QStringLiteral("tls_key ") + keyPath);
}

Expected<TlsIdentity> TlsIdentity::fromPem(const QByteArray &certificatePem,
                                           const QByteArray &privateKeyPem,
                                           const QString &certificateOrigin,
                                           const QString &keyOrigin)
{
    const auto cert = firstCertificate(certificatePem);
    if (!cert)
        return Error{certificateOrigin + QStringLiteral(": not a PEM certificate")};
    const auto bio = memoryBio(privateKeyPem);
    const std::unique_ptr<EVP_PKEY, PkeyFree> key(
        bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr) : nullptr);
    ERR_clear_error();
    if (!key)
        return Error{keyOrigin + QStringLiteral(": not an unencrypted PEM private key")};
    const bool matches = X509_check_private_key(cert.get(), key.get()) == 1;
    ERR_clear_error();
    if (!matches)
        return Error{keyOrigin + QStringLiteral(" does not match the certificate ") +
                     certificateOrigin.section(u' ', 1)};
    TlsIdentity identity;
    identity.certificatePem = certificatePem;
    identity.privateKeyPem = privateKeyPem;
    identity.publicKeyPin = publicKeyPinOf(cert.get());
    return identity;
}

Expected<bool> checkCaFile(const QString &path)
{
    const auto pem = readPem(path, "tls_ca");
    if (!pem)
        return Error{pem.error()};
    if (!firstCertificate(*pem))
        return Error{QStringLiteral("tls_ca %1: not a PEM certificate").arg(path)};
    return true;
}

} // namespace starling::tls
