#pragma once

#include "consolemodel/eventdescription.h"

#include <QAbstractTableModel>
#include <QJsonObject>

#include <deque>

namespace starling::ui {

// The console's event and audit log: one row per bridge event, oldest first. Two bounded stores
// behind one table, so a flood of cheap events (a transfer_block per block, a strip per slave)
// can never push the audit trail out: operator actions, state changes and failures (State,
// Operator, Failure) keep up to `auditCapacity` rows, transfer, job and other events up to
// `capacity`; each store drops its own oldest row first. Rows of both are shown in arrival
// order, and the view's category filter hides either side.
class EventLogModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventLogModel)

public:
    enum Column
    {
        Time,
        Category,
        Node,
        Who,
        Text,
        ColumnCount
    };
    Q_ENUM(Column)

    enum ItemRole
    {
        TimeMsRole = Qt::UserRole, // qint64, ms since the epoch (0 = unknown)
        CategoryRole,              // consolemodel::EventLine::Category as int
        KindRole                   // the event's kind ("state_changed", ...)
    };

    static constexpr int kDefaultCapacity = 10000;
    static constexpr int kDefaultAuditCapacity = 10000;

    explicit EventLogModel(int capacity = kDefaultCapacity,
                           int auditCapacity = kDefaultAuditCapacity, QObject *parent = nullptr);

    void append(const QJsonObject &event);
    void clear();
    // Rows kept for transfer, job and other events.
    int capacity() const { return m_activity.capacity; }
    // Rows kept for operator actions, state changes and failures.
    int auditCapacity() const { return m_audit.capacity; }
    static bool isAudit(consolemodel::EventLine::Category category);
    // Row `row` (0 = oldest kept); a default EventLine outside the table.
    consolemodel::EventLine line(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Entry
    {
        quint64 seq = 0; // arrival order across both stores
        consolemodel::EventLine line;
    };
    struct Store
    {
        std::deque<Entry> entries;
        int capacity = 1;
    };

    const Entry *entryAt(int row) const;
    // The table row of store's entry `index`: its index plus the other store's older entries.
    int rowOf(const Store &store, size_t index) const;

    Store m_audit;
    Store m_activity;
    quint64 m_nextSeq = 0;
};

} // namespace starling::ui
