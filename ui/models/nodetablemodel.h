#pragma once

#include "cluster/clustersnapshot.h"
#include "cluster/estimatesummary.h"

#include <QAbstractTableModel>
#include <QColor>

#include <unordered_map>
#include <vector>

namespace starling::ui {

// The console's node table: one row per node of the latest snapshot, in rank order. Rows are
// inserted and removed as nodes come and go; an update signals only the rows whose data
// changed (one signal for the whole table when most did), so views keep selection and scroll.
class NodeTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NodeTableModel)

public:
    enum Column
    {
        Name,
        Role,
        State,
        Weight,
        Load,
        LoadRank,
        Estimate, // the master's cost estimate with its confidence and age (issue 16)
        Cpu,
        Memory,
        Tx,
        Rx,
        Connections,
        Queue,
        InFlight,
        UnitCompute,
        Bandwidth,
        HeartbeatAge,
        ColumnCount
    };
    Q_ENUM(Column)

    enum ItemRole
    {
        SortRole = Qt::UserRole, // raw number or string; -1 where the cell shows "-"
        RankRole,                // MPI rank of the row's node
        NameRole,
        StateRole // cluster::NodeState as int
    };

    // Where a CPU or memory cell turns amber (warn) and red (critical).
    struct Thresholds
    {
        double cpuWarn = 0.75; // of one core
        double cpuCritical = 0.95;
        double memWarnBytes = 1024.0 * 1024 * 1024;
        double memCriticalBytes = 2048.0 * 1024 * 1024;
        cluster::EstimateDoubt estimate; // where an estimate is shown dimmed
    };

    explicit NodeTableModel(QObject *parent = nullptr);

    void setSnapshot(const cluster::ClusterSnapshot &snapshot);
    void setThresholds(const Thresholds &thresholds);
    Thresholds thresholds() const { return m_thresholds; }
    // Stale data (no snapshot for a while, bridge down) stays visible but greyed, never as live.
    void setStale(bool stale);
    bool isStale() const { return m_stale; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int rankAt(int row) const;     // -1 outside the table
    int rowOfRank(int rank) const; // -1 when no node has that rank
    QString nameAt(int row) const; // empty outside the table
    // Valid until the next setSnapshot.
    const cluster::NodeView *nodeAt(int row) const;

    // Translucent tints, so the palette's own text colour stays readable on light and dark
    // themes. Invalid for states that get no colour.
    static QColor stateColour(cluster::NodeState state);
    static QColor warnColour();
    static QColor criticalColour();
    static QColor staleTextColour();
    static QColor doubtfulTextColour(); // an estimate with low confidence or an old sample

private:
    QVariant display(const cluster::NodeView &node, int column) const;
    QVariant sortValue(const cluster::NodeView &node, int column) const;
    QVariant background(const cluster::NodeView &node, int column) const;
    QString toolTip(const cluster::NodeView &node, int column) const;
    QVariant foreground(const cluster::NodeView &node, int column) const;
    std::optional<cluster::EstimateSummary> estimateOf(const cluster::NodeView &node) const;
    void rebuildRowMap();
    void insertNodes(const std::vector<const cluster::NodeView *> &added);
    void refreshEstimateAges(std::int64_t snapshotMs);
    void emitRowsChanged(const std::vector<int> &rows);
    void updateOwnRates(const cluster::NodeView &node);
    // What the Tx/Rx cells show: the host link's rates, or, when the link is shared with other
    // nodes (one machine, loopback), the process's own rates from its byte counters.
    std::pair<double, double> shownRates(const cluster::NodeView &node) const;

    // A process's own traffic, from the difference of its counters between two samples.
    struct OwnRates
    {
        std::int64_t sampledAtMs = 0;
        std::int64_t txTotal = 0;
        std::int64_t rxTotal = 0;
        double tx = 0;
        double rx = 0;
    };

    std::vector<cluster::NodeView> m_nodes; // row order = rank order
    std::unordered_map<int, OwnRates> m_ownRates;
    std::unordered_map<int, int> m_rowOfRank;
    Thresholds m_thresholds;
    bool m_stale = false;
    std::int64_t m_snapshotMs = 0; // estimates' ages are read against the snapshot's time
};

} // namespace starling::ui
