#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QString>

namespace starling::tls {

// A server's TLS identity as the config names it (`tls_cert`, `tls_key`): both PEM files read
// and checked with OpenSSL at start, so a wrong file is one line before anything listens rather
// than a handshake failure for every client later. The PEM bytes go unchanged to libmicrohttpd
// (GnuTLS) and to the bridge's QSslServer.
struct TlsIdentity
{
    static constexpr qint64 kMaxPemBytes = 1 << 20;

    QByteArray certificatePem; // the server certificate first, then any chain
    QByteArray privateKeyPem;  // unencrypted
    QString publicKeyPin;      // util::publicKeyPinOf the certificate's public key

    // Errors (one line each, naming the config key and the path): unreadable, not a PEM
    // certificate, not an unencrypted PEM private key, key does not match the certificate.
    static Expected<TlsIdentity> load(const QString &certificatePath, const QString &keyPath);
    static Expected<TlsIdentity> fromPem(const QByteArray &certificatePem,
                                         const QByteArray &privateKeyPem,
                                         const QString &certificateOrigin,
                                         const QString &keyOrigin);
};

// Checks that `path` holds at least one PEM certificate (a CA file a client will trust).
Expected<bool> checkCaFile(const QString &path);

} // namespace starling::tls
