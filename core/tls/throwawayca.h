#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace starling::tls {

// The PEM files of a TLS setup as a cluster reads them (config `tls_cert`, `tls_key`,
// `tls_ca`).
struct TlsFiles
{
    QString certificate;
    QString privateKey;
    QString ca;
};

// A certificate authority that lives for one call: it makes a CA (EC P-256, self-signed) and a
// server certificate it signs for the given IP addresses (subjectAltName IP entries; a client
// checks the address it connected to against them), and forgets the CA's key, so nothing more
// can ever be signed with it. `starling lab up --tls` and the TLS tests use it; a real
// deployment brings its own certificates.
class ThrowAwayCa
{
public:
    struct Issued
    {
        QByteArray caCertificatePem;
        QByteArray certificatePem;
        QByteArray privateKeyPem; // PKCS#8, unencrypted
    };

    static Expected<Issued> issue(const QStringList &ipAddresses, int validDays = 30);
    // Writes ca.pem, server.pem and server.key (0600) into `dir` (created 0700 if missing).
    static Expected<TlsFiles> writeTo(const QString &dir, const Issued &issued);
};

} // namespace starling::tls
