#include "historysample.h"

#include <cmath>

namespace starling::cluster {

namespace {

bool within(double v, double hi)
{
    return std::isfinite(v) && v >= 0 && v <= hi;
}

} // namespace

QString checkHistory(const std::vector<HistorySample> &samples)
{
    using B = HistoryBounds;
    qint64 previous = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
        const HistorySample &s = samples[i];
        const auto bad = [i](const char *what) {
            return QStringLiteral("sample %1: %2").arg(i).arg(QLatin1String(what));
        };
        if (s.timeMs <= previous || s.timeMs > B::kMaxCount)
            return bad("time not after the previous sample's");
        previous = s.timeMs;
        if (!within(s.cpu, B::kMaxCpu))
            return bad("cpu not a finite number in 0..1024");
        if (s.rssBytes < 0 || s.rssBytes > B::kMaxCount)
            return bad("rss out of range");
        if (!within(s.txRate, B::kMaxRate) || !within(s.rxRate, B::kMaxRate))
            return bad("rate not a finite number in 0..1e13");
        if (!within(s.load, B::kMaxLoad))
            return bad("load not a finite number in 0..1e9");
        if (s.assigned < 0 || s.assigned > B::kMaxAssigned)
            return bad("assigned out of range");
        if (s.tasksDone < 0 || s.tasksDone > B::kMaxCount)
            return bad("tasks done out of range");
        if (int(s.state) < int(NodeState::Active) || int(s.state) > int(NodeState::Down))
            return bad("unknown state");
    }
    return {};
}

} // namespace starling::cluster
