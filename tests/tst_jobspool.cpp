// The master's job spool: accepted jobs written to disk and read back after a restart, broken
// files set aside, and the board putting restored jobs back in their order.
#include "jobs/jobboard.h"
#include "jobs/jobspool.h"
#include "testimages.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace starling;
using jobs::JobSpec;
using jobs::JobSpool;

namespace {
JobSpec blurSpec(int tasks)
{
    auto spec = JobSpec::fromQuery({{"op", "blur"},
                                    {"sigma", "1.5"},
                                    {"tasks", QByteArray::number(tasks)},
                                    {"strategy", "optimal"},
                                    {"order", "rand"},
                                    {"seed", "42"}},
                                   sched::StrategyKind::Pdds, {});
    return *spec;
}
} // namespace

class TestJobSpool : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_spoolDir = m_dir->filePath(QStringLiteral("jobs"));
    }

    void specRoundTrip()
    {
        const JobSpec spec = blurSpec(77);
        const auto back = JobSpec::fromJson(spec.toJson());
        QVERIFY2(back, qPrintable(back.error()));
        QCOMPARE(back->toJson(), spec.toJson());
        const auto median = JobSpec::fromQuery({{"op", "median"}, {"radius", "3"}},
                                               sched::StrategyKind::Dynamic, {2, 0.5});
        QCOMPARE(JobSpec::fromJson(median->toJson())->toJson(), median->toJson());
        // Garbage is refused with the query's rules.
        QJsonObject bad = spec.toJson();
        bad[QStringLiteral("tasks")] = 0;
        QVERIFY(!JobSpec::fromJson(bad));
        bad = spec.toJson();
        bad[QStringLiteral("strategy")] = QStringLiteral("fastest");
        QVERIFY(!JobSpec::fromJson(bad));
        QVERIFY(!JobSpec::fromJson({}));
    }

    void saveAndLoad()
    {
        const JobSpool spool(m_spoolDir);
        const image::ImageBuffer a = testing::noiseImage(31, 17, 3, 1);
        const image::ImageBuffer b = testing::noiseImage(5, 90, 1, 2);
        QVERIFY(spool.save(QStringLiteral("job-7"), blurSpec(10), a, 2000));
        QVERIFY(spool.save(QStringLiteral("job-3"), blurSpec(20), b, 1000));
        QCOMPARE(QFileInfo(m_spoolDir).permissions() & 0x0077, QFileDevice::Permissions{});
        QCOMPARE(QFile(m_spoolDir + QStringLiteral("/job-7.pixels")).permissions() &
                     (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions{});
        QStringList warnings;
        const auto entries = spool.load(warnings);
        QVERIFY(warnings.isEmpty());
        QCOMPARE(entries.size(), size_t(2));
        QCOMPARE(entries[0].id, QStringLiteral("job-3")); // submitted first
        QVERIFY(entries[0].input == b);
        QCOMPARE(entries[0].spec.tasks, 20);
        QCOMPARE(entries[1].id, QStringLiteral("job-7"));
        QVERIFY(entries[1].input == a);
        QCOMPARE(entries[1].submittedAtMs, qint64(2000));
        spool.remove(QStringLiteral("job-3"));
        QCOMPARE(spool.load(warnings).size(), size_t(1));
        QVERIFY(!QFile::exists(m_spoolDir + QStringLiteral("/job-3.pixels")));
    }

    void brokenFilesAreSetAside_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::newRow("truncated pixels") << "truncate";
        QTest::newRow("missing pixels") << "nopixels";
        QTest::newRow("garbage record") << "garbage";
        QTest::newRow("id mismatch") << "id";
        QTest::newRow("oversized record") << "oversized";
        QTest::newRow("bad spec") << "spec";
    }

    void brokenFilesAreSetAside()
    {
        QFETCH(QString, damage);
        const JobSpool spool(m_spoolDir);
        QVERIFY(
            spool.save(QStringLiteral("job-1"), blurSpec(5), testing::noiseImage(8, 8, 1, 3), 1));
        QVERIFY(
            spool.save(QStringLiteral("job-2"), blurSpec(5), testing::noiseImage(8, 8, 1, 4), 2));
        const QString record = m_spoolDir + QStringLiteral("/job-1.json");
        const QString pixels = m_spoolDir + QStringLiteral("/job-1.pixels");
        QFile file(damage == QLatin1String("truncate") || damage == QLatin1String("nopixels")
                       ? pixels
                       : record);
        if (damage == QLatin1String("nopixels")) {
            QVERIFY(file.remove());
        } else if (damage == QLatin1String("truncate")) {
            QVERIFY(file.resize(63));
        } else {
            QVERIFY(file.open(QIODevice::ReadWrite));
            QByteArray text = file.readAll();
            if (damage == QLatin1String("garbage"))
                text = "{\"id\": \"job-1\", \"spec\": ";
            else if (damage == QLatin1String("id"))
                text.replace("\"job-1\"", "\"job-9\"");
            else if (damage == QLatin1String("oversized"))
                text = QByteArray(JobSpool::kMaxRecordBytes + 1, ' ');
            else
                text.replace("\"optimal\"", "\"fastest\"");
            QVERIFY(file.resize(0));
            file.write(text);
            file.close();
        }
        QStringList warnings;
        const auto entries = spool.load(warnings);
        QCOMPARE(entries.size(), size_t(1)); // the sound one still loads
        QCOMPARE(entries[0].id, QStringLiteral("job-2"));
        QCOMPARE(warnings.size(), 1);
        QVERIFY(QFile::exists(record + QStringLiteral(".bad")));
        QVERIFY(!QFile::exists(record));
        QVERIFY(spool.load(warnings).size() == 1); // and it is not read again
    }

    void boardRestoresAndSpoolsUntilTheEnd()
    {
        const JobSpool spool(m_spoolDir);
        jobs::JobBoard board({2, 4});
        board.setSpool(&spool);
        const auto first = board.submit(blurSpec(4), testing::noiseImage(8, 8, 1, 5), 10);
        const auto second = board.submit(blurSpec(4), testing::noiseImage(8, 8, 1, 6), 11);
        QVERIFY(first && second);
        QStringList warnings;
        QCOMPARE(spool.load(warnings).size(), size_t(2));
        // One runs and fails: it leaves the spool.
        const auto running = board.startNext(12);
        QCOMPARE(running->id, *first);
        board.fail(*first, QStringLiteral("boom"), 13);
        QCOMPARE(spool.load(warnings).size(), size_t(1));
        // The master stops: the spool is let go first, so a job failed by the shutdown stays.
        QCOMPARE(board.startNext(14)->id, *second);
        board.setSpool(nullptr);
        board.fail(*second, QStringLiteral("the cluster shut down"), 15);
        auto kept = spool.load(warnings);
        QCOMPARE(kept.size(), size_t(1));

        // A new master restores it, queued under its id, and queues new jobs after it.
        jobs::JobBoard restarted({2, 4});
        restarted.restore(std::move(kept.front()));
        restarted.setSpool(&spool);
        QCOMPARE(restarted.status(*second)->value(u"state").toString(), QStringLiteral("queued"));
        QCOMPARE(restarted.queuedCount(), 1);
        const auto third = restarted.submit(blurSpec(4), testing::noiseImage(8, 8, 1, 7), 20);
        QVERIFY(third);
        QVERIFY(*third != *first && *third != *second);
        QCOMPARE(restarted.startNext(21)->id, *second); // the restored one goes first
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_spoolDir;
};

QTEST_GUILESS_MAIN(TestJobSpool)
#include "tst_jobspool.moc"
