// The message catalogue (core/protocol): the payloads between ranks come back from their JSON
// as they went in and read what they can of damaged JSON; and of the events, every kind has one
// wire name, every typed event comes
// back from its JSON as it went in, reads what it can of a damaged line, refuses another kind,
// and PROTOCOL.md's event table lists exactly the catalogue's kinds and each typed event's
// fields, so the document cannot drift from the code.
#include "bridge/historypage.h"
#include "cluster/operatorcommand.h"
#include "protocol/adminstatemessage.h"
#include "protocol/costestimatesmessage.h"
#include "protocol/eventkind.h"
#include "protocol/jobevents.h"
#include "protocol/jobstatusmessage.h"
#include "protocol/nodeevents.h"
#include "protocol/rankmessages.h"
#include "protocol/transferevents.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <functional>
#include <map>

using namespace starling::protocol;

namespace {

constexpr qint64 kT0 = 1700000000123;

JobStartedEvent jobStarted()
{
    JobStartedEvent e;
    e.timeMs = kT0;
    e.job = QStringLiteral("job-7");
    e.op = QStringLiteral("median");
    e.strategy = QStringLiteral("pdds");
    e.order = QStringLiteral("dec");
    e.units = 100;
    e.slaves = {QStringLiteral("slave-2"), QStringLiteral("slave-3")};
    e.plannedShares = {60, 40};
    e.predictedMakespanS = 4.25;
    return e;
}

// Strip 3 of job-7, for slave-3.
template<typename Event> Event onStrip()
{
    Event e;
    e.timeMs = kT0;
    e.job = QStringLiteral("job-7");
    e.chunk = 3;
    e.slave = QStringLiteral("slave-3");
    e.rank = 3;
    return e;
}

// Two slaves: one measured on two op classes with a link, one with nothing measured yet.
CostEstimatesMessage costEstimates()
{
    using starling::sched::EstimateSource;
    CostEstimatesMessage m;
    m.timeMs = kT0;
    starling::sched::SlaveCostEstimate a;
    a.rank = 2;
    a.name = QStringLiteral("slave-2");
    a.ops.push_back({QStringLiteral("median"),
                     3,
                     {0.004, 0.041, 12.5, 0.92, kT0 - 3000, EstimateSource::Measured}});
    a.ops.push_back(
        {QStringLiteral("grey"), 1, {0, 0.0125, 2, 0.25, kT0 - 60000, EstimateSource::OtherOp}});
    a.link = {0.0005, 0.08, 30, 0.8, kT0 - 1000, EstimateSource::Measured};
    starling::sched::SlaveCostEstimate b;
    b.rank = 3;
    b.name = QStringLiteral("slave-3");
    m.slaves = {a, b};
    return m;
}

StripAssignedEvent stripAssigned()
{
    auto e = onStrip<StripAssignedEvent>();
    e.firstUnit = 60;
    e.units = 40;
    e.rowsBegin = 9600;
    e.rowsEnd = 16000;
    return e;
}

StripSentEvent stripSent()
{
    auto e = onStrip<StripSentEvent>();
    e.sendEndS = 0.5;
    return e;
}

StripDoneEvent stripDone()
{
    auto e = onStrip<StripDoneEvent>();
    e.firstUnit = 60;
    e.units = 40;
    e.sendStartS = 0.25;
    e.sendEndS = 0.5;
    e.computeStartS = 0.5;
    e.computeEndS = 3.0;
    e.returnStartS = 3.0;
    e.returnEndS = 3.125;
    return e;
}

StripReassignedEvent stripReassigned()
{
    StripReassignedEvent e;
    e.timeMs = kT0;
    e.job = QStringLiteral("job-7");
    e.slave = QStringLiteral("slave-2");
    e.rank = 2;
    e.reason = QStringLiteral("exited");
    e.chunks = 2;
    e.newChunks = 3;
    return e;
}

JobDoneEvent jobDone()
{
    JobDoneEvent e;
    e.timeMs = kT0;
    e.job = QStringLiteral("job-7");
    e.makespanS = 3.125;
    e.reassigned = 2;
    return e;
}

JobFailedEvent jobFailed()
{
    JobFailedEvent e;
    e.timeMs = kT0;
    e.job = QStringLiteral("job-7");
    e.error = QStringLiteral("every slave of the job was lost");
    return e;
}

TransferPlannedEvent transferPlanned()
{
    TransferPlannedEvent e;
    e.timeMs = kT0;
    e.transferId = QStringLiteral("t-42");
    e.path = QStringLiteral("data/big.bin");
    e.size = 1 << 30;
    e.pieceSize = 4 << 20;
    e.blocks = 256;
    e.strategy = QStringLiteral("bw");
    e.runs = {{QStringLiteral("slave-2"), 0, 100}, {QStringLiteral("slave-3"), 100, 156}};
    return e;
}

TransferBlockEvent transferBlock()
{
    TransferBlockEvent e;
    e.timeMs = kT0;
    e.transferId = QStringLiteral("t-42");
    e.block = 17;
    e.bytes = 4 << 20;
    e.complete = true;
    e.status = 206;
    e.node = QStringLiteral("slave-3");
    return e;
}

// An operator's event at kT0 by alice.
template<typename Event> Event byOperator()
{
    Event e;
    e.timeMs = kT0;
    e.by = QStringLiteral("alice");
    e.reason = QStringLiteral("disk swap");
    return e;
}

template<typename Event> Event verdict(const char *to, const char *reason)
{
    Event e;
    e.timeMs = kT0;
    e.node = QStringLiteral("slave-4");
    e.from = QStringLiteral("ACTIVE");
    e.to = QLatin1String(to);
    e.epoch = 2;
    e.by = QStringLiteral("detector");
    e.reason = QLatin1String(reason);
    return e;
}

// Every typed event, filled in: its JSON, and whether that JSON reads back to the same JSON.
struct Sample
{
    QJsonObject json;
    std::function<std::optional<QJsonObject>(const QJsonObject &)> reread;
};

template<typename Event> Sample sample(const Event &e)
{
    return {e.toJson(), [](const QJsonObject &json) -> std::optional<QJsonObject> {
                const auto back = Event::fromJson(json);
                return back ? std::optional(back->toJson()) : std::nullopt;
            }};
}

std::map<EventKind, Sample> nodeSamples()
{
    auto state = byOperator<StateChangedEvent>();
    state.node = QStringLiteral("slave-3");
    state.from = QStringLiteral("ACTIVE");
    state.to = QStringLiteral("DRAINING");
    auto weight = byOperator<WeightChangedEvent>();
    weight.node = QStringLiteral("slave-3");
    weight.from = 1;
    weight.to = 2.5;
    auto strategy = byOperator<StrategyChangedEvent>();
    strategy.strategy = QStringLiteral("optimal");
    strategy.previous = QStringLiteral("pdds");
    strategy.w1 = 2;
    strategy.w2 = 0.8;
    TaskReassignedEvent reassigned;
    reassigned.timeMs = kT0;
    reassigned.node = QStringLiteral("slave-4");
    reassigned.count = 3;
    reassigned.tasks = {12, 16, 20};
    LateMessageDroppedEvent late;
    late.timeMs = kT0;
    late.node = QStringLiteral("slave-4");
    late.task = 12;
    late.epoch = 1;
    late.detail = QStringLiteral("epoch 1 < 2");
    auto load = byOperator<LoadEvent>();
    load.tasks = 10;
    load.assigned = {{QStringLiteral("slave-2"), 6}, {QStringLiteral("slave-3"), 4}};
    load.waitingAtMaster = 0;
    auto slow = byOperator<SlowEvent>();
    slow.node = QStringLiteral("slave-3");
    slow.factor = 2;
    auto fault = byOperator<FaultEvent>();
    fault.node = QStringLiteral("slave-3");
    fault.action = QStringLiteral("crash");
    return {{EventKind::StateChanged, sample(state)},
            {EventKind::WeightChanged, sample(weight)},
            {EventKind::StrategyChanged, sample(strategy)},
            {EventKind::NodeSuspect, sample(verdict<NodeSuspectEvent>("SUSPECT", "no heartbeat"))},
            {EventKind::NodeDown, sample(verdict<NodeDownEvent>("DOWN", "exited"))},
            {EventKind::NodeBack, sample(verdict<NodeBackEvent>("ACTIVE", ""))},
            {EventKind::TaskReassigned, sample(reassigned)},
            {EventKind::LateMessageDropped, sample(late)},
            {EventKind::Load, sample(load)},
            {EventKind::Shutdown, sample(byOperator<ShutdownEvent>())},
            {EventKind::Slow, sample(slow)},
            {EventKind::Fault, sample(fault)}};
}

std::map<EventKind, Sample> typedSamples()
{
    std::map<EventKind, Sample> all = nodeSamples();
    all.merge(std::map<EventKind, Sample>{{EventKind::JobStarted, sample(jobStarted())},
                                          {EventKind::StripAssigned, sample(stripAssigned())},
                                          {EventKind::StripSent, sample(stripSent())},
                                          {EventKind::StripDone, sample(stripDone())},
                                          {EventKind::StripReassigned, sample(stripReassigned())},
                                          {EventKind::JobDone, sample(jobDone())},
                                          {EventKind::JobFailed, sample(jobFailed())},
                                          {EventKind::TransferPlanned, sample(transferPlanned())},
                                          {EventKind::TransferBlock, sample(transferBlock())}});
    return all;
}

// PROTOCOL.md's event table: kind -> the fields its row lists (backticked names outside
// parentheses, which explain values).
QString protocolText()
{
    QFile file(QStringLiteral(STARLING_PROTOCOL_MD));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

std::map<QString, QSet<QString>> documentedEvents()
{
    const QString text = protocolText();
    const qsizetype start = text.indexOf(QStringLiteral("| kind | other keys |"));
    std::map<QString, QSet<QString>> events;
    if (start < 0)
        return events;
    static const QRegularExpression row(QStringLiteral("^\\| `([a-z_]+)` \\| ([^|]*) \\|"));
    static const QRegularExpression name(QStringLiteral("`([a-z_0-9]+)`"));
    for (const QString &line : text.mid(start).split(u'\n').mid(2)) {
        if (!line.startsWith(u'|'))
            break;
        const auto m = row.match(line);
        if (!m.hasMatch())
            continue;
        QString fields;
        int depth = 0;
        for (const QChar c : m.captured(2)) {
            depth += c == u'(' ? 1 : c == u')' ? -1 : 0;
            if (depth == 0 && c != u')')
                fields += c;
        }
        QSet<QString> names;
        for (auto it = name.globalMatch(fields); it.hasNext();)
            names.insert(it.next().captured(1));
        events[m.captured(1)] = names;
    }
    return events;
}

} // namespace

class TestMessageCatalogue : public QObject
{
    Q_OBJECT

private slots:
    void everyKindHasOneName()
    {
        QSet<QString> names;
        for (const EventKind kind : allEventKinds()) {
            const QString name = toString(kind);
            QVERIFY(!name.isEmpty());
            QVERIFY2(!names.contains(name), qPrintable(name));
            names.insert(name);
            QVERIFY(eventKindFromString(name) == kind);
        }
        QVERIFY(!eventKindFromString(u"teleported"));
        QVERIFY(!kindOf(QJsonObject{{QStringLiteral("kind"), 7}}));
    }

