#include "mpienvironment.h"

#include "mpi_backend/mpierror.h"

#include <mpi.h>

#include <cstdlib>

namespace starling::mpi {

MpiEnvironment::MpiEnvironment(int &argc, char **&argv)
{
    int initialised = 0;
    check("MPI_Initialized", MPI_Initialized(&initialised));
    if (!initialised) {
        int provided = MPI_THREAD_SINGLE;
        check("MPI_Init_thread", MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided));
        m_initialisedHere = true;
        if (provided < MPI_THREAD_FUNNELED) {
            MPI_Finalize();
            throw MpiError("MPI_Init_thread (MPI_THREAD_FUNNELED not provided)", MPI_ERR_OTHER);
        }
    }
    // Errors come back as codes that check() turns into exceptions, instead of aborting.
    check("MPI_Comm_set_errhandler", MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
    check("MPI_Comm_rank", MPI_Comm_rank(MPI_COMM_WORLD, &m_rank));
    check("MPI_Comm_size", MPI_Comm_size(MPI_COMM_WORLD, &m_size));
    char name[MPI_MAX_PROCESSOR_NAME] = {};
    int length = 0;
    check("MPI_Get_processor_name", MPI_Get_processor_name(name, &length));
    m_processorName = QString::fromLocal8Bit(name, length);
}

MpiEnvironment::~MpiEnvironment()
{
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (m_initialisedHere && !finalised)
        MPI_Finalize();
}

void MpiEnvironment::abort(int exitCode) const
{
    MPI_Abort(MPI_COMM_WORLD, exitCode);
    std::exit(exitCode); // MPI_Abort does not return, but the compiler cannot know
}

void MpiEnvironment::abortFromRankZero(int exitCode) const
{
    if (m_rank == 0)
        abort(exitCode);
    // A short-lived spin is fine here: rank 0 is about to end the job.
    MPI_Barrier(MPI_COMM_WORLD);
    abort(exitCode);
}

} // namespace starling::mpi
