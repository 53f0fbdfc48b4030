#pragma once

#include "cluster/clustersnapshot.h"
#include "consolemodel/nodehistory.h"

#include <QWidget>

#include <vector>

QT_BEGIN_NAMESPACE
class QPainter;
class QScrollArea;
QT_END_NAMESPACE

namespace starling::ui {

// The monitor's load ranking at a glance: one row per slave, lightest first (rank 0 gets the
// next block), slaves that are not ranked (not ACTIVE) at the bottom with their state. Each
// row has its load on a scale shared by all rows, and two small bars on one shared scale: the
// slave's configured share (its weight over the ACTIVE slaves' weights) and the share of the
// tasks all slaves finished over the board's window it actually did, so an operator can see
// whether a reweight did what was meant. Drawn with QPainter in the widget's palette.
class LoadRankBoard final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoadRankBoard)

public:
    struct Row
    {
        int rank = 0; // MPI rank
        QString name;
        int loadRank = -1; // 0 = lightest; -1 = not ranked
        double load = 0;
        cluster::NodeState state = cluster::NodeState::Active;
        double weight = 0;
        double weightShare = 0;   // 0 unless ACTIVE; ACTIVE rows sum to 1
        double achievedShare = 0; // of the tasks done in the window; rows sum to 1 (or all 0)
    };

    explicit LoadRankBoard(QWidget *parent = nullptr);

    using QWidget::update; // the repaint request stays reachable beside the data update
    // Shares of work are counted over the last windowMs of the history.
    void update(const cluster::ClusterSnapshot &snapshot, const consolemodel::NodeHistory &history,
                qint64 windowMs);

    // For tests: the rows in drawing order and the shared scales' top values.
    const std::vector<Row> &rows() const { return m_rows; }
    double loadScale() const { return m_loadScale; }
    double shareScale() const { return m_shareScale; }
    qint64 windowMs() const { return m_windowMs; }

    // Where the columns, bars and scale lines go at a width: a pure function of the width, the
    // row count and the two scales, so drawing only places what it is given.
    struct Layout
    {
        int rankX = 0;      // the rank / state column
        int loadX = 0;      // where load bars start
        int loadWidth = 0;  // a load bar at the top of the scale
        int shareX = 0;     // where share bars start
        int gridBottom = 0; // where the scale lines end
        double loadScale = 1;
        double shareScale = 1;
        double loadStep = 1; // between the load scale's labels
        int height = 0;      // the header, every row (two at least) and the margin below

        int rowTop(int row) const;
        int loadLength(double load) const;   // pixels, clipped to the scale
        int shareLength(double share) const; // pixels, clipped to the scale
    };
    static Layout layoutFor(int width, int rowCount, double loadScale, double shareScale);

    QSize sizeHint() const override;
    // As tall as every row: shorter, the last rows would be cut off, so the board sits in a
    // scroll area that scrolls when the window gives it less.
    QSize minimumSizeHint() const override;
    // A frameless scroll area ("loadRankScroller") holding the board, for a place that may be
    // shorter than its rows: it scrolls vertically, never sideways, and is as wide as the board
    // at its least and the scroll bar beside it.
    QScrollArea *inScrollArea();

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Ink; // the palette's colours and the fonts one paint uses

    void drawTitleAndKey(QPainter &p, const Ink &ink) const;
    void drawColumnNames(QPainter &p, const Layout &layout, const Ink &ink) const;
    void drawScales(QPainter &p, const Layout &layout, const Ink &ink) const;
    void drawRowLabels(QPainter &p, const Layout &layout, const Row &row, int y,
                       const Ink &ink) const;
    void drawLoadBar(QPainter &p, const Layout &layout, const Row &row, int y,
                     const Ink &ink) const;
    void drawShareBars(QPainter &p, const Layout &layout, const Row &row, int y,
                       const Ink &ink) const;

    std::vector<Row> m_rows;
    double m_loadScale = 1;
    double m_shareScale = 1;
    qint64 m_windowMs = 0;
};

} // namespace starling::ui