    void typedEventsRoundTrip()
    {
        for (const auto &[kind, s] : typedSamples()) {
            QVERIFY(kindOf(s.json) == kind);
            const std::optional<QJsonObject> back = s.reread(s.json);
            QVERIFY2(back, qPrintable(toString(kind)));
            QCOMPARE(*back, s.json);
        }
    }

    void everyKindIsTyped()
    {
        const auto samples = typedSamples();
        for (const EventKind kind : allEventKinds())
            QVERIFY2(samples.count(kind), qPrintable(toString(kind)));
    }

    void anotherKindIsRefused()
    {
        const auto wrong = JobDoneEvent::fromJson(jobFailed().toJson());
        QVERIFY(!wrong);
        QCOMPARE(wrong.error(), QStringLiteral("not a job_done event"));
        QVERIFY(!StripDoneEvent::fromJson(QJsonObject{}));
    }

    // A damaged line still reads: what is missing, mistyped or out of range is absent.
    void damagedFieldsReadAsAbsent()
    {
        QJsonObject json = stripDone().toJson();
        json.insert(QStringLiteral("chunk"), QStringLiteral("three"));
        json.insert(QStringLiteral("units"), -4);
        json.insert(QStringLiteral("first_unit"), 1e300);
        json.insert(QStringLiteral("compute_end_s"), QJsonValue::Null);
        json.remove(QStringLiteral("slave"));
        json.insert(QStringLiteral("rank"), 7); // the one good field among them
        const auto e = StripDoneEvent::fromJson(json);
        QVERIFY(e);
        QCOMPARE(e->chunk, -1);
        QCOMPARE(e->units, -1);
        QCOMPARE(e->firstUnit, -1);
        QCOMPARE(e->computeEndS, std::nullopt);
        QCOMPARE(e->slave, QString());
        QCOMPARE(e->rank, 7);
        QCOMPARE(e->sendEndS, std::optional(0.5));
        // Absent fields stay out of the JSON written again.
        const QJsonObject again = e->toJson();
        QVERIFY(!again.contains(u"chunk"));
        QVERIFY(!again.contains(u"compute_end_s"));

        QJsonObject started = jobStarted().toJson();
        started.insert(QStringLiteral("slaves"), QJsonArray{QStringLiteral("a"), 5});
        started.insert(QStringLiteral("planned_shares"), QStringLiteral("many"));
        const auto s = JobStartedEvent::fromJson(started);
        QVERIFY(s);
        QCOMPARE(s->slaves, (QStringList{QStringLiteral("a"), QStringLiteral("5")}));
        QVERIFY(s->plannedShares.empty());
    }

