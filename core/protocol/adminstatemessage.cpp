#include "adminstatemessage.h"

#include "protocol/eventjson.h"

#include <QJsonArray>

namespace starling::protocol {

namespace {

const QLatin1String kNodes("nodes"), kRank("rank"), kState("state"), kAdminState("admin_state"),
    kWeight("weight"), kEpoch("epoch"), kAssigned("assigned"), kBy(eventkey::kBy),
    kReason(eventkey::kReason), kSinceMs("since_ms"), kStrategy("strategy"), kW1("w1"), kW2("w2"),
    kQueued("queued_at_master"), kCompleted("tasks_completed"), kLateDropped("late_dropped"),
    kJobs("jobs"), kJobsQueued("queued"), kJobsRunning("running"), kQueueLimit("queue_limit"),
    kDoneTotal("done_total"), kFailedTotal("failed_total");

constexpr qint64 kMaxValue = qint64(1) << 53;

} // namespace

QJsonObject AdminStateMessage::toJson() const
{
    QJsonArray entries;
    for (const Node &node : nodes) {
        entries.append(QJsonObject{{kRank, node.rank},
                                   {kState, node.state},
                                   {kAdminState, node.adminState},
                                   {kWeight, node.weight},
                                   {kEpoch, double(node.epoch)},
                                   {kAssigned, node.assigned},
                                   {kBy, node.by},
                                   {kReason, node.reason},
                                   {kSinceMs, double(node.sinceMs)}});
    }
    QJsonObject o{{kNodes, entries},
                  {kStrategy, strategy},
                  {kQueued, double(queuedAtMaster)},
                  {kCompleted, double(tasksCompleted)},
                  {kLateDropped, double(lateDropped)},
                  {kJobs, jobs.toJson()}};
    insertOptional(o, kW1, w1);
    insertOptional(o, kW2, w2);
    return o;
}

AdminStateMessage AdminStateMessage::fromJson(const QJsonObject &message)
{
    const EventFields f(message);
    AdminStateMessage m;
    for (const QJsonValue &value : f.array(kNodes, kMaxNodes)) {
        const EventFields entry{value.toObject()};
        Node node;
        node.rank = int(entry.count(kRank, kMaxRank));
        if (node.rank < 0)
            continue;
        node.state = entry.text(kState);
        node.adminState = entry.text(kAdminState);
        node.weight = entry.number(kWeight).value_or(1.0);
        node.epoch = std::max<qint64>(0, entry.count(kEpoch, kMaxValue));
        node.assigned = int(std::max<qint64>(0, entry.count(kAssigned, 1 << 30)));
        node.by = entry.text(kBy);
        node.reason = entry.text(kReason);
        node.sinceMs = std::max<qint64>(0, entry.count(kSinceMs, kMaxValue));
        m.nodes.push_back(std::move(node));
    }
    m.strategy = f.text(kStrategy);
    m.w1 = f.number(kW1);
    m.w2 = f.number(kW2);
    m.queuedAtMaster = std::max<qint64>(0, f.count(kQueued, kMaxValue));
    m.tasksCompleted = std::max<qint64>(0, f.count(kCompleted, kMaxValue));
    m.lateDropped = std::max<qint64>(0, f.count(kLateDropped, kMaxValue));
    m.jobs = Jobs::fromJson(f.object(kJobs, 16));
    return m;
}

QJsonObject AdminStateMessage::Jobs::toJson() const
{
    return {{kJobsQueued, double(queued)},
            {kJobsRunning, double(running)},
            {kQueueLimit, double(queueLimit)},
            {kDoneTotal, double(doneTotal)},
            {kFailedTotal, double(failedTotal)}};
}

AdminStateMessage::Jobs AdminStateMessage::Jobs::fromJson(const QJsonObject &object)
{
    const EventFields f(object);
    const auto read = [&f](QLatin1String key) {
        return std::max<qint64>(0, f.count(key, kMaxValue));
    };
    Jobs jobs;
    jobs.queued = read(kJobsQueued);
    jobs.running = read(kJobsRunning);
    jobs.queueLimit = read(kQueueLimit);
    jobs.doneTotal = read(kDoneTotal);
    jobs.failedTotal = read(kFailedTotal);
    return jobs;
}

} // namespace starling::protocol
