#include "nodework.h"

#include <QStringList>

#include <algorithm>

namespace starling::ui {

using consolemodel::LiveStrip;

namespace {

// A phase's length, or -1 when it has not started; a phase still going on runs to `now`.
double phase(double from, double to, double now)
{
    if (from < 0)
        return -1;
    return std::max(0.0, (to >= 0 ? to : now) - from);
}

} // namespace

QString NodeWork::stateName(LiveStrip::State state)
{
    switch (state) {
    case LiveStrip::State::Sending:
        return QStringLiteral("sending");
    case LiveStrip::State::Computing:
        return QStringLiteral("computing");
    case LiveStrip::State::Done:
        return QStringLiteral("done");
    case LiveStrip::State::Reassigned:
        return QStringLiteral("reassigned");
    case LiveStrip::State::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

std::vector<NodeStrip> NodeWork::strips(const consolemodel::LiveJob &job, const QString &node,
                                        qint64 nowMs)
{
    std::vector<NodeStrip> rows;
    const qsizetype index = job.slaves.indexOf(node);
    if (index < 0 || node.isEmpty())
        return rows;
    const double now =
        job.state == consolemodel::LiveJob::State::Running ? job.elapsedS(nowMs) : job.endedS;
    for (const LiveStrip &s : job.strips) {
        if (s.slave != int(index))
            continue;
        NodeStrip r;
        r.job = job.id;
        r.op = job.op;
        r.chunk = s.chunk;
        r.firstUnit = s.firstUnit;
        r.units = s.units;
        r.state = stateName(s.state);
        r.live = s.state == LiveStrip::State::Sending || s.state == LiveStrip::State::Computing;
        const double end = r.live ? now : (s.endedAt >= 0 ? s.endedAt : now);
        r.sendS = phase(s.sendStart, s.sendEnd >= 0 ? s.sendEnd : (r.live ? -1 : end), now);
        const double computeStart = s.computeStart >= 0 ? s.computeStart : s.sendEnd;
        if (s.state != LiveStrip::State::Sending)
            r.computeS =
                phase(computeStart, s.computeEnd >= 0 ? s.computeEnd : (r.live ? -1 : end), now);
        if (s.state == LiveStrip::State::Done)
            r.returnS = phase(s.returnStart, s.returnEnd, now);
        rows.push_back(r);
    }
    return rows;
}

NodeBlocks NodeWork::blocks(const consolemodel::LiveTransfer &transfer, const QString &node)
{
    NodeBlocks b;
    b.transfer = transfer.id;
    b.path = transfer.path;
    b.total = int(transfer.plannedOwner.size());
    const int index = int(transfer.slaves.indexOf(node));
    if (index < 0 || node.isEmpty())
        return b;
    std::vector<int> served;
    for (size_t i = 0; i < transfer.plannedOwner.size(); ++i) {
        b.planned += transfer.plannedOwner[i] == index ? 1 : 0;
        if (i < transfer.servedBy.size() && transfer.servedBy[i] == index)
            served.push_back(int(i));
    }
    b.served = int(served.size());
    b.servedRanges = ranges(served);
    return b;
}

QString NodeWork::ranges(const std::vector<int> &ascending, int maxRanges)
{
    QStringList parts;
    for (size_t i = 0; i < ascending.size();) {
        size_t j = i;
        while (j + 1 < ascending.size() && ascending[j + 1] == ascending[j] + 1)
            ++j;
        if (int(parts.size()) == maxRanges) {
            parts << QStringLiteral("…");
            break;
        }
        parts << (i == j ? QString::number(ascending[i])
                         : QStringLiteral("%1-%2").arg(ascending[i]).arg(ascending[j]));
        i = j + 1;
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace starling::ui
