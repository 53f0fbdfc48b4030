#include "masterrequest.h"

#include "client/blockfetch.h"
#include "client/clustertrust.h"
#include "util/oneline.h"

#include <curl/curl.h>

namespace starling::client {

namespace {

struct Sink
{
    QByteArray bytes;
    qint64 maxBytes = 0;
    bool overflow = false;
};

size_t collect(char *data, size_t size, size_t count, void *out)
{
    Sink &sink = *static_cast<Sink *>(out);
    const size_t length = size * count;
    if (qint64(sink.bytes.size()) + qint64(length) > sink.maxBytes) {
        sink.overflow = true;
        return 0; // libcurl ends the transfer
    }
    sink.bytes.append(data, qsizetype(length));
    return length;
}

// The body of a POST and the request's headers; the list is the caller's to free after the
// transfer (libcurl keeps pointing at it).
curl_slist *attachBodyAndHeaders(CURL *curl, const MasterRequest &request)
{
    curl_slist *headers = nullptr;
    if (request.postBody) {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.postBody->constData());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.postBody->size()));
        // No "Expect: 100-continue" round trip before the body.
        headers = curl_slist_append(headers, "Expect:");
        headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
    }
    if (!request.bearerToken.isEmpty())
        headers = curl_slist_append(
            headers, QByteArray("Authorization: Bearer " + request.bearerToken).constData());
    if (headers)
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    return headers;
}

} // namespace

Expected<MasterReply> callMaster(const QUrl &master, const MasterRequest &request)
{
    ensureCurlInitialised();
    QUrl base = master;
    base.setPath(QString());
    base.setQuery(QString());
    base.setFragment(QString());
    const QString where = base.toString();
    CURL *curl = curl_easy_init();
    if (!curl)
        return Error{QStringLiteral("cannot start libcurl"), QStringLiteral("unreachable")};
    const QByteArray url = base.toEncoded() + request.pathAndQuery;
    Sink sink;
    sink.maxBytes = request.maxBytes;
    char curlError[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_URL, url.constData());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, long(request.timeoutMs));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, long(qMin(request.timeoutMs, 5000)));
    curl_easy_setopt(curl, CURLOPT_USERAGENT, request.userAgent);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curlError);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    applyClusterTrust(curl);
    curl_slist *headers = attachBodyAndHeaders(curl, request);
    const CURLcode result = curl_easy_perform(curl);
    MasterReply reply;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
    curl_easy_cleanup(curl);
    curl_slist_free_all(headers);
    if (sink.overflow)
        return Error{QStringLiteral("the master at %1 sent an answer larger than %2 bytes")
                         .arg(where)
                         .arg(request.maxBytes),
                     QStringLiteral("oversized")};
    if (result != CURLE_OK) {
        const QString why =
            QString::fromLocal8Bit(curlError[0] ? curlError : curl_easy_strerror(result));
        if (const auto tls = describeTlsFailure(result, util::oneLine(why)))
            return Error{QStringLiteral("the master at %1: %2").arg(where, *tls),
                         QStringLiteral("unreachable")};
        return Error{
            QStringLiteral("cannot reach the master at %1: %2").arg(where, util::oneLine(why)),
            QStringLiteral("unreachable")};
    }
    reply.body = std::move(sink.bytes);
    return reply;
}

} // namespace starling::client
