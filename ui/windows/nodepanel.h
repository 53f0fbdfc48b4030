#pragma once

#include "cluster/clustersnapshot.h"
#include "consolemodel/nodehistory.h"
#include "consolemodel/taskactivity.h"
#include "models/eventfiltermodel.h"
#include "models/nodework.h"

#include <QDialog>

#include <array>
#include <map>
#include <vector>

QT_BEGIN_NAMESPACE
class QGroupBox;
class QLabel;
class QTableView;
class QTableWidget;
QT_END_NAMESPACE

namespace starling::ui {

class EventLogModel;
class NodeSparkline;

// Everything about one node in one window (issue 17): who and where it is (role, host, data
// server, link, state with who set it, why and since when), its numbers now, their history over
// the console's window, the master's estimates of it with confidence and age, its audit trail
// (operator actions, state changes and failures naming it, from the console's event log), its
// strips in the current and the previous image job, and its blocks of the latest transfer.
// Non-modal; the main window refreshes it with every chart refresh. It holds no pointer into
// a snapshot: when the node leaves the snapshot (or the console changes cluster) it says the
// node is gone and keeps the last values greyed.
class NodePanel final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NodePanel)

public:
    enum Number
    {
        Cpu,
        Memory,
        Sent,
        Received,
        Load,
        LoadRank,
        Weight,
        Assigned,
        Work,
        Measured, // T_i and B_i from the slave's heartbeats
        Heartbeat,
        NumberCount
    };

    // `events` (may be null) is the console's log; the audit trail is a filtered view of it.
    NodePanel(const QString &node, EventLogModel *events, QWidget *parent = nullptr);

    QString nodeName() const { return m_node; }
    void refresh(const cluster::ClusterSnapshot &snapshot, const consolemodel::NodeHistory &history,
                 const consolemodel::TaskActivity &activity, qint64 windowMs);
    bool isGone() const { return m_gone; }
    // No snapshot for a while (the main window's verdict): the values are greyed.
    void setStale(bool stale);
    bool isStale() const { return m_stale; }

    // For tests and screenshots: what is shown.
    QString headerText() const;
    QString numberText(Number number) const;
    // CPU, Memory, TxRate (sent and received together) and Load.
    NodeSparkline *sparkline(consolemodel::Metric metric) const;
    QTableWidget *estimatesTable() const { return m_estimates; }
    QTableView *auditView() const { return m_audit; }
    QTableWidget *taskTable() const { return m_tasks; }
    QString blocksText() const;

private:
    QWidget *buildHeader();
    QGroupBox *buildNumbers();
    QGroupBox *buildHistory();
    QGroupBox *buildEstimates();
    QGroupBox *buildAudit(EventLogModel *events);
    QGroupBox *buildTasks();
    void showHeader(const cluster::NodeView &node);
    void showNumbers(const cluster::NodeView &node, const consolemodel::NodeHistory &history);
    void showHistory(const consolemodel::NodeHistory &history, int rank, qint64 windowMs);
    void showEstimates(const cluster::NodeView &node, qint64 nowMs);
    void showTasks(const consolemodel::TaskActivity &activity, qint64 nowMs);
    void showGone(bool gone);
    void showLiveness();

    QString m_node;
    bool m_gone = false;
    bool m_stale = false;
    qint64 m_lastSeenMs = 0;
    QLabel *m_title = nullptr;
    QLabel *m_where = nullptr;
    QLabel *m_link = nullptr;
    QLabel *m_state = nullptr;
    QGroupBox *m_numbersBox = nullptr;
    QGroupBox *m_historyBox = nullptr;
    std::array<QLabel *, NumberCount> m_numbers{};
    std::map<consolemodel::Metric, NodeSparkline *> m_sparklines;
    QTableWidget *m_estimates = nullptr;
    EventFilterModel m_auditFilter;
    QTableView *m_audit = nullptr;
    QTableWidget *m_tasks = nullptr;
    QLabel *m_blocks = nullptr;
    // The strips of the job before the current one, kept while the panel is open.
    QString m_jobId;
    std::vector<NodeStrip> m_currentStrips;
    std::vector<NodeStrip> m_previousStrips;
};

} // namespace starling::ui
