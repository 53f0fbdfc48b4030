#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QString>

namespace starling::transfer {

// Reads [offset, offset + length) of a file for the relay, checking first that the file is
// still the one the relay started on (its ETag from size and mtime): a file replaced or
// appended to mid-transfer is an error ("changed"), never silently mixed bytes. Other errors:
// "not_found", "io" (unreadable, or shorter than the range).
Expected<QByteArray> readChunk(const QString &absolutePath, qint64 offset, qint64 length,
                               const QByteArray &expectedEtag);

} // namespace starling::transfer
