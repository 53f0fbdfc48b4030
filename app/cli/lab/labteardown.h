#pragma once

#include "labrecord.h"
#include "util/expected.h"

#include <QStringList>

namespace starling::cli::lab {

// Removes what a lab record lists, newest first: our processes, then qdiscs, veths,
// namespaces, the bridge and the cgroups. Whatever could not be removed stays in the record
// (and the record stays), so the next `starling lab down` tries again; after a full removal
// the record file is deleted.
class LabTeardown
{
public:
    static constexpr int kGraceMs = 3000;
    static constexpr int kCgroupTimeoutMs = 5000;

    explicit LabTeardown(LabRecord &record) : m_record(record) {}

    // Problems as one line each; empty = everything is gone.
    QStringList run();

    int stoppedProcesses() const { return m_stoppedProcesses; }
    int removedResources() const { return m_removedResources; }

private:
    QList<qint64> ourLiveProcesses() const;
    QStringList stopProcesses();
    QStringList removeResources();

    LabRecord &m_record;
    int m_stoppedProcesses = 0;
    int m_removedResources = 0;
};

} // namespace starling::cli::lab
