#include "blockfetch.h"

#include "client/clustertrust.h"

#include <chrono>
#include <new>

namespace starling::client {

namespace {

constexpr qsizetype kMaxErrorBody = 512;

// The first line of an error body, printable ASCII only, so a hostile server cannot forge a
// second line in our output.
QString firstLine(const QByteArray &body)
{
    QString line;
    for (const char c : body) {
        if (c == '\n' || c == '\r' || line.size() >= 120)
            break;
        line.append(c >= 0x20 && c < 0x7f ? QChar::fromLatin1(c) : u'?');
    }
    return line.trimmed();
}

} // namespace

void ensureCurlInitialised()
{
    static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    Q_UNUSED(initialised);
}

std::int64_t steadyNowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

BlockFetch::BlockFetch(int sourceIndex, PartFile &file, qint64 *counter, Tuning tuning)
    : m_source(sourceIndex), m_file(file), m_counter(counter), m_tuning(tuning)
{
    ensureCurlInitialised();
    m_curl = curl_easy_init();
    if (!m_curl)
        throw std::bad_alloc();
    curl_easy_setopt(m_curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(m_curl, CURLOPT_BUFFERSIZE, m_tuning.bufferBytes);
    curl_easy_setopt(m_curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(m_curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(m_curl, CURLOPT_CONNECTTIMEOUT_MS, m_tuning.connectTimeoutMs);
    curl_easy_setopt(m_curl, CURLOPT_HTTP_VERSION, long(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(m_curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(m_curl, CURLOPT_FOLLOWLOCATION, 0L);
    // Data servers are the cluster's own endpoints; a proxy from the environment would only
    // add a hop (and hide which slave is slow).
    curl_easy_setopt(m_curl, CURLOPT_PROXY, "");
    curl_easy_setopt(m_curl, CURLOPT_USERAGENT, "starling-get");
    curl_easy_setopt(m_curl, CURLOPT_ERRORBUFFER, m_curlError);
    curl_easy_setopt(m_curl, CURLOPT_WRITEFUNCTION, &BlockFetch::onData);
    curl_easy_setopt(m_curl, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(m_curl, CURLOPT_PRIVATE, this);
    applyClusterTrust(m_curl);
}

BlockFetch::~BlockFetch()
{
    curl_easy_cleanup(m_curl);
    curl_slist_free_all(m_headers);
}

void BlockFetch::start(const QUrl &url, const transfer::PlanBlock &block, const QByteArray &etag,
                       bool wholeFile, std::int64_t nowMs)
{
    m_block = block;
    m_busy = true;
    m_wholeFile = wholeFile;
    m_statusChecked = false;
    m_accepting = false;
    m_status = 0;
    m_received = 0;
    m_lastActivityMs = nowMs;
    m_errorBody.clear();
    m_localError.clear();
    m_overflow = false;
    m_curlError[0] = '\0';

    curl_slist_free_all(m_headers);
    m_headers = curl_slist_append(nullptr, QByteArray("If-Match: " + etag).constData());
    if (!m_tuning.bearerToken.isEmpty()) // the data servers may require the cluster token
        m_headers = curl_slist_append(
            m_headers, QByteArray("Authorization: Bearer " + m_tuning.bearerToken).constData());
    const QByteArray range = QByteArray::number(block.offset) + '-' +
                             QByteArray::number(block.offset + block.length - 1);
    curl_easy_setopt(m_curl, CURLOPT_URL, url.toEncoded().constData());
    curl_easy_setopt(m_curl, CURLOPT_RANGE, range.constData()); // copied by libcurl
    curl_easy_setopt(m_curl, CURLOPT_HTTPHEADER, m_headers);
}

size_t BlockFetch::onData(char *data, size_t size, size_t count, void *self)
{
    return static_cast<BlockFetch *>(self)->receive(data, size * count);
}

size_t BlockFetch::receive(const char *data, size_t length)
{
    m_lastActivityMs = steadyNowMs();
    if (m_counter)
        *m_counter += qint64(length);
    if (!m_statusChecked) {
        curl_easy_getinfo(m_curl, CURLINFO_RESPONSE_CODE, &m_status);
        m_statusChecked = true;
        m_accepting = m_status == 206 || (m_status == 200 && m_wholeFile);
    }
    if (!m_accepting) {
        // Keep the start for the message; the rest (maybe a whole file sent as 200) is not
        // worth waiting for.
        m_errorBody.append(data, qMin(qsizetype(length), kMaxErrorBody - m_errorBody.size()));
        return m_errorBody.size() < kMaxErrorBody ? length : 0;
    }
    if (m_received + qint64(length) > m_block.length) {
        m_overflow = true;
        return 0; // makes libcurl stop with CURLE_WRITE_ERROR
    }
    if (const auto written = m_file.write(m_block.offset + m_received, data, qint64(length));
        !written) {
        m_localError = written.error();
        return 0;
    }
    m_received += qint64(length);
    return length;
}

FetchOutcome BlockFetch::finish(CURLcode result)
{
    m_busy = false;
    using Kind = FetchOutcome::Kind;
    if (!m_localError.isEmpty())
        return {Kind::LocalError, m_localError};
    if (m_overflow)
        return {Kind::Failed, QStringLiteral("sent more than the %1 bytes of block %2")
                                  .arg(m_block.length)
                                  .arg(m_block.index)};
    if (result == CURLE_OK || (m_statusChecked && !m_accepting)) {
        curl_easy_getinfo(m_curl, CURLINFO_RESPONSE_CODE, &m_status);
        if (m_status == 412)
            return {Kind::FileChanged, QStringLiteral("HTTP 412: the ETag no longer matches")};
        if (!(m_status == 206 || (m_status == 200 && m_wholeFile))) {
            const QString detail =
                m_status == 200 ? QStringLiteral("the Range was ignored") : firstLine(m_errorBody);
            return {Kind::Failed,
                    QStringLiteral("HTTP %1 for block %2%3")
                        .arg(m_status)
                        .arg(m_block.index)
                        .arg(detail.isEmpty() ? QString() : QStringLiteral(": ") + detail)};
        }
    }
    if (result != CURLE_OK) {
        const QString why =
            QString::fromLocal8Bit(m_curlError[0] ? m_curlError : curl_easy_strerror(result));
        return {Kind::Failed, why.trimmed()};
    }
    if (m_received != m_block.length)
        return {Kind::Failed, QStringLiteral("sent %1 of the %2 bytes of block %3")
                                  .arg(m_received)
                                  .arg(m_block.length)
                                  .arg(m_block.index)};
    return {Kind::Received, {}};
}

} // namespace starling::client
