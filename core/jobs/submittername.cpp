#include "submittername.h"

#include <algorithm>

namespace starling::jobs {

namespace {

constexpr char kKey[] = "submitter";

bool nameChar(char16_t c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') ||
           c == u'.' || c == u'_' || c == u'@' || c == u'-';
}

} // namespace

bool SubmitterName::isValid(QByteArrayView name)
{
    return !name.isEmpty() && name.size() <= kMaxLength &&
           std::all_of(name.begin(), name.end(), [](char c) { return nameChar(char16_t(c)); });
}

bool SubmitterName::isStorable(QStringView name)
{
    return name.size() <= kMaxLength && std::all_of(name.begin(), name.end(), [](QChar c) {
               return nameChar(c.unicode()) || c == u':' || c == u'%';
           });
}

Expected<QString> SubmitterName::fromQuery(const QList<QPair<QByteArray, QByteArray>> &query,
                                           const QString &peerAddress)
{
    QByteArray given;
    bool seen = false;
    for (const auto &[key, value] : query) {
        if (key != kKey)
            continue;
        if (seen)
            return Error{QStringLiteral("parameter \"submitter\" given twice"),
                         QStringLiteral("bad_request")};
        seen = true;
        given = value;
    }
    if (!seen)
        return peerAddress.left(kMaxLength);
    if (!isValid(given))
        return Error{QStringLiteral("\"submitter\" must be 1 to %1 characters of A-Z a-z 0-9 . _ "
                                    "@ -")
                         .arg(kMaxLength),
                     QStringLiteral("bad_request")};
    return QString::fromLatin1(given);
}

QList<QPair<QByteArray, QByteArray>>
SubmitterName::withoutSubmitter(const QList<QPair<QByteArray, QByteArray>> &query)
{
    QList<QPair<QByteArray, QByteArray>> rest;
    for (const auto &pair : query) {
        if (pair.first != kKey)
            rest.append(pair);
    }
    return rest;
}

} // namespace starling::jobs
