#pragma once

namespace starling::image {

// Rows [begin, end) of an image.
struct RowRange
{
    int begin = 0;
    int end = 0;
    int size() const { return end - begin; }
    bool operator==(const RowRange &) const = default;
};

// Paper 2's unit tasks for an image: `height` rows cut into min(units, height) runs of rows as
// equal as possible (the first height % n get one row more), so a unit is never empty.
class UnitRows
{
public:
    // height >= 1 and units >= 1 (smaller values count as 1).
    UnitRows(int height, int units);

    int units() const { return m_units; }
    int height() const { return m_height; }
    RowRange unit(int k) const;
    // The rows of units [first, first + count), which are consecutive.
    RowRange span(int first, int count) const;

private:
    int startOf(int k) const;

    int m_height;
    int m_units;
};

// `rows` widened by `halo` rows on each side, clamped to [0, height).
RowRange withHalo(RowRange rows, int halo, int height);

} // namespace starling::image
