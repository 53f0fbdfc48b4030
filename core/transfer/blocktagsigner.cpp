#include "blocktagsigner.h"

#include "transfer/secretcompare.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace starling::transfer {

namespace {

QByteArray hmacSha256(QByteArrayView key, QByteArrayView message)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), key.data(), int(key.size()),
              reinterpret_cast<const unsigned char *>(message.data()), size_t(message.size()),
              digest, &length))
        return {};
    return QByteArray(reinterpret_cast<const char *>(digest), qsizetype(length));
}

} // namespace

BlockTagSigner::BlockTagSigner(QByteArrayView clusterToken)
{
    if (!clusterToken.isEmpty())
        m_key = hmacSha256(clusterToken, "starling block tag v1");
}

QByteArray BlockTagSigner::sign(const QString &transferId, qint64 block, const QString &path) const
{
    if (m_key.isEmpty())
        return {};
    const QByteArray message =
        transferId.toUtf8() + '\n' + QByteArray::number(block) + '\n' + path.toUtf8();
    return hmacSha256(m_key, message).toHex().left(kSignatureHexChars);
}

bool BlockTagSigner::verifies(const QString &transferId, qint64 block, const QString &path,
                              QByteArrayView signature) const
{
    return secretsEqual(sign(transferId, block, path), signature);
}

} // namespace starling::transfer