    void badBlockMapRunsAreLeftOut()
    {
        QJsonObject json = transferPlanned().toJson();
        json.insert(QStringLiteral("runs"),
                    QJsonArray{QJsonArray{QStringLiteral("slave-2"), 0, 10},
                               QJsonArray{QStringLiteral("slave-3"), -1, 5}, QJsonArray{7, 10, 5},
                               QJsonArray{QStringLiteral("slave-4"), 10},
                               QStringLiteral("slave-5 10 5"),
                               QJsonArray{QStringLiteral("slave-6"), 10, 0}});
        const auto e = TransferPlannedEvent::fromJson(json);
        QVERIFY(e);
        QCOMPARE(e->runs.size(), size_t(1));
        QCOMPARE(e->runs[0].slave, QStringLiteral("slave-2"));
        QCOMPARE(e->runs[0].count, 10);
    }

    void oversizedListsReadAsAbsent()
    {
        QJsonArray names;
        for (int i = 0; i < 5000; ++i)
            names.append(QStringLiteral("slave-%1").arg(i));
        QJsonObject started = jobStarted().toJson();
        started.insert(QStringLiteral("slaves"), names);
        const auto s = JobStartedEvent::fromJson(started);
        QVERIFY(s);
        QVERIFY(s->slaves.isEmpty());
    }

