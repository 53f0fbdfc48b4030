#include "bearerauth.h"

#include "transfer/secretcompare.h"

namespace starling::http {

BearerAuth::BearerAuth(QByteArray token) : m_token(std::move(token)) {}

bool BearerAuth::admits(const HttpRequest &request) const
{
    const QByteArray header = request.header("Authorization").trimmed();
    // The scheme is case-insensitive (RFC 9110 §11.1); the token is compared exactly.
    constexpr QByteArrayView kScheme = "bearer ";
    if (header.size() <= kScheme.size() ||
        header.first(kScheme.size()).compare(kScheme, Qt::CaseInsensitive) != 0)
        return false;
    return transfer::secretsEqual(m_token, header.sliced(kScheme.size()).trimmed());
}

HttpResponse BearerAuth::unauthorized(const HttpRequest &request)
{
    const bool sent = !request.header("Authorization").isNull();
    HttpResponse response = HttpResponse::json(
        401, {{QLatin1String("error"),
               sent ? QStringLiteral("wrong token: send Authorization: Bearer <the cluster token "
                                     "from the state file>")
                    : QStringLiteral("this needs the cluster token: send Authorization: Bearer "
                                     "<the token from the state file>")},
              {QLatin1String("code"), QStringLiteral("unauthorized")}});
    response.headers.append({QByteArray("WWW-Authenticate"), QByteArray("Bearer")});
    return response;
}

QByteArray BearerAuth::headerValue(const QByteArray &token)
{
    return "Bearer " + token;
}

} // namespace starling::http
