#pragma once

#include "util/expected.h"

#include <QString>

namespace starling::cli {

// One cluster per run directory: an exclusive flock on RUN_DIR/lock, held for the cluster's
// lifetime. The descriptor is deliberately inheritable, so mpiexec (and through it every rank)
// holds the lock on after a detached `starling up` has exited; the kernel releases it when the
// last of them is gone, even after kill -9, so a dead cluster never leaves a stale lock. The
// file says who holds it (pid, program, since when) for the refusal message.
class RunDirLock
{
public:
    RunDirLock() = default;
    ~RunDirLock();
    RunDirLock(RunDirLock &&other) noexcept;
    RunDirLock &operator=(RunDirLock &&other) noexcept;
    RunDirLock(const RunDirLock &) = delete;
    RunDirLock &operator=(const RunDirLock &) = delete;

    // Takes the lock at once or says (one line) which cluster holds it. A holder whose recorded
    // process has exited is waited for up to staleWaitMs: its children may still be going away.
    static Expected<RunDirLock> acquire(const QString &runDir, int staleWaitMs = 5000);

    // Records who holds the lock now (after a detached start: mpiexec, which outlives us).
    void recordHolder(qint64 pid, const QString &program);
    QString path() const { return m_path; }

private:
    int m_fd = -1;
    QString m_path;
};

} // namespace starling::cli