    // Tag::AdminState, master -> monitor: what goes in comes out; entries without a usable rank
    // are left out and missing fields keep their defaults.
    void nodeTableRoundTrips()
    {
        AdminStateMessage table;
        table.nodes.push_back({2, QStringLiteral("SUSPECT"), QStringLiteral("DRAINING"), 2.5, 3, 4,
                               QStringLiteral("alice"), QStringLiteral("disk"), kT0});
        table.strategy = QStringLiteral("optimal");
        table.w1 = 2;
        table.w2 = 0.25;
        table.queuedAtMaster = 17;
        table.tasksCompleted = 40;
        table.lateDropped = 1;
        table.jobs = {3, 2, 16, 40, 5}; // issue 17: the job counters behind /metrics
        const QJsonObject json = table.toJson();
        QCOMPARE(AdminStateMessage::fromJson(json).toJson(), json);
        QCOMPARE(AdminStateMessage::fromJson(json).jobs, table.jobs);

        QJsonObject damaged = json;
        damaged.insert(QStringLiteral("nodes"),
                       QJsonArray{QJsonObject{{QStringLiteral("rank"), 3}},
                                  QJsonObject{{QStringLiteral("rank"), -1}},
                                  QJsonObject{{QStringLiteral("weight"), 7}},
                                  QStringLiteral("rank 4")});
        damaged.remove(QStringLiteral("w1"));
        damaged.insert(QStringLiteral("queued_at_master"), QStringLiteral("many"));
        damaged.insert(QStringLiteral("jobs"),
                       QJsonObject{{QStringLiteral("queued"), -4},
                                   {QStringLiteral("running"), QStringLiteral("two")},
                                   {QStringLiteral("failed_total"), 1e300}});
        const AdminStateMessage read = AdminStateMessage::fromJson(damaged);
        QCOMPARE(read.nodes.size(), size_t(1));
        QCOMPARE(read.nodes[0].rank, 3);
        QCOMPARE(read.nodes[0].weight, 1.0);
        QCOMPARE(read.w1, std::nullopt);
        QCOMPARE(read.w2, std::optional(0.25));
        QCOMPARE(read.queuedAtMaster, 0);
        QCOMPARE(read.jobs, AdminStateMessage::Jobs{}); // out of range or not a number: 0
    }

