// EventLogModel keeps the newest events up to its capacity (dropping the oldest with
// rowsRemoved), shows them as Time/Category/Node/Who/Text, and EventFilterModel narrows them
// by category, node and text. Both models run under QAbstractItemModelTester. Operator actions,
// state changes and failures have a store of their own that no flood of transfer or job events
// can push out.
#include "models/eventfiltermodel.h"
#include "models/eventlogmodel.h"
#include "protocol/nodeevents.h"
#include "protocol/transferevents.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using starling::consolemodel::describeEvent;
using starling::consolemodel::EventLine;
using starling::ui::EventFilterModel;
using starling::ui::EventLogModel;
using Category = EventLine::Category;

namespace {

QJsonObject wireEvent(const char *kind, const char *node, qint64 timeMs, const char *by = nullptr)
{
    QJsonObject e{{QStringLiteral("kind"), QLatin1String(kind)},
                  {QStringLiteral("node"), QLatin1String(node)},
                  {QStringLiteral("time_ms"), double(timeMs)}};
    if (by)
        e.insert(QStringLiteral("by"), QLatin1String(by));
    return e;
}

QJsonObject numbered(int i)
{
    return {{QStringLiteral("kind"), QStringLiteral("job_failed")},
            {QStringLiteral("job"), QStringLiteral("job-%1").arg(i)},
            {QStringLiteral("error"), QStringLiteral("boom")},
            {QStringLiteral("time_ms"), 1795337310000.0 + i}};
}

QJsonObject drainEvent(qint64 timeMs)
{
    starling::protocol::StateChangedEvent drain;
    drain.timeMs = timeMs;
    drain.by = QStringLiteral("alice");
    drain.reason = QStringLiteral("disk swap");
    drain.node = QStringLiteral("slave-3");
    drain.from = QStringLiteral("ACTIVE");
    drain.to = QStringLiteral("DRAINING");
    return drain.toJson();
}

QJsonObject blockEvent(qint64 block)
{
    starling::protocol::TransferBlockEvent sent;
    sent.timeMs = 1795337310000 + block;
    sent.transferId = QStringLiteral("t-1");
    sent.block = block;
    sent.bytes = 1 << 20;
    sent.complete = true;
    sent.status = 206;
    sent.node = QStringLiteral("slave-2");
    return sent.toJson();
}

QStringList column(const QAbstractItemModel &model, int col)
{
    QStringList list;
    for (int row = 0; row < model.rowCount(); ++row)
        list << model.index(row, col).data().toString();
    return list;
}

} // namespace

