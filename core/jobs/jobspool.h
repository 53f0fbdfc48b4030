#pragma once

#include "image/imagebuffer.h"
#include "jobs/jobspec.h"
#include "util/expected.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace starling::jobs {

// The master's accepted jobs on disk, so `starling restart` keeps them: per job a JSON record
// (`<id>.json`: spec, size, submission time) and its input's raw pixels (`<id>.pixels`, what
// the board holds; no codec on the way). Written when a job is accepted, removed when it ends;
// a job that was running when the cluster stopped is queued again and runs from the start.
// Owner-only files in a 0700 directory: inputs are the users' data.
//
// THREADS: save() runs on HTTP connection threads and remove() on the MPI thread; they touch
// different files (ids are unique), so no lock is needed.
class JobSpool
{
public:
    static constexpr qint64 kMaxRecordBytes = 64 * 1024;

    struct Entry
    {
        QString id;
        JobSpec spec;
        image::ImageBuffer input;
        qint64 submittedAtMs = 0;
        qint64 sequence = 0;    // the board's submission order; 0 in spools written before it
        QString submitter = {}; // issue 16, fairness; "" in spools written before it
    };

    // An empty directory disables the spool.
    explicit JobSpool(QString directory);

    bool enabled() const { return !m_directory.isEmpty(); }
    Expected<bool> save(const QString &id, const JobSpec &spec, const image::ImageBuffer &input,
                        qint64 submittedAtMs, qint64 sequence = 0,
                        const QString &submitter = {}) const;
    void remove(const QString &id) const;
    // Every job that reads back whole, in submission order (sequence, then time, then id). A broken
    // one (cut short, edited, a different size) is renamed `.bad` and named in `warnings`, never
    // half-loaded.
    std::vector<Entry> load(QStringList &warnings) const;

private:
    QString path(const QString &id, const char *suffix) const;
    Expected<Entry> read(const QString &id) const;

    QString m_directory;
};

} // namespace starling::jobs
