#pragma once

#include "util/expected.h"

#include <QtGlobal>

namespace starling::util {

struct OpenFileLimit
{
    quint64 before = 0; // the soft limit found
    quint64 soft = 0;   // the soft limit now
    quint64 hard = 0;
};

// Raises this process's soft limit on open descriptors (RLIMIT_NOFILE) to its hard limit (or to
// the kernel's fs.nr_open when the hard limit is unlimited). A server holding one descriptor per
// client would otherwise fail accept() at the distribution's default soft limit (often 1024)
// long before memory or the hard limit say so. The error says why the limit could not be raised.
Expected<OpenFileLimit> raiseOpenFileLimit();

} // namespace starling::util
