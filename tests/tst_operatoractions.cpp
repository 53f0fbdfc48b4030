// Operator actions from the console: one command per selected node with the fields the
// protocol wants, every answer reported in words (refusals with the cluster's code and
// message, never swallowed), and the weight preview's shares before and after.
#include "consolemodel/operatoractions.h"
#include "consolemodel/weightpreview.h"
#include "fakeclustersource.h"

#include <QSignalSpy>
#include <QTest>

using namespace starling;
using namespace starling::consolemodel;
using starling::testing::FakeClusterSource;

class TestOperatorActions : public QObject
{
    Q_OBJECT

private slots:
    void drainSendsOneCommandPerNodeAndReportsEachAnswer()
    {
        FakeClusterSource source;
        OperatorActions actions(&source);
        QSignalSpy answered(&actions, &OperatorActions::answered);
        actions.drain({QStringLiteral("slave-3"), QStringLiteral("slave-4")},
                      QStringLiteral("disk swap"));
        QCOMPARE(source.commands.size(), 2);
        QCOMPARE(actions.pending(), 2);
        for (int i = 0; i < 2; ++i) {
            const QJsonObject c = source.commands[i];
            QCOMPARE(c.value(u"op").toString(), QStringLiteral("drain"));
            QCOMPARE(c.value(u"node").toString(), QStringLiteral("slave-%1").arg(3 + i));
            QCOMPARE(c.value(u"reason").toString(), QStringLiteral("disk swap"));
        }
        source.ack(source.commands[0], {{QStringLiteral("node"), QStringLiteral("slave-3")},
                                        {QStringLiteral("state"), QStringLiteral("DRAINING")},
                                        {QStringLiteral("assigned"), 2}});
        source.refuse(source.commands[1], QStringLiteral("bad_state"),
                      QStringLiteral("slave-4 is already DRAINED"));
        QCOMPARE(answered.size(), 2);
        QCOMPARE(answered[0][0].toString(),
                 QStringLiteral("drain slave-3: DRAINING, 2 tasks to finish"));
        QCOMPARE(answered[0][1].toBool(), true);
        QCOMPARE(answered[1][0].toString(),
                 QStringLiteral("drain slave-4 refused (bad_state): slave-4 is already DRAINED"));
        QCOMPARE(answered[1][1].toBool(), false);
        QCOMPARE(actions.pending(), 0);
    }

    void weightResumeAndStrategyCommands()
    {
        FakeClusterSource source;
        OperatorActions actions(&source);
        QSignalSpy answered(&actions, &OperatorActions::answered);
        actions.setWeight({QStringLiteral("slave-2")}, 2.5, QString());
        actions.resume({QStringLiteral("slave-5")}, QString());
        actions.setStrategy(QStringLiteral("pdds"), 2.0, 0.5, QStringLiteral("try"));
        actions.setStrategy(QStringLiteral("optimal"), std::nullopt, std::nullopt, QString());
        QCOMPARE(source.commands.size(), 4);
        QCOMPARE(source.commands[0].value(u"op").toString(), QStringLiteral("weight"));
        QCOMPARE(source.commands[0].value(u"value").toDouble(), 2.5);
        QVERIFY(!source.commands[0].contains(u"reason")); // empty reasons are left out
        QCOMPARE(source.commands[1].value(u"op").toString(), QStringLiteral("resume"));
        QCOMPARE(source.commands[2].value(u"name").toString(), QStringLiteral("pdds"));
        QCOMPARE(source.commands[2].value(u"w1").toDouble(), 2.0);
        QCOMPARE(source.commands[2].value(u"w2").toDouble(), 0.5);
        QVERIFY(!source.commands[3].contains(u"w1"));
        source.ack(source.commands[3], {{QStringLiteral("strategy"), QStringLiteral("optimal")},
                                        {QStringLiteral("previous"), QStringLiteral("pdds")}});
        QCOMPARE(answered.size(), 1);
        QCOMPARE(answered[0][0].toString(), QStringLiteral("strategy optimal: optimal, was pdds"));
        // Someone else's answer (another client's command id) is not ours to report.
        emit source.commandAnswered(QStringLiteral("other-7"), true, {}, {}, {});
        QCOMPARE(answered.size(), 1);
        // A lost connection answers too, and it is reported as a failure.
        source.refuse(source.commands[0], QStringLiteral("not_connected"),
                      QStringLiteral("the connection ended before the cluster answered"));
        QCOMPARE(answered.size(), 2);
        QVERIFY(answered[1][0].toString().startsWith(
            QLatin1String("weight slave-2 = 2.5 refused (not_connected)")));
    }

    void weightPreview()
    {
        cluster::ClusterSnapshot s = testing::fakeSnapshot(4, 1, 1000); // slaves 2..5, weight 1
        s.nodes[5].state = cluster::NodeState::Drained;                 // slave-5
        const auto rows = previewWeights(s, {QStringLiteral("slave-2")}, 3);
        QCOMPARE(rows.size(), size_t(3)); // slave-5 is not ACTIVE and not selected
        QCOMPARE(rows[0].name, QStringLiteral("slave-2"));
        QVERIFY(rows[0].changed);
        QCOMPARE(rows[0].share, 1.0 / 3);
        QCOMPARE(rows[0].newShare, 3.0 / 5);
        QCOMPARE(rows[1].newShare, 1.0 / 5);
        double total = 0;
        for (const WeightShare &r : rows)
            total += r.newShare;
        QCOMPARE(total, 1.0);
        // A selected slave that is not ACTIVE is shown with share 0.
        const auto drained = previewWeights(s, {QStringLiteral("slave-5")}, 2);
        QCOMPARE(drained.size(), size_t(4));
        QCOMPARE(drained.back().name, QStringLiteral("slave-5"));
        QVERIFY(!drained.back().active);
        QCOMPARE(drained.back().newShare, 0.0);
        QCOMPARE(drained.back().newWeight, 2.0);
    }
};

QTEST_GUILESS_MAIN(TestOperatorActions)
#include "tst_operatoractions.moc"
