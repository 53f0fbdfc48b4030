#include "throwawayca.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QSaveFile>

#include <cstring>
#include <tuple>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace starling::tls {

namespace {

struct X509Free
{
    void operator()(X509 *cert) const { X509_free(cert); }
};
struct PkeyFree
{
    void operator()(EVP_PKEY *key) const { EVP_PKEY_free(key); }
};
struct BioFree
{
    void operator()(BIO *bio) const { BIO_free(bio); }
};
using Certificate = std::unique_ptr<X509, X509Free>;
using Key = std::unique_ptr<EVP_PKEY, PkeyFree>;

constexpr long kClockSkewS = 300; // valid a little before now: hosts' clocks differ

Error openSslError(const char *what)
{
    const unsigned long code = ERR_get_error();
    char reason[256] = {};
    ERR_error_string_n(code, reason, sizeof reason);
    ERR_clear_error();
    return Error{QStringLiteral("cannot make the throw-away CA: %1: %2")
                     .arg(QLatin1String(what), QLatin1String(reason))};
}

bool randomSerial(X509 *cert)
{
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        return false;
    bytes[0] &= 0x7f; // a positive serial
    BIGNUM *number = BN_bin2bn(bytes, sizeof bytes, nullptr);
    const bool ok = number && BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert));
    BN_free(number);
    return ok;
}

bool addExtension(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    const bool ok = extension && X509_add_ext(cert, extension, -1) == 1;
    X509_EXTENSION_free(extension);
    return ok;
}

// A certificate for `key` named `commonName`, valid from a little before now for `days`.
Certificate newCertificate(EVP_PKEY *key, const char *commonName, int days)
{
    Certificate cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1 || !randomSerial(cert.get()) ||
        !X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kClockSkewS) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), long(days) * 24 * 3600) ||
        X509_set_pubkey(cert.get(), key) != 1)
        return nullptr;
    X509_NAME *name = X509_get_subject_name(cert.get());
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char *>("Starling"), -1, -1,
                                   0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char *>(commonName), -1, -1,
                                   0) != 1)
        return nullptr;
    return cert;
}

QByteArray subjectAltNames(const QStringList &ipAddresses)
{
    QStringList entries;
    for (const QString &address : ipAddresses)
        entries.append(QStringLiteral("IP:") + QHostAddress(address).toString());
    return entries.join(u',').toLatin1();
}

Expected<Certificate> makeCa(EVP_PKEY *caKey, int days)
{
    Certificate ca = newCertificate(caKey, "Starling throw-away CA", days);
    if (!ca || X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get())) != 1 ||
        !addExtension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE") ||
        !addExtension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !addExtension(ca.get(), ca.get(), NID_subject_key_identifier, "hash") ||
        X509_sign(ca.get(), caKey, EVP_sha256()) == 0)
        return openSslError("CA certificate");
    return ca;
}

Expected<Certificate> makeServer(X509 *ca, EVP_PKEY *caKey, EVP_PKEY *key,
                                 const QStringList &ipAddresses, int days)
{
    Certificate cert = newCertificate(key, "Starling cluster", days);
    const QByteArray names = subjectAltNames(ipAddresses);
    if (!cert || X509_set_issuer_name(cert.get(), X509_get_subject_name(ca)) != 1 ||
        !addExtension(cert.get(), ca, NID_basic_constraints, "critical,CA:FALSE") ||
        !addExtension(cert.get(), ca, NID_key_usage, "critical,digitalSignature") ||
        !addExtension(cert.get(), ca, NID_ext_key_usage, "serverAuth") ||
        !addExtension(cert.get(), ca, NID_subject_key_identifier, "hash") ||
        !addExtension(cert.get(), ca, NID_authority_key_identifier, "keyid:always") ||
        !addExtension(cert.get(), ca, NID_subject_alt_name, names.constData()) ||
        X509_sign(cert.get(), caKey, EVP_sha256()) == 0)
        return openSslError("server certificate");
    return cert;
}

QByteArray pemOf(X509 *cert)
{
    const std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
        return {};
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, length);
}

QByteArray pemOf(EVP_PKEY *key)
{
    const std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return {};
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, length);
}

Expected<bool> save(const QString &path, const QByteArray &bytes, QFile::Permissions mode)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(mode) ||
        file.write(bytes) != bytes.size() || !file.commit())
        return Error{QStringLiteral("%1: cannot write: %2").arg(path, file.errorString())};
    return true;
}

} // namespace

Expected<ThrowAwayCa::Issued> ThrowAwayCa::issue(const QStringList &ipAddresses, int validDays)
{
    for (const QString &address : ipAddresses) {
        if (QHostAddress(address).isNull())
            return Error{QStringLiteral("cannot make the throw-away CA: \"%1\" is not an IP "
                                        "address")
                             .arg(address.left(64))};
    }
    const Key caKey(EVP_EC_gen("P-256"));
    const Key key(EVP_EC_gen("P-256"));
    if (!caKey || !key)
        return openSslError("key generation");
    const auto ca = makeCa(caKey.get(), validDays);
    if (!ca)
        return Error{ca.error()};
    const auto cert = makeServer(ca->get(), caKey.get(), key.get(), ipAddresses, validDays);
    if (!cert)
        return Error{cert.error()};
    Issued issued{pemOf(ca->get()), pemOf(cert->get()), pemOf(key.get())};
    if (issued.caCertificatePem.isEmpty() || issued.certificatePem.isEmpty() ||
        issued.privateKeyPem.isEmpty())
        return openSslError("PEM encoding");
    return issued;
}

Expected<TlsFiles> ThrowAwayCa::writeTo(const QString &dir, const Issued &issued)
{
    constexpr QFile::Permissions kOwnerOnly = QFile::ReadOwner | QFile::WriteOwner;
    if (!QDir().mkpath(dir) || !QFile::setPermissions(dir, kOwnerOnly | QFile::ExeOwner))
        return Error{QStringLiteral("%1: cannot create the directory").arg(dir)};
    const QDir base(dir);
    TlsFiles files{base.absoluteFilePath(QStringLiteral("server.pem")),
                   base.absoluteFilePath(QStringLiteral("server.key")),
                   base.absoluteFilePath(QStringLiteral("ca.pem"))};
    const QFile::Permissions kReadable = kOwnerOnly | QFile::ReadGroup | QFile::ReadOther;
    for (const auto &[path, bytes, mode] :
         {std::tuple{files.ca, issued.caCertificatePem, kReadable},
          std::tuple{files.certificate, issued.certificatePem, kReadable},
          std::tuple{files.privateKey, issued.privateKeyPem, kOwnerOnly}}) {
        if (const auto saved = save(path, bytes, mode); !saved)
            return Error{saved.error()};
    }
    return files;
}

} // namespace starling::tls
