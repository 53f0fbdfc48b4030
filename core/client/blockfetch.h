#pragma once

#include "client/partfile.h"
#include "transfer/transferplan.h"

#include <QByteArray>
#include <QString>

#include <curl/curl.h>

#include <cstdint>

// Internal to core/transfer: ParallelDownload's connections. Not for use outside core (it
// exposes libcurl types, which only core links).

namespace starling::client {

// libcurl's process-wide initialisation, done once before the first handle.
void ensureCurlInitialised();

// How one block fetch ended.
struct FetchOutcome
{
    enum class Kind
    {
        Received,    // 206 (or 200 for a whole-file block), every byte: ready to verify
        FileChanged, // 412: the slave's file no longer has the plan's ETag
        LocalError,  // writing the part file failed (disk full, ...): no source can help
        Failed       // anything else the source did wrong: status, short body, network error
    };
    Kind kind = Kind::Failed;
    QString reason; // one line, for Failed and LocalError
};

// One connection to one source: a libcurl easy handle reused block after block, so the
// connection stays alive between blocks (libcurl keeps it in the multi handle's cache). Each
// block is a GET with `Range: bytes=o-e` and `If-Match: <etag>`; the write callback pwrites
// at the block's offset and does nothing else, so this thread keeps up with a fast link. The
// block's hash is checked afterwards, on another thread (BlockVerifier).
class BlockFetch
{
public:
    struct Tuning
    {
        long bufferBytes = 512 * 1024; // CURLOPT_BUFFERSIZE: fewer, larger writes
        long connectTimeoutMs = 10000;
        QByteArray bearerToken = {}; // sent as Authorization: Bearer when not empty
    };

    // counter, if not null, is increased by every byte received (the source's total).
    BlockFetch(int sourceIndex, PartFile &file, qint64 *counter, Tuning tuning);
    ~BlockFetch();
    BlockFetch(const BlockFetch &) = delete;
    BlockFetch &operator=(const BlockFetch &) = delete;

    CURL *handle() const { return m_curl; }
    int sourceIndex() const { return m_source; }

    // Prepares the handle for `block` (the caller adds it to the multi handle). wholeFile
    // allows a 200 answer, which a server may give to a range covering the whole file.
    void start(const QUrl &url, const transfer::PlanBlock &block, const QByteArray &etag,
               bool wholeFile, std::int64_t nowMs);
    // After libcurl reported the transfer done (and the caller removed the handle).
    FetchOutcome finish(CURLcode result);
    // The transfer was taken away (the caller removed the handle from the multi handle).
    void abandon() { m_busy = false; }

    bool busy() const { return m_busy; }
    int blockIndex() const { return m_block.index; }
    const transfer::PlanBlock &block() const { return m_block; }
    qint64 received() const { return m_received; }
    // Steady-clock ms of the last byte received, or of start() before the first.
    std::int64_t lastActivityMs() const { return m_lastActivityMs; }

private:
    static size_t onData(char *data, size_t size, size_t count, void *self);
    size_t receive(const char *data, size_t length);

    CURL *m_curl = nullptr;
    curl_slist *m_headers = nullptr;
    int m_source = 0;
    PartFile &m_file;
    qint64 *m_counter = nullptr;
    Tuning m_tuning;

    transfer::PlanBlock m_block;
    bool m_busy = false;
    bool m_wholeFile = false;
    bool m_statusChecked = false;
    bool m_accepting = false; // the status allows writing the body into the part file
    long m_status = 0;
    qint64 m_received = 0;
    std::int64_t m_lastActivityMs = 0;
    QByteArray m_errorBody; // the start of a non-206 body, for the message
    QString m_localError;   // set when writing the part file failed
    bool m_overflow = false;
    char m_curlError[CURL_ERROR_SIZE] = {};
};

// Milliseconds of a monotonic clock (the same clock BlockFetch stamps activity with).
std::int64_t steadyNowMs();

} // namespace starling::client
