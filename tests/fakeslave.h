#pragma once

// A fake slave data server for the download tests: an HttpServer (libmicrohttpd, 127.0.0.1,
// port 0) that serves Range slices of an in-memory file the way a slave does (206 with
// Content-Range, 412 when If-Match is not the file's ETag, 416 for a bad range), and can be
// told to misbehave: hang until released, send wrong bytes, fail, or answer 412. It records
// every block request so tests can check what was (not) fetched.
#include "http/httpserver.h"
#include "testutil.h"
#include "transfer/sha256.h"
#include "transfer/transferplan.h"

#include <QDeadlineTimer>
#include <QMutex>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QSet>
#include <QThread>
#include <QWaitCondition>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

namespace starling::testing {

using http::HttpRequest;
using http::HttpResponse;
using http::HttpServer;

// "bytes=FIRST-LAST" only (what the client sends); the real parser is tested elsewhere.
inline std::optional<std::pair<qint64, qint64>> parseRange(const QByteArray &header, qint64 size)
{
    if (!header.startsWith("bytes="))
        return std::nullopt;
    const QList<QByteArray> parts = header.mid(6).split('-');
    bool okFirst = false;
    bool okLast = false;
    if (parts.size() != 2)
        return std::nullopt;
    const qint64 first = parts[0].toLongLong(&okFirst);
    const qint64 last = parts[1].toLongLong(&okLast);
    if (!okFirst || !okLast || first < 0 || last < first || last >= size)
        return std::nullopt;
    return std::make_pair(first, last);
}

class FakeSlave
{
public:
    enum class Mode
    {
        Serve,   // 206 with the right bytes
        Hang,    // the handler waits until release() (bounded), then 503
        Corrupt, // blocks in corruptBlocks (all if empty) get one byte flipped
        Fail,    // 500
        Changed, // 412, as if the file changed on disk
        Whole,   // ignores Range: 200 with the whole file
    };

    FakeSlave(QByteArray data, QByteArray etag, QString path)
        : m_data(std::move(data)), m_etag(std::move(etag)), m_path(std::move(path)),
          m_server([this](const HttpRequest &request) { return handle(request); })
    {}
    ~FakeSlave()
    {
        release();
        m_server.stop(); // waits for a running handler, which release() let go
    }

    Expected<quint16> listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.port())); }

    std::atomic<Mode> mode{Mode::Serve};
    std::atomic<int> failAfter{-1}; // serve this many requests, then behave as Fail
    std::atomic<int> delayMs{0};    // per request, to emulate a slow link
    QSet<int> corruptBlocks;        // set before the download starts

    void release()
    {
        QMutexLocker lock(&m_mutex);
        m_released = true;
        m_wake.wakeAll();
    }
    QList<int> requestedBlocks() const
    {
        QMutexLocker lock(&m_mutex);
        return m_blocks;
    }
    int hanging() const { return m_hanging.load(); }
    QList<QByteArray> authorizations() const // each request's Authorization header, in order
    {
        QMutexLocker lock(&m_mutex);
        return m_authorizations;
    }

private:
    HttpResponse handle(const HttpRequest &request)
    {
        const int block = request.queryValue("b").toInt();
        int served = 0;
        {
            QMutexLocker lock(&m_mutex);
            m_blocks.append(block);
            m_authorizations.append(request.header("Authorization"));
            served = m_blocks.size() - 1;
        }
        if (request.path != "/files/" + m_path.toUtf8())
            return HttpResponse::text(404, "no such file\n");
        if (const int delay = delayMs.load(); delay > 0)
            QThread::msleep(ulong(delay)); // the emulated link, not a wait for the test
        Mode current = mode.load();
        if (failAfter.load() >= 0 && served >= failAfter.load())
            current = Mode::Fail;
        if (current == Mode::Hang) {
            ++m_hanging;
            QMutexLocker lock(&m_mutex);
            QDeadlineTimer deadline(30000);
            while (!m_released && !deadline.hasExpired())
                m_wake.wait(&m_mutex, deadline);
            return HttpResponse::text(503, "was hanging\n");
        }
        if (current == Mode::Fail)
            return HttpResponse::text(500, "disk on fire\n");
        if (current == Mode::Changed || request.header("If-Match") != m_etag)
            return HttpResponse::json(412, {{QStringLiteral("error"), QStringLiteral("changed")}});
        if (current == Mode::Whole) {
            HttpResponse whole = HttpResponse::text(200, m_data);
            whole.contentType = "application/octet-stream";
            return whole;
        }
        const auto range = parseRange(request.header("Range"), m_data.size());
        if (!range)
            return HttpResponse::text(416, "bad range\n");
        HttpResponse response;
        response.status = 206;
        response.contentType = "application/octet-stream";
        response.body = m_data.mid(range->first, range->second - range->first + 1);
        if (current == Mode::Corrupt && (corruptBlocks.isEmpty() || corruptBlocks.contains(block)))
            response.body[response.body.size() / 2] =
                char(~response.body[response.body.size() / 2]);
        response.headers.append(
            {QByteArray("Content-Range"), "bytes " + QByteArray::number(range->first) + '-' +
                                              QByteArray::number(range->second) + '/' +
                                              QByteArray::number(m_data.size())});
        response.headers.append({QByteArray("ETag"), m_etag});
        return response;
    }

    const QByteArray m_data;
    const QByteArray m_etag;
    const QString m_path;
    mutable QMutex m_mutex;
    QWaitCondition m_wake;
    bool m_released = false;
    QList<QByteArray> m_authorizations;
    QList<int> m_blocks;
    std::atomic<int> m_hanging{0};
    HttpServer m_server; // last: stopped first, while everything it uses still exists
};

// A plan for `data` over `sources` (block i to source i * n / blocks, as an equal split
// does), through the JSON codec so it is one a real master could have sent.
inline transfer::TransferPlan makePlan(const QByteArray &data, qint64 pieceSize,
                                       const std::vector<QUrl> &sources, const QString &path,
                                       const QByteArray &etag,
                                       const std::vector<double> &linkMBps = {})
{
    transfer::TransferPlan plan;
    plan.transferId = QStringLiteral("test-transfer");
    plan.path = path;
    plan.size = data.size();
    plan.mtimeMs = 1718000000000;
    plan.etag = etag;
    plan.pieceSize = pieceSize;
    plan.sha256 = transfer::Sha256::hexOf(data);
    plan.strategy = QStringLiteral("equal");
    for (size_t i = 0; i < sources.size(); ++i) {
        plan.sources.push_back({int(i) + 2, QStringLiteral("slave-%1").arg(i + 2), sources[i],
                                i < linkMBps.size() ? linkMBps[i] : 0.0,
                                1.0 / double(sources.size())});
    }
    const qint64 blocks = data.isEmpty() ? 0 : (data.size() - 1) / pieceSize + 1;
    for (qint64 i = 0; i < blocks; ++i) {
        const qint64 offset = i * pieceSize;
        const qint64 length = qMin(pieceSize, qint64(data.size()) - offset);
        plan.blocks.push_back({int(i), offset, length,
                               transfer::Sha256::hexOf(data.mid(offset, length)),
                               int(i * qint64(sources.size()) / blocks)});
    }
    auto checked = transfer::TransferPlan::fromJson(plan.toJson());
    if (!checked)
        qFatal("test plan invalid: %s", qPrintable(checked.error()));
    return std::move(checked).value();
}

} // namespace starling::testing