    // Tag::CostEstimates, master -> monitor: what goes in comes out, numbers exact; the link
    // travels as latency and rate.
    void costEstimatesRoundTrip()
    {
        const QJsonObject json = costEstimates().toJson();
        const CostEstimatesMessage read = CostEstimatesMessage::fromJson(json);
        QCOMPARE(read.toJson(), json);
        QCOMPARE(read.timeMs, kT0);
        QCOMPARE(read.slaves.size(), size_t(2));
        QCOMPARE(read.slaves[0].ops.size(), size_t(2));
        QCOMPARE(read.slaves[0].ops[0].compute.perMBS, 0.041);
        QVERIFY(read.slaves[0].ops[1].compute.source == starling::sched::EstimateSource::OtherOp);
        const QJsonObject link =
            json.value(u"slaves").toArray().at(0).toObject().value(u"link").toObject();
        QCOMPARE(link.value(u"mbps").toDouble(), 12.5);
        QCOMPARE(link.value(u"latency_s").toDouble(), 0.0005);
        // In the snapshot each estimate also has its age against the snapshot's time.
        const QJsonObject aged = CostEstimatesMessage::slaveToJson(read.slaves[0], kT0 + 2000);
        QCOMPARE(aged.value(u"compute").toArray().at(0).toObject().value(u"age_s").toDouble(), 5.0);
        QCOMPARE(aged.value(u"link").toObject().value(u"age_s").toDouble(), 3.0);
        QVERIFY(
            !json.value(u"slaves").toArray().at(0).toObject().value(u"link").toObject().contains(
                u"age_s"));
        // Never sampled: no age, rather than 55 years.
        QVERIFY(!CostEstimatesMessage::slaveToJson(read.slaves[1], kT0)
                     .value(u"link")
                     .toObject()
                     .contains(u"age_s"));
    }

