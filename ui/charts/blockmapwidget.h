#pragma once

#include "consolemodel/taskactivity.h"

#include <QWidget>

#include <vector>

QT_BEGIN_NAMESPACE
class QPainter;
QT_END_NAMESPACE

namespace starling::ui {

// A transfer's block map: the file's blocks as a grid of cells in file order, left to right
// and wrapping, each filled with the colour of the slave that served it, or a light tint of
// the slave it was planned for while it is not served yet — so the plan's runs, their
// progress and any block moved to another slave show at once. A header gives the file, its
// size, the strategy and the progress (a bar split by who served what); a legend gives every
// slave's served and planned block counts. Cells are sized to fit the widget; when the blocks
// do not fit at two pixels a cell (or are more than kMaxCells), one cell stands for several
// consecutive blocks and counts as served once all of them are, coloured by whoever served
// most of them. Drawn with QPainter in the widget's palette.
class BlockMapWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BlockMapWidget)

public:
    static constexpr int kMaxCells = 100'000;

    struct SlaveCount
    {
        QString name;
        QColor colour;
        int served = 0;  // blocks it served
        int planned = 0; // blocks the plan gave it
    };

    explicit BlockMapWidget(QWidget *parent = nullptr);

    // Copies what it draws; null shows "no transfer yet".
    void setTransfer(const consolemodel::LiveTransfer *transfer);

    // For tests.
    bool hasTransfer() const { return m_blocks > 0; }
    int blockCount() const { return m_blocks; }
    int servedCount() const { return m_served; }
    int cellCount() const { return m_cells; }
    int blocksPerCell() const { return m_perCell; }
    int cellSide() const { return m_side; } // pixels
    const std::vector<SlaveCount> &slaves() const { return m_slaves; }
    QColor blockColour(int block) const; // the colour of the cell holding `block`
    QRect gridArea() const;              // where the cells go at the current size
    int cellAt(QPoint pos) const;        // -1 outside the cells
    QString cellText(int cell) const;    // its tooltip: blocks, who served them, the plan

    // How `blocks` blocks fit an area: blocks per cell, cells, a cell's side in pixels and the
    // columns. Pure, so the sizing rules can be checked without drawing.
    struct CellGrid
    {
        int perCell = 1;
        int cells = 0;
        int side = 1;
        int columns = 1;
    };
    static CellGrid fitCells(const QSize &area, int blocks);

    QSize sizeHint() const override { return {900, 420}; }
    // Title, bar and legend, and a few rows of cells (the cells get more blocks each).
    QSize minimumSizeHint() const override { return {360, 100}; }

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    bool event(QEvent *event) override;

private:
    // What a cell shows: a slave's index when served, -2 - index of the planned owner while
    // not, kUnplanned when neither.
    static constexpr int kUnplanned = -1;

    // Where the header, the progress bar, the legend and the cells go at the current size.
    struct Layout
    {
        int inner = 0; // the width between the margins
        QRect progressBar;
        std::vector<QRect> legend; // the caption, one per slave, then the aggregation note
        QRect grid;
    };
    struct Ink; // the palette's colours and the bold font one paint uses

    void layoutCells();
    void codeCells();
    Layout layout() const;
    void drawNoTransfer(QPainter &p, const Ink &ink) const;
    void drawHeader(QPainter &p, const Layout &layout, const Ink &ink) const;
    void drawProgressBar(QPainter &p, const Layout &layout, const Ink &ink) const;
    void drawLegend(QPainter &p, const Layout &layout, const Ink &ink) const;
    void drawCells(QPainter &p, const Layout &layout, const Ink &ink) const;
    QColor codeColour(int code, const QColor &background, const QColor &text) const;
    std::vector<QRect> legendRects(const QFontMetrics &metrics) const;
    QString legendText(const SlaveCount &slave) const;

    QString m_path;
    QString m_strategy;
    qint64 m_size = 0;
    qint64 m_pieceSize = 0;
    int m_blocks = 0;
    int m_served = 0;
    std::vector<int> m_plannedOwner;
    std::vector<int> m_servedBy;
    std::vector<SlaveCount> m_slaves;

    QSize m_laidOutFor;
    int m_perCell = 1;
    int m_cells = 0;
    int m_columns = 1;
    int m_side = 1;
    std::vector<int> m_cellCode;
};

} // namespace starling::ui
