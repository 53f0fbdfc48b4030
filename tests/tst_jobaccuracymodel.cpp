// JobAccuracyModel: predicted against measured makespan per finished job, newest first, bounded;
// a job the model missed by more than the tolerance is flagged (OffRole, amber cell, a mark and
// a tooltip that says so); a job without a prediction shows "-", never a ratio against zero.
// Runs under QAbstractItemModelTester.
#include "models/jobaccuracymodel.h"
#include "models/nodetablemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using starling::consolemodel::FinishedJob;
using starling::ui::JobAccuracyModel;

namespace {

FinishedJob job(const QString &id, double predictedS, double makespanS)
{
    FinishedJob j;
    j.id = id;
    j.op = QStringLiteral("median");
    j.strategy = QStringLiteral("optimal");
    j.order = QStringLiteral("dec");
    j.units = 100;
    j.predictedS = predictedS;
    j.makespanS = makespanS;
    j.endedMs = 1'700'000'000'000 + id.size();
    return j;
}

} // namespace

class TestJobAccuracyModel final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<JobAccuracyModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    QVariant cell(int row, int column, int role = Qt::DisplayRole) const
    {
        return m_model->index(row, column).data(role);
    }

private slots:
    void init()
    {
        m_model = std::make_unique<JobAccuracyModel>();
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    }
    void cleanup()
    {
        m_tester.reset();
        m_model.reset();
    }

    void predictedAgainstMeasured()
    {
        // Oldest first, as TaskActivity keeps them.
        const std::deque<FinishedJob> jobs{
            job(QStringLiteral("j-1"), 2.0, 2.2), job(QStringLiteral("j-22"), 2.0, 3.0),
            job(QStringLiteral("j-333"), 0, 1.5), job(QStringLiteral("j-4444"), 4.0, 2.0)};
        m_model->setJobs(jobs);
        QCOMPARE(m_model->rowCount(), 4);
        QCOMPARE(cell(0, JobAccuracyModel::Job).toString(), QStringLiteral("j-4444"));
        QCOMPARE(cell(3, JobAccuracyModel::Job).toString(), QStringLiteral("j-1"));
        QCOMPARE(cell(3, JobAccuracyModel::Op).toString(), QStringLiteral("median"));
        QCOMPARE(cell(3, JobAccuracyModel::Strategy).toString(), QStringLiteral("optimal/dec"));
        QCOMPARE(cell(3, JobAccuracyModel::Predicted).toString(), QStringLiteral("2.00 s"));
        QCOMPARE(cell(3, JobAccuracyModel::Measured).toString(), QStringLiteral("2.20 s"));

        // Within 25%: not flagged.
        QCOMPARE(cell(3, JobAccuracyModel::Error).toString(), QStringLiteral("+10%"));
        QVERIFY(!cell(3, JobAccuracyModel::Error, JobAccuracyModel::OffRole).toBool());
        QVERIFY(!cell(3, JobAccuracyModel::Error, Qt::BackgroundRole).isValid());
        // 50% slower and 50% faster than predicted: both flagged.
        for (const int row : {0, 2}) {
            QVERIFY(cell(row, JobAccuracyModel::Error, JobAccuracyModel::OffRole).toBool());
            QCOMPARE(cell(row, JobAccuracyModel::Error, Qt::BackgroundRole),
                     QVariant(starling::ui::NodeTableModel::warnColour()));
            QVERIFY(cell(row, JobAccuracyModel::Error).toString().endsWith(QStringLiteral("⚠")));
            QVERIFY(cell(row, JobAccuracyModel::Job, Qt::ToolTipRole)
                        .toString()
                        .contains(QStringLiteral("off by more than 25%")));
        }
        QCOMPARE(cell(2, JobAccuracyModel::Error).toString(), QStringLiteral("+50% ⚠"));
        QCOMPARE(cell(0, JobAccuracyModel::Error).toString(), QStringLiteral("-50% ⚠"));
        QCOMPARE(cell(0, JobAccuracyModel::Error, JobAccuracyModel::SortRole).toDouble(), -0.5);
        // No prediction: no ratio, no flag.
        QCOMPARE(cell(1, JobAccuracyModel::Predicted).toString(), QStringLiteral("-"));
        QCOMPARE(cell(1, JobAccuracyModel::Error).toString(), QStringLiteral("-"));
        QVERIFY(!cell(1, JobAccuracyModel::Error, JobAccuracyModel::OffRole).toBool());

        // A looser tolerance unflags the 50% misses.
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        m_model->setTolerance(0.6);
        QCOMPARE(changed.count(), 1);
        QVERIFY(!cell(0, JobAccuracyModel::Error, JobAccuracyModel::OffRole).toBool());
    }

    void keepsTheNewestJobsOnly()
    {
        std::deque<FinishedJob> jobs;
        for (int i = 0; i < JobAccuracyModel::kShownJobs + 20; ++i)
            jobs.push_back(job(QStringLiteral("j-%1").arg(i), 1.0, 1.0));
        m_model->setJobs(jobs);
        QCOMPARE(m_model->rowCount(), JobAccuracyModel::kShownJobs);
        QCOMPARE(cell(0, JobAccuracyModel::Job).toString(),
                 QStringLiteral("j-%1").arg(JobAccuracyModel::kShownJobs + 19));
        QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
        m_model->setJobs(jobs); // nothing new: no reset, the view keeps its selection
        QCOMPARE(reset.count(), 0);
        jobs.push_back(job(QStringLiteral("j-new"), 1.0, 1.0));
        m_model->setJobs(jobs);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(cell(0, JobAccuracyModel::Job).toString(), QStringLiteral("j-new"));
    }
};

QTEST_MAIN(TestJobAccuracyModel)
#include "tst_jobaccuracymodel.moc"
