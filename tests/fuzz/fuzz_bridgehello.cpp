// libFuzzer target for what a stranger reaches on the bridge before authenticating: the bytes of
// a connection's first lines through the bounded line framing (LineBuffer, fed in chunks of a
// size the input's first byte picks) and the hello verdict (BridgeHello), exactly as
// BridgeSession runs them, without sockets. No input may crash or trip ASan/UBSan; framing
// stays within its bound; a verdict is either a welcome (only with the token) or one closing
// error in one line that never echoes the token.
#include "bridge/bridgehello.h"
#include "bridge/bridgemessage.h"
#include "bridge/linebuffer.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <cstdlib>

using namespace starling::bridge;

namespace {

const QByteArray kToken("fuzz-token-0123456789abcdef");
constexpr qsizetype kLineLimit = 4096;

void require(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "bridge hello invariant violated: %s\n", what);
        std::abort();
    }
}

void checkVerdict(const QByteArray &line, const BridgeHello &hello)
{
    if (hello.accepted) {
        require(hello.errorCode.isEmpty(), "a welcome carries no error");
        require(BridgeMessage::isValidClientName(hello.clientName), "welcomed name is valid");
        // The token as JSON reads it: a client may escape any of its characters.
        require(QJsonDocument::fromJson(line).object().value(QLatin1String("token")).toString() ==
                    QLatin1String(kToken),
                "welcomed without the token");
        return;
    }
    const QString &code = hello.errorCode;
    require(code == ErrorCode::HelloRequired || code == ErrorCode::UnsupportedProtocol ||
                code == ErrorCode::Unauthorized || code == ErrorCode::BadHello,
            "refusal is a closing hello error");
    require(!hello.errorMessage.isEmpty() && !hello.errorMessage.contains(u'\n'),
            "one-line reason");
    require(!hello.errorMessage.contains(QString::fromLatin1(kToken)), "token never echoed");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const char *data, unsigned long size)
{
    if (size == 0)
        return 0;
    const qsizetype chunk = 1 + static_cast<unsigned char>(data[0]) % 64;
    const QByteArrayView stream(data + 1, qsizetype(size - 1));
    LineBuffer lines(kLineLimit);
    for (qsizetype at = 0; at < stream.size(); at += chunk) {
        const LineBuffer::Batch batch =
            lines.feed(stream.sliced(at, qMin(chunk, stream.size() - at)));
        require(lines.pendingSize() <= kLineLimit + 1, "framing holds at most a line");
        for (const QByteArray &line : batch.lines) {
            require(!line.isEmpty() && line.size() <= kLineLimit && !line.contains('\n'),
                    "a framed line is bounded and whole");
            // The session decides on the first line and closes or authenticates; what follows
            // is no longer pre-hello input.
            checkVerdict(line, BridgeHello::check(line, kToken));
            return 0;
        }
        if (batch.overflowed) {
            require(lines.hasOverflowed() && lines.feed("x\n").lines.isEmpty(),
                    "after an overflow the stream yields nothing");
            return 0;
        }
    }
    return 0;
}
