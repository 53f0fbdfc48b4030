#pragma once

#include "util/expected.h"

#include <QJsonObject>
#include <QString>

namespace starling::protocol {

// One image job's status as the master's HTTP API answers GET /api/v1/jobs/<id> (and `starling
// job --json` prints): the master writes it, `starling job` and the console's demo read it. The
// job's spec (op, strategy, ...) and the timeline ride along as objects of their own.
struct JobStatusMessage
{
    QString id;
    QString submitter; // issue 16, fairness: who submitted it (a name or the client's address)
    QString state;     // queued, running, done, failed
    int width = 0;
    int height = 0;
    int channels = 0;
    qint64 unitsDone = 0;
    qint64 unitsTotal = 0;
    qint64 submittedAtMs = 0;
    qint64 startedAtMs = 0;  // 0: not started
    qint64 finishedAtMs = 0; // 0: not finished
    int jobsAhead = 0;       // queued jobs only: how many run before it
    QString error;
    double makespanS = -1; // jobs that ran to the end; -1: none
    QJsonObject spec;      // its keys sit beside these in the JSON
    QJsonObject timeline;  // finished jobs: jobs::timelineJson
    QJsonObject raw;       // as read, for printing

    bool finished() const { return state == u"done" || state == u"failed"; }
    QJsonObject toJson() const;
    // Checks the shape a client relies on; one line naming what is wrong (code "bad_reply").
    static Expected<JobStatusMessage> fromJson(const QJsonObject &object);
};

} // namespace starling::protocol
