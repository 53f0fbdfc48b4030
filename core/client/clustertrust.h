#pragma once

#include "util/tlstrust.h"

#include <QString>

#include <curl/curl.h>

#include <optional>

namespace starling::client {

// What every libcurl handle of this process trusts (TLS slice). One process talks to one
// cluster, whose state file says what to trust, so the command sets it once before its first
// request instead of threading it through every request type.
void setClusterTrust(util::TlsTrust trust);
util::TlsTrust clusterTrust();

// Applies the trust to `curl`: HTTPS only (never clear text), the CA file as the only roots
// (no system CA path) with the host checked against the certificate, and/or the public key pin
// (CURLOPT_PINNEDPUBLICKEY; with a pin alone there is no chain to check). Without a trust the
// handle stays as it was: clear text, or https against the system's roots.
void applyClusterTrust(CURL *curl);

// One line for a failed TLS handshake or verification, or nothing for other failures.
std::optional<QString> describeTlsFailure(CURLcode result, const QString &why);

} // namespace starling::client
