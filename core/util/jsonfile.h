#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace starling::util {

// Small JSON files (configs, profiles, the state file): bounded in size, a JSON object at the
// top level, every problem one line starting with the origin (a path or a name).

// The whole file, or an error when it cannot be read or is longer than maxBytes.
Expected<QByteArray> readSmallFile(const QString &path, qint64 maxBytes);

// The top-level object of json, or an error for oversized input, invalid JSON (including
// invalid UTF-8) and any other top-level value.
Expected<QJsonObject> parseJsonObject(const QByteArray &json, const QString &origin,
                                      qint64 maxBytes);

} // namespace starling::util
