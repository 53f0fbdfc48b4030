#pragma once

#include "util/expected.h"

#include <QJsonObject>
#include <QString>

namespace starling::cluster {

// Where the master keeps drains, weights, the policy and the action history between runs:
// <run dir>/operator-state.json, replaced atomically on every change so a crash mid-write
// leaves the previous version.
class OperatorStateStore
{
public:
    explicit OperatorStateStore(QString runDir);

    QString path() const { return m_path; }
    // An empty object when there is no file yet (a first start).
    Expected<QJsonObject> load() const;
    Expected<bool> save(const QJsonObject &state) const;

    static constexpr qint64 kMaxBytes = 4 << 20;

private:
    QString m_path;
};

} // namespace starling::cluster
