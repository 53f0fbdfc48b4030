#pragma once

#include <QByteArray>
#include <QString>

namespace starling::util {

// What a client trusts when the cluster speaks TLS (the state file's `tls` object): a CA file,
// a pinned server public key, or both (then both must hold). Empty = clear text, as before
// TLS existed; a client never falls back from a non-empty trust to clear text or to no
// verification.
struct TlsTrust
{
    QString caFile;       // PEM; the only roots trusted (hostname checked against its SANs)
    QString publicKeyPin; // "sha256//<base64>" of the server's SubjectPublicKeyInfo (curl's form)

    bool isEnabled() const { return !caFile.isEmpty() || !publicKeyPin.isEmpty(); }
    bool operator==(const TlsTrust &) const = default;
};

// "sha256//" + base64(SHA-256(DER SubjectPublicKeyInfo)): the form CURLOPT_PINNEDPUBLICKEY
// takes, so the state file's pin works unchanged for curl, `starling get` and the bridge.
QString publicKeyPinOf(const QByteArray &subjectPublicKeyInfoDer);

// A well-formed pin: the prefix and 32 bytes of base64.
bool isPublicKeyPin(const QString &text);

} // namespace starling::util
