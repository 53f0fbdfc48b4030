#include "mpierror.h"

#include <mpi.h>

namespace starling::mpi {

namespace {

std::string describe(const char *call, int code)
{
    char text[MPI_MAX_ERROR_STRING] = {};
    int length = 0;
    if (MPI_Error_string(code, text, &length) != MPI_SUCCESS)
        return std::string(call) + " failed with MPI error " + std::to_string(code);
    return std::string(call) + " failed: " + std::string(text, size_t(length));
}

} // namespace

MpiError::MpiError(const char *call, int code)
    : std::runtime_error(describe(call, code)), m_code(code)
{}

void check(const char *call, int code)
{
    if (code != MPI_SUCCESS)
        throw MpiError(call, code);
}

} // namespace starling::mpi
