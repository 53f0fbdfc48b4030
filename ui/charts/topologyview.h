#pragma once

#include "cluster/clustersnapshot.h"
#include "consolemodel/nodehistory.h"

#include <QRect>
#include <QWidget>

#include <vector>

QT_BEGIN_NAMESPACE
class QPainter;
QT_END_NAMESPACE

namespace starling::ui {

// The picture of the cluster: the master, the monitor and every slave as a box coloured by its
// state (the node table's colours), slaves grouped by host, and the master's one port drawn as
// a trunk with a branch to each slave whose thickness is the slave's link capacity (the
// emulated link rate; thin and dashed where the feed does not know it) and, in the box, the
// slave's live throughput "x MB/s of y". Slaves fill columns, so 16 to 64 of them fit a
// window. QPainter on SeriesPalette::chartBackground/chartText, so it reads on light and dark.
class TopologyView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TopologyView)

public:
    struct Box
    {
        int rank = -1; // -1: not in the snapshot (no master or monitor reported)
        QString name;
        QString host;
        cluster::NodeRole role = cluster::NodeRole::Slave;
        cluster::NodeState state = cluster::NodeState::Active;
        double capacityBps = 0; // the link's rate in bytes/s; 0 = not known
        double sentBps = 0;     // the slave's own traffic, from NodeHistory
        double receivedBps = 0;
    };

    // Where everything goes: a pure function of the size and the slaves (in drawing order).
    struct Layout
    {
        QRect title;
        QRect master;
        QRect monitor;
        std::vector<QRect> slaves;     // one per slave, in drawing order
        std::vector<QRect> hostFrames; // around runs of two or more slaves on one host
        int trunkY = 0;
        int trunkEndX = 0;
        std::vector<int> feederX;      // per column: where the branches leave the trunk
        std::vector<int> feederBottom; // per column
        int columns = 0;
        int rows = 0;
        int textLines = 1; // lines of text a slave box holds (1..3)
    };
    static Layout layoutFor(QSize size, const std::vector<Box> &slaves);

    explicit TopologyView(QWidget *parent = nullptr);

    using QWidget::update; // the repaint request stays reachable beside the data update
    void update(const cluster::ClusterSnapshot &snapshot, const consolemodel::NodeHistory &history);

    // For tests: what is drawn. Slaves are grouped by host (hosts in order of their first
    // slave), by rank within a host.
    const std::vector<Box> &slaves() const { return m_slaves; }
    const Box &master() const { return m_master; }
    const Box &monitor() const { return m_monitor; }
    int hostCount() const;
    // "3.2 MB/s of 8 MB/s": the busier direction of a full-duplex link against its rate.
    static QString linkLabel(const Box &box);
    static QString shortLinkLabel(const Box &box); // "3.2/8.0 MB/s", for narrow boxes
    // Line width of a slave's branch: 1 px unknown, 2..7 px by capacity against the largest.
    static double branchWidth(double capacityBps, double largestBps);

    QSize sizeHint() const override { return {1000, 640}; }
    // Low enough that the views below the node table leave it half a 700 px window with an
    // alert banner; the grid takes more columns of smaller boxes.
    QSize minimumSizeHint() const override { return {420, 220}; }

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    struct Ink; // the palette's colours and the fonts one paint uses

    void drawTitle(QPainter &p, const Layout &layout, const Ink &ink) const;
    void drawLinks(QPainter &p, const Layout &layout, const Ink &ink) const;
    void drawHostFrames(QPainter &p, const Layout &layout, const Ink &ink) const;
    void drawBox(QPainter &p, const QRect &rect, const Box &box, int lines, const Ink &ink) const;
    QString toolTipAt(QPoint at) const;

    std::vector<Box> m_slaves;
    Box m_master;
    Box m_monitor;
};

} // namespace starling::ui