    // Garbage, truncated and oversized: entries that do not fit are left out, never read as
    // zeros; lists stop at their bounds.
    void damagedCostEstimatesAreLeftOut()
    {
        QJsonObject json = costEstimates().toJson();
        QJsonArray slaves = json.value(u"slaves").toArray();
        QJsonObject a = slaves.at(0).toObject();
        QJsonArray compute = a.value(u"compute").toArray();
        QJsonObject bad = compute.at(0).toObject();
        bad.insert(QStringLiteral("per_mb_s"), -1);
        QJsonObject notFinite = compute.at(0).toObject();
        notFinite.insert(QStringLiteral("confidence"), 7);
        QJsonObject truncated = compute.at(1).toObject();
        truncated.remove(QStringLiteral("source"));
        compute = {bad, notFinite, truncated, QStringLiteral("median"), compute.at(1)};
        a.insert(QStringLiteral("compute"), compute);
        a.insert(QStringLiteral("link"), QStringLiteral("fast"));
        slaves = {a, QJsonObject{{QStringLiteral("rank"), QStringLiteral("two")}}, 42,
                  QJsonObject{{QStringLiteral("rank"), -3}}};
        json.insert(QStringLiteral("slaves"), slaves);
        json.insert(QStringLiteral("time_ms"), 1e300);
        const CostEstimatesMessage read = CostEstimatesMessage::fromJson(json);
        QCOMPARE(read.timeMs, 0);
        QCOMPARE(read.slaves.size(), size_t(1));
        QCOMPARE(read.slaves[0].ops.size(), size_t(1)); // only the whole grey entry
        QCOMPARE(read.slaves[0].ops[0].op, QStringLiteral("grey"));
        QCOMPARE(read.slaves[0].link.samples, 0.0); // the default, not garbage
        QCOMPARE(CostEstimatesMessage::fromJson(QJsonObject{}).slaves.size(), size_t(0));

        QJsonArray many;
        const QJsonObject one =
            costEstimates().toJson().value(u"slaves").toArray().at(0).toObject();
        QJsonArray manyOps;
        for (int i = 0; i < 100; ++i)
            manyOps.append(one.value(u"compute").toArray().at(0));
        QJsonObject wide = one;
        wide.insert(QStringLiteral("compute"), manyOps);
        for (int i = 0; i < CostEstimatesMessage::kMaxSlaves + 10; ++i)
            many.append(wide);
        const CostEstimatesMessage huge =
            CostEstimatesMessage::fromJson(QJsonObject{{QStringLiteral("slaves"), many}});
        QCOMPARE(huge.slaves.size(), size_t(CostEstimatesMessage::kMaxSlaves));
        QCOMPARE(huge.slaves[0].ops.size(), size_t(CostEstimatesMessage::kMaxOps));
    }

    void rankMessagesRoundTrip()
    {
        RankHello hello{3,         QStringLiteral("slave"),
                        4242,      QStringLiteral("h3"),
                        QString(), QStringLiteral("http://10.77.0.3:40123")};
        QCOMPARE(RankHello::fromJson(hello.toJson()).toJson(), hello.toJson());
        LivenessReport verdict{4, QStringLiteral("down"), 2000};
        QCOMPARE(LivenessReport::fromJson(verdict.toJson()).toJson(), verdict.toJson());
        const TaskAssignment assign{12, 2, 500};
        QCOMPARE(TaskAssignment::fromJson(assign.toJson()).toJson(), assign.toJson());
        const TaskCompletion done{12, 2, 510.5};
        QCOMPARE(TaskCompletion::fromJson(done.toJson()).toJson(), done.toJson());
        QCOMPARE(EpochReset::fromJson(EpochReset{3}.toJson()).epoch, 3);
        QCOMPARE(Slowdown::fromJson(Slowdown{2.5}.toJson()).factor, 2.5);
        QCOMPARE(Wake::fromJson(Wake{2000}.toJson()).ms, 2000);
        const CommandRequest request{QStringLiteral("7"), QStringLiteral("alice"),
                                     QJsonObject{{QStringLiteral("op"), QStringLiteral("drain")}}};
        QCOMPARE(CommandRequest::fromJson(request.toJson()).toJson(), request.toJson());
        CommandReply ack;
        ack.clientId = QStringLiteral("7");
        ack.id = QStringLiteral("c1");
        ack.ok = true;
        ack.result = QJsonObject{{QStringLiteral("node"), QStringLiteral("slave-3")}};
        QCOMPARE(CommandReply::fromJson(ack.toJson()).toJson(), ack.toJson());
        CommandReply refused = ack;
        refused.ok = false;
        refused.code = QStringLiteral("unknown_node");
        refused.message = QStringLiteral("unknown node \"x\"");
        QCOMPARE(CommandReply::fromJson(refused.toJson()).toJson(), refused.toJson());
        QVERIFY(!refused.toJson().contains(u"result"));
    }

