#pragma once

#include <QString>

namespace starling::transfer {

// The shapes every transfer document (plan, block record, listing, request) checks names and
// digests against, in one place so they cannot drift apart.

// A path relative to the export root: non-empty, at most 4096 characters, no NUL, and no
// empty, "." or ".." segment (so no leading or trailing '/', no "a//b", nothing escapes).
bool isCleanRelativePath(const QString &path);

// A SHA-256 digest as Sha256::hexResult() writes it: 64 lower-case hex digits.
bool isSha256Hex(const QString &text);

} // namespace starling::transfer