class TestEventLogModel final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<EventLogModel> m_log;
    std::unique_ptr<EventFilterModel> m_filter;
    std::unique_ptr<QAbstractItemModelTester> m_logTester;
    std::unique_ptr<QAbstractItemModelTester> m_filterTester;

    void make(int capacity)
    {
        m_filterTester.reset();
        m_logTester.reset();
        m_filter.reset();
        m_log = std::make_unique<EventLogModel>(capacity);
        m_filter = std::make_unique<EventFilterModel>();
        m_filter->setSourceModel(m_log.get());
        m_logTester = std::make_unique<QAbstractItemModelTester>(
            m_log.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_filterTester = std::make_unique<QAbstractItemModelTester>(
            m_filter.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    }

    // A small mixed log: state changes, operator actions, failures, a job, an unknown kind.
    void fillMixed()
    {
        make(100);
        const qint64 t = 1795337310000;
        QJsonObject drain = wireEvent("state_changed", "slave-3", t, "alice");
        drain.insert(QStringLiteral("from"), QStringLiteral("ACTIVE"));
        drain.insert(QStringLiteral("to"), QStringLiteral("DRAINING"));
        drain.insert(QStringLiteral("reason"), QStringLiteral("Disk Swap"));
        m_log->append(drain);
        QJsonObject weight = wireEvent("weight_changed", "slave-2", t + 1, "bob");
        weight.insert(QStringLiteral("from"), 1);
        weight.insert(QStringLiteral("to"), 2);
        m_log->append(weight);
        m_log->append(wireEvent("node_suspect", "slave-4", t + 2, "detector"));
        m_log->append(wireEvent("node_down", "slave-4", t + 3, "detector"));
        QJsonObject done{{QStringLiteral("kind"), QStringLiteral("job_done")},
                         {QStringLiteral("job"), QStringLiteral("job-4")},
                         {QStringLiteral("makespan_s"), 1.72},
                         {QStringLiteral("time_ms"), double(t + 4)}};
        m_log->append(done);
        m_log->append(wireEvent("disk_full", "slave-3", t + 5));
    }

private slots:
    void cleanup()
    {
        m_filterTester.reset();
        m_logTester.reset();
        m_filter.reset();
        m_log.reset();
    }

    void showsColumns()
    {
        make(10);
        const qint64 t = QDateTime(QDate(2026, 3, 4), QTime(12, 30, 5, 42)).toMSecsSinceEpoch();
        QJsonObject drain = wireEvent("state_changed", "slave-3", t, "alice");
        drain.insert(QStringLiteral("from"), QStringLiteral("ACTIVE"));
        drain.insert(QStringLiteral("to"), QStringLiteral("DRAINING"));
        drain.insert(QStringLiteral("reason"), QStringLiteral("disk swap"));
        QSignalSpy inserted(m_log.get(), &QAbstractItemModel::rowsInserted);
        m_log->append(drain);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(m_log->rowCount(), 1);
        const auto at = [&](int col, int role = Qt::DisplayRole) {
            return m_log->index(0, col).data(role);
        };
        QCOMPARE(at(EventLogModel::Time).toString(), QStringLiteral("12:30:05.042"));
        QCOMPARE(at(EventLogModel::Category).toString(), QStringLiteral("State"));
        QCOMPARE(at(EventLogModel::Node).toString(), QStringLiteral("slave-3"));
        QCOMPARE(at(EventLogModel::Who).toString(), QStringLiteral("alice"));
        QCOMPARE(at(EventLogModel::Who, Qt::ToolTipRole).toString(), QStringLiteral("disk swap"));
        QCOMPARE(at(EventLogModel::Text).toString(),
                 QStringLiteral("slave-3 ACTIVE -> DRAINING (by alice: disk swap)"));
        QCOMPARE(at(EventLogModel::Time, EventLogModel::TimeMsRole).toLongLong(), t);
        QCOMPARE(at(EventLogModel::Text, EventLogModel::CategoryRole).toInt(),
                 int(Category::State));
        QCOMPARE(at(EventLogModel::Text, EventLogModel::KindRole).toString(),
                 QStringLiteral("state_changed"));
        QCOMPARE(m_log->line(0).by, QStringLiteral("alice"));
        QCOMPARE(m_log->line(1).text, QString()); // outside the table
        QCOMPARE(m_log->headerData(EventLogModel::Who, Qt::Horizontal).toString(),
                 QStringLiteral("Who"));

        // An event without a time says so instead of showing 1970.
        m_log->append(QJsonObject{{QStringLiteral("kind"), QStringLiteral("shutdown")}});
        QCOMPARE(m_log->index(1, EventLogModel::Time).data().toString(), QStringLiteral("-"));
    }

    void boundedDropsTheOldest()
    {
        make(3);
        QCOMPARE(m_log->capacity(), 3);
        QSignalSpy removed(m_log.get(), &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(m_log.get(), &QAbstractItemModel::modelReset);
        for (int i = 1; i <= 3; ++i)
            m_log->append(numbered(i));
        QCOMPARE(removed.count(), 0);
        for (int i = 4; i <= 7; ++i)
            m_log->append(numbered(i));
        QCOMPARE(m_log->rowCount(), 3);
        QCOMPARE(removed.count(), 4);
        for (const QList<QVariant> &args : removed) {
            QCOMPARE(args.at(1).toInt(), 0); // always the oldest row
            QCOMPARE(args.at(2).toInt(), 0);
        }
        QCOMPARE(reset.count(), 0);
        QCOMPARE(m_log->line(0).text, QStringLiteral("job-5 failed: boom"));
        QCOMPARE(m_log->line(2).text, QStringLiteral("job-7 failed: boom"));
        QCOMPARE(m_filter->rowCount(), 3);
    }

    void defaultAndNonsenseCapacity()
    {
        EventLogModel standard;
        QCOMPARE(standard.capacity(), 10000);
        make(0); // at least one row is kept
        QCOMPARE(m_log->capacity(), 1);
        m_log->append(numbered(1));
        m_log->append(numbered(2));
        QCOMPARE(m_log->rowCount(), 1);
        QCOMPARE(m_log->line(0).text, QStringLiteral("job-2 failed: boom"));
    }

    // The flood: 100k transfer_block events after a drain. Before the split the drain
    // was gone after the first 10000 of them.
    void auditTrailSurvivesAFlood()
    {
        make(EventLogModel::kDefaultCapacity);
        // The tester's and the proxy's per-row work would make 100k rows slow, not wrong.
        m_filterTester.reset();
        m_logTester.reset();
        m_filter.reset();
        m_log->append(drainEvent(1795337300000));
        constexpr int kFlood = 100000;
        for (int i = 0; i < kFlood; ++i)
            m_log->append(blockEvent(i));
        QCOMPARE(m_log->rowCount(), 1 + EventLogModel::kDefaultCapacity);
        QCOMPARE(m_log->line(0).kind, QStringLiteral("state_changed"));
        QCOMPARE(m_log->line(0).by, QStringLiteral("alice"));
        // The newest transfer rows are kept, in order, after it.
        QCOMPARE(m_log->line(1).text, describeEvent(blockEvent(kFlood - 10000)).text);
        QCOMPARE(m_log->line(10000).text, describeEvent(blockEvent(kFlood - 1)).text);
        m_filter = std::make_unique<EventFilterModel>();
        m_filter->setSourceModel(m_log.get());
        m_filter->setCategories({Category::State, Category::Operator, Category::Failure});
        QCOMPARE(m_filter->rowCount(), 1);
        QCOMPARE(m_filter->index(0, EventLogModel::Who).data().toString(), QStringLiteral("alice"));
    }

    // Each store drops its own oldest row; the table stays in arrival order and every removal
    // names the row that really went (QAbstractItemModelTester checks the signals).
    void storesAreBoundedApartInArrivalOrder()
    {
        m_filterTester.reset();
        m_logTester.reset();
        m_filter.reset();
        m_log = std::make_unique<EventLogModel>(3, 2);
        m_logTester = std::make_unique<QAbstractItemModelTester>(
            m_log.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(m_log->capacity(), 3);
        QCOMPARE(m_log->auditCapacity(), 2);
        QSignalSpy removed(m_log.get(), &QAbstractItemModel::rowsRemoved);
        m_log->append(drainEvent(1795337300000 + 1)); // audit A1
        m_log->append(numbered(1));                   // job J1
        m_log->append(numbered(2));                   // J2
        m_log->append(drainEvent(1795337300000 + 2)); // A2
        m_log->append(numbered(3));                   // J3
        QCOMPARE(removed.count(), 0);
        m_log->append(numbered(4)); // J1 (row 1) goes
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.last().at(1).toInt(), 1);
        m_log->append(drainEvent(1795337300000 + 3)); // A1 (row 0) goes
        QCOMPARE(removed.last().at(1).toInt(), 0);
        QStringList kinds;
        for (int row = 0; row < m_log->rowCount(); ++row)
            kinds << m_log->line(row).kind + QLatin1Char(':') +
                         QString::number(m_log->line(row).timeMs % 1000);
        QCOMPARE(kinds,
                 (QStringList{QStringLiteral("job_failed:2"), QStringLiteral("state_changed:2"),
                              QStringLiteral("job_failed:3"), QStringLiteral("job_failed:4"),
                              QStringLiteral("state_changed:3")}));
        QCOMPARE(m_log->line(5).kind, QString()); // outside the table
    }

    void clearEmptiesTheLog()
    {
        fillMixed();
        m_log->clear();
        QCOMPARE(m_log->rowCount(), 0);
        QCOMPARE(m_filter->rowCount(), 0);
        m_log->append(numbered(1));
        QCOMPARE(m_filter->rowCount(), 1);
    }

    void filtersByCategory_data()
    {
        QTest::addColumn<QList<Category>>("categories");
        QTest::addColumn<QStringList>("kinds");
        QTest::newRow("all")
            << QList<Category>{Category::State,    Category::Operator, Category::Failure,
                               Category::Transfer, Category::Job,      Category::Other}
            << QStringList{QStringLiteral("state_changed"), QStringLiteral("weight_changed"),
                           QStringLiteral("node_suspect"),  QStringLiteral("node_down"),
                           QStringLiteral("job_done"),      QStringLiteral("disk_full")};
        QTest::newRow("failures") << QList<Category>{Category::Failure}
                                  << QStringList{QStringLiteral("node_suspect"),
                                                 QStringLiteral("node_down")};
        QTest::newRow("audit: state and operator")
            << QList<Category>{Category::State, Category::Operator}
            << QStringList{QStringLiteral("state_changed"), QStringLiteral("weight_changed")};
        QTest::newRow("other") << QList<Category>{Category::Other}
                               << QStringList{QStringLiteral("disk_full")};
        QTest::newRow("transfers (none)") << QList<Category>{Category::Transfer} << QStringList{};
        QTest::newRow("nothing") << QList<Category>{} << QStringList{};
    }
    void filtersByCategory()
    {
        QFETCH(QList<Category>, categories);
        QFETCH(QStringList, kinds);
        fillMixed();
        m_filter->setCategories(categories);
        QStringList shown;
        for (int row = 0; row < m_filter->rowCount(); ++row)
            shown << m_filter->index(row, 0).data(EventLogModel::KindRole).toString();
        QCOMPARE(shown, kinds);
        QCOMPARE(m_filter->categories().size(), categories.size());
    }

    void categoryToggles()
    {
        fillMixed();
        QCOMPARE(m_filter->rowCount(), 6);
        QVERIFY(m_filter->isCategoryVisible(Category::Job));
        m_filter->setCategoryVisible(Category::Failure, false);
        QCOMPARE(m_filter->rowCount(), 4);
        QVERIFY(!m_filter->isCategoryVisible(Category::Failure));
        m_filter->setCategoryVisible(Category::Failure, true);
        QCOMPARE(m_filter->rowCount(), 6);
        // New events go through the same filter.
        m_filter->setCategories({Category::Job});
        m_log->append(numbered(9));
        m_log->append(wireEvent("node_back", "slave-4", 1795337320000, "detector"));
        QCOMPARE(column(*m_filter, EventLogModel::Text),
                 (QStringList{QStringLiteral("job-4 done in 1.72 s"),
                              QStringLiteral("job-9 failed: boom")}));
    }

    void filtersByNode_data()
    {
        QTest::addColumn<QString>("node");
        QTest::addColumn<int>("rows");
        QTest::newRow("all") << QString() << 6;
        QTest::newRow("slave-3") << QStringLiteral("slave-3") << 2;
        QTest::newRow("case and spaces") << QStringLiteral(" SLAVE-4 ") << 2;
        QTest::newRow("no prefix match") << QStringLiteral("slave") << 0;
        QTest::newRow("unknown") << QStringLiteral("slave-9") << 0;
    }
    void filtersByNode()
    {
        QFETCH(QString, node);
        QFETCH(int, rows);
        fillMixed();
        m_filter->setNodeFilter(node);
        QCOMPARE(m_filter->rowCount(), rows);
        for (int row = 0; row < m_filter->rowCount() && !node.isEmpty(); ++row) {
            QCOMPARE(m_filter->index(row, EventLogModel::Node).data().toString(),
                     node.trimmed().toLower());
        }
    }

    void filtersByText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("kinds");
        QTest::newRow("empty: all")
            << QString()
            << QStringList{QStringLiteral("state_changed"), QStringLiteral("weight_changed"),
                           QStringLiteral("node_suspect"),  QStringLiteral("node_down"),
                           QStringLiteral("job_done"),      QStringLiteral("disk_full")};
        QTest::newRow("in the text, any case")
            << QStringLiteral("DISK SWAP") << QStringList{QStringLiteral("state_changed")};
        QTest::newRow("who") << QStringLiteral("bob")
                             << QStringList{QStringLiteral("weight_changed")};
        QTest::newRow("detector") << QStringLiteral("Detector")
                                  << QStringList{QStringLiteral("node_suspect"),
                                                 QStringLiteral("node_down")};
        QTest::newRow("category name")
            << QStringLiteral("job") << QStringList{QStringLiteral("job_done")};
        QTest::newRow("nothing matches") << QStringLiteral("zebra") << QStringList{};
    }
    void filtersByText()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, kinds);
        fillMixed();
        m_filter->setTextFilter(text);
        QCOMPARE(m_filter->textFilter(), text);
        QStringList shown;
        for (int row = 0; row < m_filter->rowCount(); ++row)
            shown << m_filter->index(row, 0).data(EventLogModel::KindRole).toString();
        QCOMPARE(shown, kinds);
    }

    void filtersCombine()
    {
        fillMixed();
        m_filter->setNodeFilter(QStringLiteral("slave-3"));
        m_filter->setCategories({Category::State, Category::Other});
        QCOMPARE(m_filter->rowCount(), 2);
        m_filter->setTextFilter(QStringLiteral("drain"));
        QCOMPARE(m_filter->rowCount(), 1);
        QCOMPARE(m_filter->index(0, EventLogModel::Category).data().toString(),
                 QStringLiteral("State"));
        m_filter->setCategories({Category::Other});
        QCOMPARE(m_filter->rowCount(), 0);
        // Dropping the oldest rows of the source keeps the proxy consistent.
        m_filter->setTextFilter(QString());
        m_filter->setNodeFilter(QString());
        m_filter->setCategories({Category::Job});
        for (int i = 0; i < 150; ++i)
            m_log->append(numbered(i));
        // 100 job and other rows; the 4 audit rows of fillMixed() are not pushed out by them.
        QCOMPARE(m_log->rowCount(), 104);
        QCOMPARE(m_filter->rowCount(), 100);
        QCOMPARE(m_filter->index(0, EventLogModel::Text).data().toString(),
                 QStringLiteral("job-50 failed: boom"));
    }
};

QTEST_MAIN(TestEventLogModel)
#include "tst_eventlogmodel.moc"