    void jobStatusRoundTrips()
    {
        JobStatusMessage status;
        status.spec = QJsonObject{{QStringLiteral("op"), QStringLiteral("blur")}};
        status.id = QStringLiteral("j-1");
        status.state = QStringLiteral("done");
        status.width = 640;
        status.height = 480;
        status.channels = 3;
        status.unitsDone = status.unitsTotal = 48;
        status.submittedAtMs = kT0;
        status.startedAtMs = kT0 + 5;
        status.finishedAtMs = kT0 + 900;
        status.makespanS = 0.875;
        status.timeline = QJsonObject{{QStringLiteral("makespan_s"), 0.875}};
        const QJsonObject json = status.toJson();
        QCOMPARE(json.value(u"op"), QStringLiteral("blur")); // the spec sits beside the status
        const auto read = JobStatusMessage::fromJson(json);
        QVERIFY(read);
        QCOMPARE(read->makespanS, 0.875);
        QCOMPARE(read->raw, json);
        JobStatusMessage again = *read;
        again.spec = QJsonObject{{QStringLiteral("op"), QStringLiteral("blur")}};
        QCOMPARE(again.toJson(), json);

        JobStatusMessage queued;
        queued.id = QStringLiteral("j-2");
        queued.state = QStringLiteral("queued");
        queued.jobsAhead = 2;
        const QJsonObject waiting = queued.toJson();
        QCOMPARE(waiting.value(u"jobs_ahead"), 2);
        QVERIFY(!waiting.contains(u"makespan_s"));
        QVERIFY(!waiting.contains(u"started_at_ms"));
        QCOMPARE(JobStatusMessage::fromJson(waiting)->makespanS, -1.0);
    }

    void damagedJobStatusIsRefused()
    {
        QJsonObject status{{QStringLiteral("id"), QStringLiteral("j-1")},
                           {QStringLiteral("state"), QStringLiteral("failed")}};
        const auto failed = JobStatusMessage::fromJson(status);
        QVERIFY(failed);
        QCOMPARE(failed->error, QStringLiteral("the master gave no reason"));
        status.insert(QStringLiteral("state"), QStringLiteral("exploded"));
        QCOMPARE(JobStatusMessage::fromJson(status).errorCode(), QStringLiteral("bad_reply"));
        status.insert(QStringLiteral("state"), QStringLiteral("running"));
        status.insert(QStringLiteral("units_done"), 9);
        status.insert(QStringLiteral("units_total"), 4);
        QVERIFY(!JobStatusMessage::fromJson(status));
        status.insert(QStringLiteral("id"), QString(65, u'x'));
        status.insert(QStringLiteral("units_done"), 1);
        QVERIFY(!JobStatusMessage::fromJson(status));
    }

    void damagedRankMessagesKeepDefaults()
    {
        const QJsonObject garbage{{QStringLiteral("rank"), QStringLiteral("two")},
                                  {QStringLiteral("task"), -5},
                                  {QStringLiteral("epoch"), 1e300},
                                  {QStringLiteral("ms"), QJsonArray{1}},
                                  {QStringLiteral("factor"), QStringLiteral("fast")},
                                  {QStringLiteral("cost_ms"), -3}};
        QCOMPARE(LivenessReport::fromJson(garbage).rank, -1);
        QCOMPARE(TaskAssignment::fromJson(garbage).task, -1);
        QCOMPARE(TaskAssignment::fromJson(garbage).epoch, -1);
        QCOMPARE(TaskAssignment::fromJson(garbage).costMs, 0.0);
        QCOMPARE(Wake::fromJson(garbage).ms, 0);
        QCOMPARE(Slowdown::fromJson(garbage).factor, 1.0);
        QCOMPARE(RankHello::fromJson(garbage).pid, 0);
        QVERIFY(!CommandReply::fromJson(garbage).ok);
    }

