#pragma once

#include "jobs/jobscheduler.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace starling::jobs {

struct JobOutcome;

// A finished job's timeline as the status API and `starling job --json` show it: per slave its
// share (units) and the span of its send, compute and return phases, and every chunk with its
// units and times; seconds from the job's start, rounded to microseconds. `estimates` is what
// the master planned with (per slave T_i as unit_compute_s and B_i as link_MBps, the unit's
// size and the result/input size ratio), so the simulator can predict the same job.
QJsonObject timelineJson(const JobOutcome &outcome);

// One chunk as a JSON object, in the status API's timeline.
QJsonObject chunkJson(const JobChunk &chunk, const QString &slaveName, int rank);

// Seconds rounded to microseconds, as timelines and job events carry them.
double micro(double seconds);

} // namespace starling::jobs
