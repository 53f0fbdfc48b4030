#pragma once

#include <QString>

namespace starling::mpi {

// RAII MPI environment (mpl's environment habit): initialises MPI with MPI_THREAD_FUNNELED,
// because only one thread per rank ever calls MPI, checks the level MPICH provided, turns MPI
// errors into exceptions, and finalises only what it initialised.
class MpiEnvironment final
{
public:
    MpiEnvironment(int &argc, char **&argv);
    ~MpiEnvironment();
    MpiEnvironment(const MpiEnvironment &) = delete;
    MpiEnvironment &operator=(const MpiEnvironment &) = delete;

    int rank() const { return m_rank; }
    int size() const { return m_size; }
    QString processorName() const { return m_processorName; }

    // Ends every rank of the job (MPICH cannot end just one); for fatal start-up errors.
    [[noreturn]] void abort(int exitCode) const;
    // For errors every rank sees alike: rank 0 (which printed the message) aborts, the others
    // wait for it, so no other rank's abort can kill rank 0 before its message is out.
    [[noreturn]] void abortFromRankZero(int exitCode) const;

private:
    bool m_initialisedHere = false;
    int m_rank = 0;
    int m_size = 1;
    QString m_processorName;
};

} // namespace starling::mpi
