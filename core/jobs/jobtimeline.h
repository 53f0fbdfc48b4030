#pragma once

#include "jobs/jobscheduler.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace starling::jobs {

struct JobOutcome;

// A finished job's timeline as the status API and `starling job --json` show it: per slave its
// share (units) and the span of its send, compute and return phases, and every chunk with its
// units and times; seconds from the job's start, rounded to microseconds.
QJsonObject timelineJson(const JobOutcome &outcome);

// One chunk as a JSON object (also the payload of the strip task events).
QJsonObject chunkJson(const JobChunk &chunk, const QString &slaveName, int rank);

} // namespace starling::jobs
