#include "transferevents.h"

#include "protocol/eventjson.h"

#include <QJsonArray>

namespace starling::protocol {

namespace {

// The payload keys of the transfer events, written here only.
const QLatin1String kTransferId("transfer_id"), kPath("path"), kSize("size"),
    kPieceSize("piece_size"), kBlocks("blocks"), kStrategy("strategy"), kRuns("runs"),
    kBlock("block"), kBytes("bytes"), kComplete("complete"), kStatus("status"),
    kNode(eventkey::kNode);

constexpr qsizetype kMaxRuns = 1 << 20;

} // namespace

QJsonObject TransferPlannedEvent::toJson() const
{
    QJsonObject o = eventObject(kKind, timeMs);
    o.insert(kTransferId, transferId);
    o.insert(kPath, path);
    insertCount(o, kSize, size);
    insertCount(o, kPieceSize, pieceSize);
    insertCount(o, kBlocks, blocks);
    o.insert(kStrategy, strategy);
    QJsonArray map;
    for (const Run &run : runs)
        map.append(QJsonArray{run.slave, run.firstBlock, run.count});
    o.insert(kRuns, map);
    return o;
}

Expected<TransferPlannedEvent> TransferPlannedEvent::fromJson(const QJsonObject &event)
{
    if (const auto wrong = wrongKind(event, kKind))
        return Error{*wrong};
    const EventFields f(event);
    TransferPlannedEvent e;
    e.timeMs = f.timeMs();
    e.transferId = f.text(kTransferId);
    e.path = f.text(kPath);
    e.strategy = f.text(kStrategy);
    e.size = f.count(kSize, kMaxCount);
    e.pieceSize = f.count(kPieceSize, kMaxCount);
    e.blocks = f.count(kBlocks, kMaxCount);
    for (const QJsonValue &value : f.array(kRuns, kMaxRuns)) {
        const QJsonArray run = value.toArray();
        const double first = run.at(1).toDouble(-1), count = run.at(2).toDouble(-1);
        if (run.size() == 3 && run.at(0).isString() && first >= 0 && count >= 1 &&
            first + count <= double(kMaxCount))
            e.runs.push_back({run.at(0).toString(), qint64(first), qint64(count)});
    }
    return e;
}

QJsonObject TransferBlockEvent::toJson() const
{
    QJsonObject o = eventObject(kKind, timeMs);
    o.insert(kTransferId, transferId);
    insertCount(o, kBlock, block);
    insertCount(o, kBytes, bytes);
    o.insert(kComplete, complete);
    insertCount(o, kStatus, status);
    if (!node.isEmpty())
        o.insert(kNode, node);
    return o;
}

Expected<TransferBlockEvent> TransferBlockEvent::fromJson(const QJsonObject &event)
{
    if (const auto wrong = wrongKind(event, kKind))
        return Error{*wrong};
    const EventFields f(event);
    TransferBlockEvent e;
    e.timeMs = f.timeMs();
    e.transferId = f.text(kTransferId);
    e.block = f.count(kBlock, kMaxCount);
    e.bytes = f.count(kBytes, kMaxCount);
    e.complete = event.value(kComplete).toBool();
    e.status = int(f.count(kStatus, 999));
    e.node = f.text(kNode);
    return e;
}

} // namespace starling::protocol
