#pragma once

#include "cluster/clustersnapshot.h"
#include "consolemodel/nodehistory.h"

#include <QWidget>

#include <vector>

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

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override { return {520, 120}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    std::vector<Row> m_rows;
    double m_loadScale = 1;
    double m_shareScale = 1;
    qint64 m_windowMs = 0;
};

} // namespace starling::ui
