#include "httpresponse.h"

#include <QJsonDocument>

#include <unistd.h>

#include <utility>

namespace starling::http {

HttpResponse HttpResponse::text(int status, QByteArray body)
{
    HttpResponse response;
    response.status = status;
    response.contentType = "text/plain; charset=utf-8";
    response.body = std::move(body);
    return response;
}

HttpResponse HttpResponse::json(int status, const QJsonObject &object)
{
    HttpResponse response;
    response.status = status;
    response.contentType = "application/json";
    response.body = QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
    return response;
}

HttpResponse HttpResponse::fileRange(int status, int fd, qint64 offset, qint64 length)
{
    HttpResponse response;
    response.status = status;
    response.contentType = "application/octet-stream";
    response.bodyKind = BodyKind::FileRange;
    response.file = std::shared_ptr<const int>(new int(fd), [](const int *owned) {
        if (*owned >= 0)
            ::close(*owned);
        delete owned;
    });
    response.offset = offset;
    response.length = length;
    return response;
}

HttpResponse HttpResponse::fileRange(int status, std::shared_ptr<const int> fd, qint64 offset,
                                     qint64 length)
{
    HttpResponse response;
    response.status = status;
    response.contentType = "application/octet-stream";
    response.bodyKind = BodyKind::FileRange;
    response.file = std::move(fd);
    response.offset = offset;
    response.length = length;
    return response;
}

HttpResponse HttpResponse::fileRange(int status, QString path, qint64 offset, qint64 length)
{
    HttpResponse response;
    response.status = status;
    response.contentType = "application/octet-stream";
    response.bodyKind = BodyKind::FileRange;
    response.filePath = std::move(path);
    response.offset = offset;
    response.length = length;
    return response;
}

HttpResponse HttpResponse::streamed(int status, qint64 length, StreamReader reader,
                                    qint64 chunkBytes)
{
    HttpResponse response;
    response.status = status;
    response.contentType = "application/octet-stream";
    response.bodyKind = BodyKind::Stream;
    response.length = length;
    response.stream = std::move(reader);
    response.streamChunkBytes = chunkBytes;
    return response;
}

} // namespace starling::http
