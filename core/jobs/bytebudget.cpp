#include "bytebudget.h"

#include <algorithm>

namespace starling::jobs {

ByteBudget::ByteBudget(qint64 capacity) : m_capacity(std::max<qint64>(0, capacity)) {}

bool ByteBudget::fits(qint64 bytes) const
{
    return bytes >= 0 && bytes <= available();
}

bool ByteBudget::tryReserve(qint64 bytes)
{
    if (!fits(bytes))
        return false;
    m_used += bytes;
    return true;
}

void ByteBudget::force(qint64 bytes)
{
    m_used += std::max<qint64>(0, bytes);
}

void ByteBudget::release(qint64 bytes)
{
    m_used = std::max<qint64>(0, m_used - std::max<qint64>(0, bytes));
}

} // namespace starling::jobs
