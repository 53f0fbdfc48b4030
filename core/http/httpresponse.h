#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

#include <functional>
#include <memory>

namespace starling::http {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// What the handler answers. The body is one of three kinds:
// - Buffer (the default): `body`, sent as is.
// - FileRange: `length` bytes from `offset` of an open file, sent with libmicrohttpd's fd
//   responses, so Linux moves them with sendfile() without copying through user space. The
//   server owns the descriptor (closed when the last copy of the response is gone) or opens
//   `filePath` itself when queueing (failure gives 500).
// - Stream: `length` bytes produced on demand by `stream` (see StreamReader), for paced or
//   relayed bodies. The reader runs on the connection's thread.
// For HEAD only the headers and the body's Content-Length are sent; no byte is read.
struct HttpResponse
{
    enum class BodyKind
    {
        Buffer,
        FileRange,
        Stream
    };

    // Fills up to `max` bytes of the body at `position` (0-based, increasing) into `buffer` and
    // returns how many it wrote, 1..max; -1 aborts the connection (the client sees a short
    // body). It must never return 0: with nothing to send yet it blocks until it has, which
    // needs HttpServerLimits::threadPerConnection, and it must notice HttpServer::isStopping()
    // (or its owner's own stop flag) so that stop() does not wait on it forever.
    using StreamReader = std::function<qint64(qint64 position, char *buffer, qint64 max)>;

    // How a response ended, for progress reporting: complete = every byte was handed to the
    // kernel; otherwise the client went away, timed out, the server stopped or a reader
    // aborted. bodyBytes: a buffer's or file range's length when complete (0 for HEAD), else
    // what is known to have left: the bytes a stream reader produced, 0 for a buffer or file
    // range (libmicrohttpd does not tell how far sendfile got).
    struct Outcome
    {
        bool complete = false;
        qint64 bodyBytes = 0;
    };

    int status = 200;
    QByteArray contentType; // empty = no Content-Type header
    QByteArray body;        // BodyKind::Buffer
    HeaderList headers;     // extra headers; Content-Length is the server's

    BodyKind bodyKind = BodyKind::Buffer;
    std::shared_ptr<const int> file;     // FileRange: an owned descriptor (see fileRange())
    QString filePath;                    // FileRange without a descriptor: opened when queued
    qint64 offset = 0;                   // FileRange: first byte
    qint64 length = 0;                   // FileRange and Stream: body length in bytes
    StreamReader stream;                 // Stream
    qint64 streamChunkBytes = 64 * 1024; // Stream: largest `max` the reader is asked for

    // Called once on the connection's thread when the request has ended, however it ended
    // (also when the response could not be queued). Must be thread-safe and quick.
    std::function<void(const Outcome &)> onFinished;

    static HttpResponse text(int status, QByteArray body);           // text/plain; charset=utf-8
    static HttpResponse json(int status, const QJsonObject &object); // compact, '\n'-terminated
    // Takes ownership of `fd` (closed even if the response is never sent).
    static HttpResponse fileRange(int status, int fd, qint64 offset, qint64 length);
    // Shares an owned descriptor (one closed with its last owner).
    static HttpResponse fileRange(int status, std::shared_ptr<const int> fd, qint64 offset,
                                  qint64 length);
    static HttpResponse fileRange(int status, QString path, qint64 offset, qint64 length);
    static HttpResponse streamed(int status, qint64 length, StreamReader reader,
                                 qint64 chunkBytes = 64 * 1024);
};

} // namespace starling::http
