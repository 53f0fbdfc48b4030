#include "jobstatusmessage.h"

#include "util/oneline.h"

namespace starling::protocol {

namespace {

namespace key {
const QLatin1String kId("id");
const QLatin1String kState("state");
const QLatin1String kWidth("width");
const QLatin1String kHeight("height");
const QLatin1String kChannels("channels");
const QLatin1String kUnitsDone("units_done");
const QLatin1String kUnitsTotal("units_total");
const QLatin1String kSubmittedAtMs("submitted_at_ms");
const QLatin1String kStartedAtMs("started_at_ms");
const QLatin1String kFinishedAtMs("finished_at_ms");
const QLatin1String kJobsAhead("jobs_ahead");
const QLatin1String kError("error");
const QLatin1String kMakespanS("makespan_s");
const QLatin1String kTimeline("timeline");
const QLatin1String kSubmitter("submitter"); // issue 16, fairness
} // namespace key

Error badReply(const QString &message)
{
    return Error{message, QStringLiteral("bad_reply")};
}

} // namespace

QJsonObject JobStatusMessage::toJson() const
{
    QJsonObject o = spec;
    o.insert(key::kId, id);
    o.insert(key::kState, state);
    o.insert(key::kWidth, width);
    o.insert(key::kHeight, height);
    o.insert(key::kChannels, channels);
    o.insert(key::kUnitsDone, unitsDone);
    o.insert(key::kUnitsTotal, unitsTotal);
    o.insert(key::kSubmittedAtMs, submittedAtMs);
    if (startedAtMs > 0)
        o.insert(key::kStartedAtMs, startedAtMs);
    if (finishedAtMs > 0)
        o.insert(key::kFinishedAtMs, finishedAtMs);
    if (state == u"queued")
        o.insert(key::kJobsAhead, jobsAhead);
    if (!error.isEmpty())
        o.insert(key::kError, error);
    if (makespanS >= 0)
        o.insert(key::kMakespanS, makespanS);
    if (!timeline.isEmpty())
        o.insert(key::kTimeline, timeline);
    o.insert(key::kSubmitter, submitter);
    return o;
}

Expected<JobStatusMessage> JobStatusMessage::fromJson(const QJsonObject &o)
{
    JobStatusMessage s;
    s.raw = o;
    s.id = o.value(key::kId).toString();
    s.state = o.value(key::kState).toString();
    if (s.id.isEmpty() || s.id.size() > 64)
        return badReply(QStringLiteral("the job status has no valid \"id\""));
    if (s.state != u"queued" && s.state != u"running" && s.state != u"done" && s.state != u"failed")
        return badReply(QStringLiteral("the job status has an unknown state \"%1\"")
                            .arg(util::oneLine(s.state, 20)));
    s.error = util::oneLine(o.value(key::kError).toString(), 500);
    s.width = o.value(key::kWidth).toInt();
    s.height = o.value(key::kHeight).toInt();
    s.channels = o.value(key::kChannels).toInt();
    s.unitsDone = qint64(o.value(key::kUnitsDone).toDouble());
    s.unitsTotal = qint64(o.value(key::kUnitsTotal).toDouble());
    s.submittedAtMs = qint64(o.value(key::kSubmittedAtMs).toDouble());
    s.startedAtMs = qint64(o.value(key::kStartedAtMs).toDouble());
    s.finishedAtMs = qint64(o.value(key::kFinishedAtMs).toDouble());
    s.jobsAhead = o.value(key::kJobsAhead).toInt();
    s.submitter = util::oneLine(o.value(key::kSubmitter).toString(), 64);
    s.makespanS = o.value(key::kMakespanS).toDouble(-1);
    s.timeline = o.value(key::kTimeline).toObject();
    if (s.unitsDone < 0 || s.unitsTotal < 0 || s.unitsDone > s.unitsTotal)
        return badReply(QStringLiteral("the job status counts %1 of %2 units")
                            .arg(s.unitsDone)
                            .arg(s.unitsTotal));
    if (s.state == u"failed" && s.error.isEmpty())
        s.error = QStringLiteral("the master gave no reason");
    return s;
}

} // namespace starling::protocol
