#include "mhdresponse.h"

#include <QFile>

#include <microhttpd.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <limits>

namespace starling::http {

namespace {

// A stream body as libmicrohttpd's content reader sees it; freed with the response.
struct StreamContext
{
    HttpResponse::StreamReader reader;
    qint64 length = 0;
    std::shared_ptr<std::atomic<qint64>> produced;
};

ssize_t readStream(void *cls, uint64_t position, char *buffer, size_t max) noexcept
{
    auto *context = static_cast<StreamContext *>(cls);
    const qint64 want = qMin<qint64>(qint64(max), context->length - qint64(position));
    if (want <= 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    qint64 n = -1;
    try {
        n = context->reader(qint64(position), buffer, want);
    } catch (const std::exception &e) {
        qCWarning(lcHttp, "stream reader failed at byte %lld: %s", qint64(position), e.what());
    } catch (...) {
        qCWarning(lcHttp, "stream reader failed at byte %lld: unknown exception", qint64(position));
    }
    if (n == 0 || n > want) {
        // 0 would make libmicrohttpd call again at once (a busy loop); more than asked
        // overruns its buffer. Both are reader bugs: end the connection.
        qCWarning(lcHttp, "stream reader returned %lld for %lld bytes at %lld; aborting", n, want,
                  qint64(position));
        n = -1;
    }
    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    context->produced->fetch_add(n, std::memory_order_relaxed);
    return ssize_t(n);
}

int openForReading(const QString &path)
{
    const QByteArray native = QFile::encodeName(path);
    int fd;
    do
        fd = ::open(native.constData(), O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    return fd;
}

MHD_Response *bodyResponse(const HttpResponse &response,
                           std::shared_ptr<std::atomic<qint64>> *streamed)
{
    switch (response.bodyKind) {
    case HttpResponse::BodyKind::Buffer: {
        // The body is handed over without a copy; libmicrohttpd frees it with the response.
        auto *body = new QByteArray(response.body);
        MHD_Response *mhd = MHD_create_response_from_buffer_with_free_callback_cls(
            size_t(body->size()), body->data(),
            [](void *cls) { delete static_cast<QByteArray *>(cls); }, body);
        if (!mhd)
            delete body;
        return mhd;
    }
    case HttpResponse::BodyKind::FileRange: {
        if (response.offset < 0 || response.length < 0 ||
            response.offset > std::numeric_limits<qint64>::max() - response.length)
            return nullptr;
        // libmicrohttpd closes the descriptor it is given, and the response's own stays with
        // its owner (the handler's copies may still hold it), so it gets a duplicate.
        int fd = response.file ? ::fcntl(*response.file, F_DUPFD_CLOEXEC, 0)
                               : openForReading(response.filePath);
        if (fd < 0) {
            qCWarning(lcHttp, "cannot open the file to send (%s): %s",
                      qPrintable(response.filePath), std::strerror(errno));
            return nullptr;
        }
        if (response.length == 0) {
            ::close(fd);
            return MHD_create_response_from_buffer(0, nullptr, MHD_RESPMEM_PERSISTENT);
        }
        MHD_Response *mhd = MHD_create_response_from_fd_at_offset64(uint64_t(response.length), fd,
                                                                    uint64_t(response.offset));
        if (!mhd)
            ::close(fd);
        return mhd;
    }
    case HttpResponse::BodyKind::Stream: {
        if (!response.stream || response.length < 0 || response.streamChunkBytes <= 0)
            return nullptr;
        auto *context = new StreamContext{response.stream, response.length,
                                          std::make_shared<std::atomic<qint64>>(0)};
        if (streamed)
            *streamed = context->produced;
        const size_t chunk =
            size_t(qBound(qint64(1024), response.streamChunkBytes, qint64(16 << 20)));
        MHD_Response *mhd = MHD_create_response_from_callback(
            uint64_t(response.length), chunk, &readStream, context,
            [](void *cls) { delete static_cast<StreamContext *>(cls); });
        if (!mhd) {
            delete context;
            if (streamed)
                streamed->reset();
        }
        return mhd;
    }
    }
    return nullptr;
}

} // namespace

MHD_Response *toMhdResponse(const HttpResponse &response,
                            std::shared_ptr<std::atomic<qint64>> *streamed)
{
    if (response.status < 100 || response.status > 599)
        return nullptr;
    MHD_Response *mhd = bodyResponse(response, streamed);
    if (!mhd)
        return nullptr;
    bool ok = true;
    if (!response.contentType.isEmpty()) {
        ok = MHD_add_response_header(mhd, MHD_HTTP_HEADER_CONTENT_TYPE,
                                     response.contentType.constData()) == MHD_YES;
    }
    for (const auto &[name, value] : response.headers) {
        if (!ok)
            break;
        ok = !name.contains('\0') && !value.contains('\0') &&
             MHD_add_response_header(mhd, name.constData(), value.constData()) == MHD_YES;
    }
    if (!ok) {
        MHD_destroy_response(mhd);
        return nullptr;
    }
    return mhd;
}

} // namespace starling::http
