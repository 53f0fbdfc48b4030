#pragma once

#include "consolemodel/taskactivity.h"

#include <QAbstractTableModel>

#include <deque>
#include <vector>

namespace starling::ui {

// Predicted against measured, per job: the recent finished image jobs, newest first, with the
// makespan the master's simulator predicted at job_started and the one job_done measured, and
// how far the model was off. A job off by more than the tolerance is flagged (amber ratio cell,
// OffRole true), so an operator sees when the estimates feeding the strategies are wrong.
class JobAccuracyModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JobAccuracyModel)

public:
    enum Column
    {
        Job,
        Op,
        Strategy,
        Predicted,
        Measured,
        Error,
        ColumnCount
    };
    Q_ENUM(Column)

    enum ItemRole
    {
        SortRole = Qt::UserRole, // raw number or string
        OffRole                  // bool: the prediction was off by more than the tolerance
    };

    static constexpr int kShownJobs = 50;

    explicit JobAccuracyModel(QObject *parent = nullptr);

    void setJobs(const std::deque<consolemodel::FinishedJob> &jobs);
    // |measured - predicted| / predicted above this flags the job; 0.25 by default.
    void setTolerance(double tolerance);
    double tolerance() const { return m_tolerance; }
    bool isOff(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVariant display(const consolemodel::FinishedJob &job, int column) const;
    QVariant sortValue(const consolemodel::FinishedJob &job, int column) const;
    QString toolTip(const consolemodel::FinishedJob &job) const;

    std::vector<consolemodel::FinishedJob> m_jobs; // newest first
    double m_tolerance = 0.25;
};

} // namespace starling::ui
