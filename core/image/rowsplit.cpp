#include "rowsplit.h"

#include <algorithm>

namespace starling::image {

UnitRows::UnitRows(int height, int units)
    : m_height(std::max(1, height)), m_units(std::clamp(units, 1, std::max(1, height)))
{}

int UnitRows::startOf(int k) const
{
    const int base = m_height / m_units;
    const int extra = m_height % m_units;
    return k * base + std::min(k, extra);
}

RowRange UnitRows::unit(int k) const
{
    return span(k, 1);
}

RowRange UnitRows::span(int first, int count) const
{
    first = std::clamp(first, 0, m_units);
    const int last = std::clamp(first + std::max(0, count), first, m_units);
    return {startOf(first), startOf(last)};
}

RowRange withHalo(RowRange rows, int halo, int height)
{
    halo = std::max(0, halo);
    return {std::max(0, rows.begin - halo), std::min(height, rows.end + halo)};
}

} // namespace starling::image
