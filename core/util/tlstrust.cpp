#include "tlstrust.h"

#include <QCryptographicHash>

namespace starling::util {

namespace {

constexpr QLatin1String kPinPrefix("sha256//");
constexpr qsizetype kSha256Bytes = 32;

} // namespace

QString publicKeyPinOf(const QByteArray &subjectPublicKeyInfoDer)
{
    return kPinPrefix + QString::fromLatin1(QCryptographicHash::hash(subjectPublicKeyInfoDer,
                                                                     QCryptographicHash::Sha256)
                                                .toBase64());
}

bool isPublicKeyPin(const QString &text)
{
    if (!text.startsWith(kPinPrefix))
        return false;
    const auto decoded = QByteArray::fromBase64Encoding(text.mid(kPinPrefix.size()).toLatin1(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    return decoded && decoded.decoded.size() == kSha256Bytes;
}

} // namespace starling::util
