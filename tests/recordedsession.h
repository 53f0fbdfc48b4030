#pragma once

// A scripted console session for the recording and replay tests: a 4-slave cluster at 2 Hz
// with an image job, a drain and a dropped link, fed step by step into a FakeClusterSource.
#include "fakeclustersource.h"

#include <QJsonArray>

namespace starling::testing {

inline constexpr qint64 kSessionT0 = 1700000000000;
inline constexpr qint64 kSessionStepMs = 500;

inline QJsonObject sessionEvent(const char *kind, QJsonObject fields, qint64 atMs)
{
    fields.insert(QStringLiteral("kind"), QLatin1String(kind));
    fields.insert(QStringLiteral("time_ms"), double(atMs));
    return fields;
}

// The events of step `step` (a job from step 4 to 12, a drain at 9, a link drop at 16-17).
inline void pushSessionEvents(FakeClusterSource &source, int step, qint64 at)
{
    const QJsonObject job{{QStringLiteral("job"), QStringLiteral("job-1")}};
    const auto with = [&job](QJsonObject more) {
        for (auto it = job.begin(); it != job.end(); ++it)
            more.insert(it.key(), it.value());
        return more;
    };
    if (step == 4)
        source.pushEvent(
            sessionEvent("job_started",
                         with({{QStringLiteral("op"), QStringLiteral("blur")},
                               {QStringLiteral("strategy"), QStringLiteral("pdds")},
                               {QStringLiteral("order"), QStringLiteral("dec")},
                               {QStringLiteral("units"), 10},
                               {QStringLiteral("slaves"),
                                QJsonArray{QStringLiteral("slave-2"), QStringLiteral("slave-3")}},
                               {QStringLiteral("planned_shares"), QJsonArray{6, 4}},
                               {QStringLiteral("predicted_makespan_s"), 1.5}}),
                         at));
    if (step == 5) {
        source.pushEvent(sessionEvent("strip_assigned",
                                      with({{QStringLiteral("chunk"), 0},
                                            {QStringLiteral("slave"), QStringLiteral("slave-2")},
                                            {QStringLiteral("first_unit"), 0},
                                            {QStringLiteral("units"), 6}}),
                                      at));
        source.pushEvent(sessionEvent("strip_assigned",
                                      with({{QStringLiteral("chunk"), 1},
                                            {QStringLiteral("slave"), QStringLiteral("slave-3")},
                                            {QStringLiteral("first_unit"), 6},
                                            {QStringLiteral("units"), 4}}),
                                      at));
    }
    if (step == 8 || step == 10) {
        const int chunk = step == 8 ? 0 : 1;
        source.pushEvent(
            sessionEvent("strip_done",
                         with({{QStringLiteral("chunk"), chunk},
                               {QStringLiteral("slave"),
                                chunk == 0 ? QStringLiteral("slave-2") : QStringLiteral("slave-3")},
                               {QStringLiteral("units"), chunk == 0 ? 6 : 4},
                               {QStringLiteral("send_start_s"), 0.1 * chunk},
                               {QStringLiteral("send_end_s"), 0.1 * chunk + 0.1},
                               {QStringLiteral("compute_start_s"), 0.2},
                               {QStringLiteral("compute_end_s"), 1.2 + chunk},
                               {QStringLiteral("return_start_s"), 1.2 + chunk},
                               {QStringLiteral("return_end_s"), 1.3 + chunk}}),
                         at));
    }
    if (step == 9)
        source.pushEvent(sessionEvent("node_draining",
                                      {{QStringLiteral("node"), QStringLiteral("slave-4")},
                                       {QStringLiteral("by"), QStringLiteral("alice")},
                                       {QStringLiteral("reason"), QStringLiteral("disk swap")}},
                                      at));
    if (step == 12)
        source.pushEvent(sessionEvent("job_done",
                                      with({{QStringLiteral("makespan_s"), 2.4},
                                            {QStringLiteral("predicted_makespan_s"), 1.5}}),
                                      at));
    if (step == 16)
        source.setLink(consolemodel::LinkState::Disconnected, QStringLiteral("connection lost"));
    if (step == 17)
        source.setLink(consolemodel::LinkState::Connected, QStringLiteral("connected again"));
}

// Step `step` of the session: its snapshot (none while the link is down) and its events.
inline void pushSessionStep(FakeClusterSource &source, int step)
{
    const qint64 at = kSessionT0 + step * kSessionStepMs;
    if (step != 16)
        source.push(fakeSnapshot(4, step + 1, at));
    pushSessionEvents(source, step, at);
}

} // namespace starling::testing
