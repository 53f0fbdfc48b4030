#pragma once

#include <stdexcept>

namespace starling::sched {

// A broken precondition of the scheduling maths (the caller validated too little).
// Expected failures such as a bad platform file never get this far; they are Expected<> values.
class SchedulingError : public std::logic_error
{
public:
    using std::logic_error::logic_error;
};

} // namespace starling::sched
