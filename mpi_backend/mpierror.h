#pragma once

#include <stdexcept>
#include <string>

namespace starling::mpi {

// An MPI call failed; the message carries MPI_Error_string's text and the call that failed.
class MpiError : public std::runtime_error
{
public:
    MpiError(const char *call, int code);
    int code() const { return m_code; }

private:
    int m_code;
};

// Throws MpiError unless `code` is MPI_SUCCESS.
void check(const char *call, int code);

} // namespace starling::mpi
