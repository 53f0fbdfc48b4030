#pragma once

#include "util/expected.h"

#include <QJsonObject>
#include <QString>

namespace starling::protocol {

// The master's answer to GET /api/v1/plan while the file's hashes are still being computed:
// `202 {"state":"hashing","path":...,"done_bytes":...,"total_bytes":...}` ("queued" while the
// pass waits for a hashing slot). The client asks again with the same request until the plan
// (200) comes; the master hashes each version of a file (path, size, mtime) once however many
// clients ask.
struct PlanProgressMessage
{
    enum class State
    {
        Queued,
        Hashing
    };

    State state = State::Hashing;
    QString path;
    qint64 doneBytes = 0;
    qint64 totalBytes = 0;

    QJsonObject toJson() const;
    static Expected<PlanProgressMessage> fromJson(const QJsonObject &object);

    bool operator==(const PlanProgressMessage &) const = default;
};

} // namespace starling::protocol
