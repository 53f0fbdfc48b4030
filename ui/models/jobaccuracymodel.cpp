#include "jobaccuracymodel.h"

#include "models/nodetablemodel.h"
#include "util/valueformat.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace starling::ui {

namespace {

using consolemodel::FinishedJob;

constexpr std::array<const char *, JobAccuracyModel::ColumnCount> kTitles{
    {"Job", "Op", "Strategy", "Predicted", "Measured", "Off by"}};

QString signedPercent(double fraction)
{
    const long long percent = std::llround(fraction * 100);
    return QStringLiteral("%1%2%").arg(percent > 0 ? QStringLiteral("+") : QString()).arg(percent);
}

} // namespace

JobAccuracyModel::JobAccuracyModel(QObject *parent) : QAbstractTableModel(parent) {}

void JobAccuracyModel::setJobs(const std::deque<FinishedJob> &jobs)
{
    const size_t shown = std::min(jobs.size(), size_t(kShownJobs));
    // Jobs only ever arrive at the end: the same newest job and count means nothing changed.
    if (shown == m_jobs.size() && (shown == 0 || (m_jobs.front().id == jobs.back().id &&
                                                  m_jobs.front().endedMs == jobs.back().endedMs)))
        return;
    beginResetModel();
    m_jobs.assign(jobs.rbegin(), jobs.rbegin() + std::ptrdiff_t(shown));
    endResetModel();
}

void JobAccuracyModel::setTolerance(double tolerance)
{
    m_tolerance = tolerance;
    if (!m_jobs.empty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

bool JobAccuracyModel::isOff(int row) const
{
    if (row < 0 || row >= rowCount())
        return false;
    const auto error = m_jobs[size_t(row)].predictionError();
    return error && std::fabs(*error) > m_tolerance;
}

int JobAccuracyModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_jobs.size());
}

int JobAccuracyModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant JobAccuracyModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const FinishedJob &job = m_jobs[size_t(index.row())];
    const bool off = isOff(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(job, index.column());
    case Qt::ToolTipRole:
        return toolTip(job);
    case Qt::BackgroundRole:
        return off && index.column() == Error ? QVariant(NodeTableModel::warnColour()) : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() <= Strategy ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                          : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case SortRole:
        return sortValue(job, index.column());
    case OffRole:
        return off;
    default:
        return {};
    }
}

QVariant JobAccuracyModel::display(const FinishedJob &job, int column) const
{
    const auto error = job.predictionError();
    switch (column) {
    case Job:
        return job.id;
    case Op:
        return job.op;
    case Strategy:
        return job.label();
    case Predicted:
        return job.predictedS > 0 ? util::formatSeconds(job.predictedS) : QStringLiteral("-");
    case Measured:
        return util::formatSeconds(job.makespanS);
    case Error: {
        if (!error)
            return QStringLiteral("-");
        const QString mark = std::fabs(*error) > m_tolerance ? QStringLiteral(" ⚠") : QString();
        return QString(signedPercent(*error) + mark);
    }
    default:
        return {};
    }
}

QVariant JobAccuracyModel::sortValue(const FinishedJob &job, int column) const
{
    switch (column) {
    case Predicted:
        return job.predictedS;
    case Measured:
        return job.makespanS;
    case Error:
        return job.predictionError().value_or(0);
    default:
        return display(job, column);
    }
}

QString JobAccuracyModel::toolTip(const FinishedJob &job) const
{
    const auto error = job.predictionError();
    if (!error)
        return tr("%1: the master gave no prediction for this job").arg(job.id);
    const QString verdict =
        std::fabs(*error) > m_tolerance
            ? tr("The model is off by more than %1: the estimates feeding the strategies do not "
                 "match this workload (see each slave's estimate and its confidence).")
                  .arg(util::formatPercent(m_tolerance))
            : tr("Within %1 of the prediction.").arg(util::formatPercent(m_tolerance));
    return tr("%1 (%2, %3): predicted %4, measured %5, %6\n%7")
        .arg(job.id, job.op, job.label(), util::formatSeconds(job.predictedS),
             util::formatSeconds(job.makespanS), signedPercent(*error), verdict);
}

QVariant JobAccuracyModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole)
        return tr(kTitles[size_t(section)]);
    if (role == Qt::ToolTipRole && section == Error)
        return tr("(measured - predicted) / predicted makespan; ⚠ past %1")
            .arg(util::formatPercent(m_tolerance));
    return {};
}

} // namespace starling::ui
