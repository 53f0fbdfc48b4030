#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace starling::transfer {

// Signs the block tags the master puts in a plan's block URLs (?t=<transfer>&b=<block>&s=<sig>)
// so a slave's data server reports a block only when the master issued its tag: a stranger's
// GET cannot forge the console's block map or flood the bridge with transfer_block events.
//
// s = the first 32 hex characters of HMAC-SHA256(key, transferId "\n" block "\n" path), with
// key = HMAC-SHA256(cluster token, "starling block tag v1"): every slave already holds the
// cluster token, so no new secret travels, and the derived key is used for nothing else.
// The path is the file's path relative to the export root, as in the plan, so a tag for one
// file does not verify on another.
class BlockTagSigner
{
public:
    static constexpr qsizetype kSignatureHexChars = 32;

    // An empty token makes a signer that signs nothing and verifies nothing.
    explicit BlockTagSigner(QByteArrayView clusterToken = {});

    bool isKeyed() const { return !m_key.isEmpty(); }
    // The signature as kSignatureHexChars lower-case hex characters; empty when not keyed.
    QByteArray sign(const QString &transferId, qint64 block, const QString &path) const;
    // Constant-time comparison with what sign() gives; false when not keyed.
    bool verifies(const QString &transferId, qint64 block, const QString &path,
                  QByteArrayView signature) const;

private:
    QByteArray m_key; // raw 32 bytes
};

} // namespace starling::transfer
