#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace starling::consolemodel::jsondelta {

// What changed from one JSON object to the next, as a list of operations
// [[path..., value]] (set) and [[path...]] (remove), a path being object keys and array
// indices. Arrays of the same length are compared element by element, others replaced whole.
// Consecutive snapshots of a cluster differ in a few numbers per node, so a recording keeps
// one whole snapshot per block and these deltas for the rest (a tenth of the bytes).
QJsonArray diff(const QJsonObject &from, const QJsonObject &to);

// `base` with `ops` applied; empty with `why` set when an operation does not fit (a path
// deeper than 16, into a missing place, or an index out of range).
std::optional<QJsonObject> apply(const QJsonObject &base, const QJsonArray &ops, QString &why);

} // namespace starling::consolemodel::jsondelta
