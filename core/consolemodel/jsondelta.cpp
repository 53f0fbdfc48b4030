#include "jsondelta.h"

namespace starling::consolemodel::jsondelta {

namespace {

constexpr int kMaxDepth = 16;

void diffValue(const QJsonValue &from, const QJsonValue &to, QJsonArray &path, QJsonArray &ops);

void diffObject(const QJsonObject &from, const QJsonObject &to, QJsonArray &path, QJsonArray &ops)
{
    for (auto it = to.begin(); it != to.end(); ++it) {
        path.append(it.key());
        diffValue(from.value(it.key()), it.value(), path, ops);
        path.removeLast();
    }
    for (auto it = from.begin(); it != from.end(); ++it) {
        if (!to.contains(it.key())) {
            QJsonArray removal = path;
            removal.append(it.key());
            ops.append(QJsonArray{removal});
        }
    }
}

void diffValue(const QJsonValue &from, const QJsonValue &to, QJsonArray &path, QJsonArray &ops)
{
    if (from == to)
        return;
    if (path.size() < kMaxDepth && from.isObject() && to.isObject()) {
        diffObject(from.toObject(), to.toObject(), path, ops);
        return;
    }
    if (path.size() < kMaxDepth && from.isArray() && to.isArray() &&
        from.toArray().size() == to.toArray().size()) {
        const QJsonArray a = from.toArray(), b = to.toArray();
        for (qsizetype i = 0; i < b.size(); ++i) {
            path.append(double(i));
            diffValue(a.at(i), b.at(i), path, ops);
            path.removeLast();
        }
        return;
    }
    ops.append(QJsonArray{path, to});
}

// Sets (or removes, without `value`) what `path` from `at` names inside `into`.
bool applyAt(QJsonValue &into, const QJsonArray &path, qsizetype at,
             const std::optional<QJsonValue> &value)
{
    const QJsonValue step = path.at(at);
    const bool last = at == path.size() - 1;
    if (into.isObject() && step.isString()) {
        QJsonObject o = into.toObject();
        const QString key = step.toString();
        if (last) {
            if (value)
                o.insert(key, *value);
            else
                o.remove(key);
        } else {
            QJsonValue child = o.value(key);
            if (!applyAt(child, path, at + 1, value))
                return false;
            o.insert(key, child);
        }
        into = o;
        return true;
    }
    if (into.isArray() && step.isDouble()) {
        QJsonArray a = into.toArray();
        const double index = step.toDouble();
        if (index < 0 || index >= double(a.size()) || index != double(qsizetype(index)))
            return false;
        if (last) {
            if (!value)
                return false;
            a.replace(qsizetype(index), *value);
        } else {
            QJsonValue child = a.at(qsizetype(index));
            if (!applyAt(child, path, at + 1, value))
                return false;
            a.replace(qsizetype(index), child);
        }
        into = a;
        return true;
    }
    return false;
}

} // namespace

QJsonArray diff(const QJsonObject &from, const QJsonObject &to)
{
    QJsonArray ops, path;
    diffObject(from, to, path, ops);
    return ops;
}

std::optional<QJsonObject> apply(const QJsonObject &base, const QJsonArray &ops, QString &why)
{
    QJsonValue doc(base);
    for (const QJsonValue &op : ops) {
        const QJsonArray o = op.toArray();
        const QJsonArray path = o.at(0).toArray();
        if (!op.isArray() || o.isEmpty() || o.size() > 2 || path.isEmpty() ||
            path.size() > kMaxDepth) {
            why = QStringLiteral("a malformed snapshot delta");
            return std::nullopt;
        }
        const std::optional<QJsonValue> value =
            o.size() == 2 ? std::optional<QJsonValue>(o.at(1)) : std::nullopt;
        if (!applyAt(doc, path, 0, value)) {
            why = QStringLiteral("a snapshot delta that does not fit its snapshot");
            return std::nullopt;
        }
    }
    return doc.toObject();
}

} // namespace starling::consolemodel::jsondelta
