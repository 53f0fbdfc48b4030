#pragma once

// A fake master for the `starling get` tests: an HttpServer on 127.0.0.1 port 0 that answers
// every request (the plan endpoint) with whatever the test set, and records the last request.
#include "http/httpserver.h"

#include <QMutex>
#include <QMutexLocker>
#include <QUrl>

namespace starling::testing {

// A master that answers /api/v1/plan with whatever the test set, and records the query.
class FakeMaster
{
public:
    FakeMaster() : m_server([this](const http::HttpRequest &r) { return handle(r); }) {}
    ~FakeMaster() { m_server.stop(); }

    quint16 listen() { return m_server.listen(QHostAddress::LocalHost, 0).value(); }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.port())); }
    void answer(int status, QByteArray body)
    {
        QMutexLocker lock(&m_mutex);
        m_status = status;
        m_body = std::move(body);
    }
    http::HeaderList lastQuery() const
    {
        QMutexLocker lock(&m_mutex);
        return m_query;
    }
    QByteArray lastPath() const
    {
        QMutexLocker lock(&m_mutex);
        return m_path;
    }
    QByteArray lastAuthorization() const // null when the last request had none
    {
        QMutexLocker lock(&m_mutex);
        return m_authorization;
    }

private:
    http::HttpResponse handle(const http::HttpRequest &request)
    {
        QMutexLocker lock(&m_mutex);
        m_query = request.query;
        m_path = request.path;
        m_authorization = request.header("Authorization");
        http::HttpResponse response;
        response.status = m_status;
        response.contentType = "application/json";
        response.body = m_body;
        return response;
    }

    mutable QMutex m_mutex;
    int m_status = 200;
    QByteArray m_body;
    http::HeaderList m_query;
    QByteArray m_path;
    QByteArray m_authorization;
    http::HttpServer m_server;
};

} // namespace starling::testing