    // The op table lists every op the master knows (and `history` and `history_page`, which
    // the monitor answers),
    // and the example of an unknown op shows what the code answers today.
    void protocolDocumentListsTheOps()
    {
        const QString text = protocolText();
        QVERIFY(!text.isEmpty());
        QSet<QString> documented;
        static const QRegularExpression row(QStringLiteral("^\\| `([a-z_]+)` \\| "),
                                            QRegularExpression::MultilineOption);
        const qsizetype start = text.indexOf(QStringLiteral("| op | fields |"));
        const qsizetype end = text.indexOf(QStringLiteral("\n\n"), start);
        QVERIFY(start >= 0 && end > start);
        for (auto it = row.globalMatch(text.mid(start, end - start)); it.hasNext();)
            documented.insert(it.next().captured(1));
        QSet<QString> ops{QStringLiteral("history"), starling::bridge::HistoryRequest::kOp};
        using starling::cluster::CommandOp;
        for (const CommandOp op :
             {CommandOp::Drain, CommandOp::Resume, CommandOp::Weight, CommandOp::Strategy,
              CommandOp::Shutdown, CommandOp::Load, CommandOp::Slow, CommandOp::Fault})
            ops.insert(toString(op));
        QCOMPARE(documented, ops);

        const auto unknown = starling::cluster::OperatorCommand::fromJson(
            QJsonObject{{QStringLiteral("id"), QStringLiteral("2")},
                        {QStringLiteral("op"), QStringLiteral("explode")}},
            QStringLiteral("me"));
        QVERIFY(!unknown);
        QString quoted = unknown.error();
        quoted.replace(u'"', QStringLiteral("\\\""));
        QVERIFY2(text.contains(quoted), qPrintable(quoted));
    }

    // The example events in PROTOCOL.md are events of known kinds with documented keys only.
    void protocolExamplesAreCatalogueEvents()
    {
        const QString text = protocolText();
        const qsizetype start = text.indexOf(QStringLiteral("For example (from a real cluster):"));
        QVERIFY(start >= 0);
        const qsizetype open = text.indexOf(QStringLiteral("```json\n"), start) + 8;
        const qsizetype close = text.indexOf(QStringLiteral("```"), open);
        const auto documented = documentedEvents();
        int examples = 0;
        for (const QString &line : text.mid(open, close - open).split(u'\n', Qt::SkipEmptyParts)) {
            const QJsonObject event = QJsonDocument::fromJson(line.toUtf8()).object();
            const auto kind = kindOf(event);
            QVERIFY2(kind, qPrintable(line));
            const QSet<QString> allowed =
                documented.at(toString(*kind)) +
                QSet<QString>{QStringLiteral("kind"), QStringLiteral("time_ms")};
            for (auto it = event.begin(); it != event.end(); ++it)
                QVERIFY2(allowed.contains(it.key()), qPrintable(it.key() + u' ' + line));
            ++examples;
        }
        QVERIFY(examples >= 5);
    }

    // The history page example is one HistoryPage::fromJson accepts, with exactly its keys.
    void protocolHistoryPageExample()
    {
        const QString text = protocolText();
        const qsizetype start = text.indexOf(QStringLiteral("## The history page"));
        QVERIFY(start >= 0);
        const qsizetype open = text.indexOf(QStringLiteral("```json\n"), start) + 8;
        const qsizetype close = text.indexOf(QStringLiteral("```"), open);
        const QJsonObject ack =
            QJsonDocument::fromJson(text.mid(open, close - open).trimmed().toUtf8()).object();
        const QJsonObject result = ack.value(u"result").toObject();
        const auto page = starling::bridge::HistoryPage::fromJson(result);
        QVERIFY2(page, qPrintable(page.error()));
        QCOMPARE(page->samples.size(), size_t(3));
        QCOMPARE(page->toJson().keys(), result.keys()); // keys() is sorted
    }

    void protocolDocumentListsTheCatalogue()
    {
        const auto documented = documentedEvents();
        QVERIFY2(!documented.empty(), "no event table in PROTOCOL.md");
        QSet<QString> catalogue;
        for (const EventKind kind : allEventKinds()) {
            catalogue.insert(toString(kind));
            QVERIFY2(documented.count(toString(kind)),
                     qPrintable(toString(kind) + QStringLiteral(" is not in PROTOCOL.md")));
        }
        for (const auto &[kind, fields] : documented)
            QVERIFY2(catalogue.contains(kind),
                     qPrintable(kind + QStringLiteral(" is in PROTOCOL.md, not in the catalogue")));
        for (const auto &[kind, s] : typedSamples()) {
            QSet<QString> written;
            for (auto it = s.json.begin(); it != s.json.end(); ++it)
                written.insert(it.key());
            written.remove(QStringLiteral("kind"));
            written.remove(QStringLiteral("time_ms"));
            QCOMPARE(documented.at(toString(kind)), written);
        }
    }
};

QTEST_GUILESS_MAIN(TestMessageCatalogue)
#include "tst_messagecatalogue.moc"
