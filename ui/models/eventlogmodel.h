#pragma once

#include "consolemodel/eventdescription.h"

#include <QAbstractTableModel>
#include <QJsonObject>

#include <deque>

namespace starling::ui {

// The console's event and audit log: one row per bridge event, oldest first, at most
// `capacity` rows (the oldest is dropped first), so a console left open for days stays small.
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

    explicit EventLogModel(int capacity = kDefaultCapacity, QObject *parent = nullptr);

    void append(const QJsonObject &event);
    void clear();
    int capacity() const { return m_capacity; }
    // Row `row` (0 = oldest kept); a default EventLine outside the table.
    consolemodel::EventLine line(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::deque<consolemodel::EventLine> m_lines;
    int m_capacity;
};

} // namespace starling::ui
