#include "clustertrust.h"

#include <mutex>

namespace starling::client {

namespace {

std::mutex g_mutex;
util::TlsTrust g_trust;

} // namespace

void setClusterTrust(util::TlsTrust trust)
{
    std::lock_guard lock(g_mutex);
    g_trust = std::move(trust);
}

util::TlsTrust clusterTrust()
{
    std::lock_guard lock(g_mutex);
    return g_trust;
}

void applyClusterTrust(CURL *curl)
{
    const util::TlsTrust trust = clusterTrust();
    if (!trust.isEnabled())
        return;
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
    if (!trust.caFile.isEmpty()) {
        curl_easy_setopt(curl, CURLOPT_CAINFO, trust.caFile.toLocal8Bit().constData());
        curl_easy_setopt(curl, CURLOPT_CAPATH, static_cast<char *>(nullptr)); // no system roots
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    } else {
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!trust.publicKeyPin.isEmpty())
        curl_easy_setopt(curl, CURLOPT_PINNEDPUBLICKEY, trust.publicKeyPin.toLatin1().constData());
}

std::optional<QString> describeTlsFailure(CURLcode result, const QString &why)
{
    switch (result) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_UNSUPPORTED_PROTOCOL:
        break;
    default:
        return std::nullopt;
    }
    const util::TlsTrust trust = clusterTrust();
    QString against;
    if (!trust.caFile.isEmpty())
        against = QStringLiteral("the CA file %1").arg(trust.caFile);
    if (!trust.publicKeyPin.isEmpty())
        against += (against.isEmpty() ? QString() : QStringLiteral(" and ")) +
                   QStringLiteral("the pinned public key (tls.pubkey_sha256)");
    if (against.isEmpty())
        against = QStringLiteral("the system's CAs");
    return QStringLiteral("TLS verification against %1 failed: %2").arg(against, why);
}

} // namespace starling::client
