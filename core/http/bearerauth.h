#pragma once

#include "http/httpresponse.h"
#include "http/httpserver.h"

#include <QByteArray>

namespace starling::http {

// Checks `Authorization: Bearer <token>` (RFC 6750) against the cluster token, in constant
// time. The token is never logged and never echoed in an answer.
class BearerAuth
{
public:
    // An empty token admits nobody (an unset secret must not mean "open").
    explicit BearerAuth(QByteArray token = {});

    bool hasToken() const { return !m_token.isEmpty(); }
    bool admits(const HttpRequest &request) const;
    // 401, `WWW-Authenticate: Bearer`, and the API's JSON error with code "unauthorized".
    static HttpResponse unauthorized(const HttpRequest &request);
    // The header value a client sends: "Bearer <token>".
    static QByteArray headerValue(const QByteArray &token);

private:
    QByteArray m_token;
};

} // namespace starling::http
