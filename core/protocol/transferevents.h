#pragma once

#include "protocol/eventkind.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace starling::protocol {

// The events of a file transfer (PROTOCOL.md, "Events"): the master's FileService plans, the
// slaves' data servers serve blocks, the console draws the block map. Read and written as the
// job events are (jobevents.h): fromJson refuses only another kind.

struct TransferPlannedEvent
{
    static constexpr EventKind kKind = EventKind::TransferPlanned;
    // Consecutive blocks planned on one slave: the block map, compactly.
    struct Run
    {
        QString slave;
        qint64 firstBlock = 0;
        qint64 count = 0;
        bool operator==(const Run &) const = default;
    };
    qint64 timeMs = 0;
    QString transferId, path, strategy;
    qint64 size = -1, pieceSize = -1, blocks = -1;
    std::vector<Run> runs; // runs that do not read as [name, first, count] are left out

    QJsonObject toJson() const;
    static Expected<TransferPlannedEvent> fromJson(const QJsonObject &event);
};

// A slave's data server finished serving a planned block, or gave up on it. The slave sends it
// to the master without `node` and `time_ms` (Tag::BlockServed); the master adds them and
// forwards it to the monitor.
struct TransferBlockEvent
{
    static constexpr EventKind kKind = EventKind::TransferBlock;
    qint64 timeMs = 0;
    QString transferId;
    qint64 block = -1;
    qint64 bytes = -1;     // body bytes known to have left
    bool complete = false; // the whole answer went out, and it was a 200 or 206
    int status = -1;       // what was answered: 206/200, or 404, 412, 416, ...
    QString node;

    QJsonObject toJson() const;
    static Expected<TransferBlockEvent> fromJson(const QJsonObject &event);
};

} // namespace starling::protocol
