// describeEvent: one readable sentence and a category for every event kind of PROTOCOL.md's
// event table; missing or wrongly typed fields read as "?" or are left out; unknown kinds get a
// generic sentence; strings from the wire are cut and stripped of control characters.
#include "consolemodel/eventdescription.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace starling::consolemodel;
using Category = EventLine::Category;

namespace {

// JSON written with single quotes, so the rows stay readable.
QJsonObject json(const char *text)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(text).replace('\'', '"'), &error);
    if (!doc.isObject())
        qFatal("bad test JSON: %s: %s", text, qPrintable(error.errorString()));
    return doc.object();
}

const QStringList kDocumentedKinds{QStringLiteral("state_changed"),
                                   QStringLiteral("weight_changed"),
                                   QStringLiteral("strategy_changed"),
                                   QStringLiteral("node_suspect"),
                                   QStringLiteral("node_down"),
                                   QStringLiteral("node_back"),
                                   QStringLiteral("task_reassigned"),
                                   QStringLiteral("late_message_dropped"),
                                   QStringLiteral("load"),
                                   QStringLiteral("shutdown"),
                                   QStringLiteral("slow"),
                                   QStringLiteral("transfer_planned"),
                                   QStringLiteral("transfer_block"),
                                   QStringLiteral("job_started"),
                                   QStringLiteral("strip_assigned"),
                                   QStringLiteral("strip_done"),
                                   QStringLiteral("strip_reassigned"),
                                   QStringLiteral("job_done"),
                                   QStringLiteral("job_failed")};

} // namespace

class TestEventDescription : public QObject
{
    Q_OBJECT

private slots:
    void describes_data()
    {
        QTest::addColumn<QJsonObject>("event");
        QTest::addColumn<QString>("text");
        QTest::addColumn<Category>("category");
        QTest::addColumn<QString>("node");
        QTest::addColumn<QString>("by");

        const auto row = [](const char *name, const char *event, const char *text,
                            Category category, const char *node = "", const char *by = "") {
            QTest::newRow(name) << json(event) << QString::fromUtf8(text) << category
                                << QString::fromUtf8(node) << QString::fromUtf8(by);
        };
        // Every kind of the event table, as the cluster sends it.
        row("state_changed drain",
            "{'kind':'state_changed','node':'slave-3','from':'ACTIVE','to':'DRAINING',"
            "'by':'alice','reason':'disk swap','time_ms':1718000000123}",
            "slave-3 ACTIVE -> DRAINING (by alice: disk swap)", Category::State, "slave-3",
            "alice");
        row("state_changed drained, no reason",
            "{'kind':'state_changed','node':'slave-3','from':'DRAINING','to':'DRAINED',"
            "'by':'alice','reason':''}",
            "slave-3 DRAINING -> DRAINED (by alice)", Category::State, "slave-3", "alice");
        row("weight_changed",
            "{'by':'operator-cli','from':1,'kind':'weight_changed','node':'slave-2',"
            "'reason':'faster disk','time_ms':1795337310279,'to':2}",
            "slave-2 weight 1 -> 2 (by operator-cli: faster disk)", Category::Operator, "slave-2",
            "operator-cli");
        row("strategy_changed",
            "{'kind':'strategy_changed','strategy':'optimal','previous':'pdds','w1':2,"
            "'w2':0.8,'by':'bob','reason':''}",
            "strategy pdds -> optimal (w1 2, w2 0.8) (by bob)", Category::Operator, "", "bob");
        row("node_suspect",
            "{'by':'detector','epoch':1,'from':'ACTIVE','kind':'node_suspect',"
            "'node':'slave-4','time_ms':1795337312226,'to':'SUSPECT'}",
            "slave-4 ACTIVE -> SUSPECT: heartbeats missed, no new tasks (epoch 1)",
            Category::Failure, "slave-4", "detector");
        row("node_down",
            "{'by':'detector','epoch':2,'from':'SUSPECT','kind':'node_down','node':'slave-4',"
            "'to':'DOWN'}",
            "slave-4 SUSPECT -> DOWN: silent, its tasks go back to the master (epoch 2)",
            Category::Failure, "slave-4", "detector");
        row("node_down exited",
            "{'by':'detector','epoch':1,'from':'ACTIVE','kind':'node_down','node':'slave-3',"
            "'reason':'exited','to':'DOWN'}",
            "slave-3 ACTIVE -> DOWN: its process exited, its work goes to the others (back with "
            "starling restart) (epoch 1)",
            Category::Failure, "slave-3", "detector");
        row("fault",
            "{'kind':'fault','node':'slave-3','action':'cut','by':'root-lab','reason':'link "
            "down'}",
            "fault injected: cut slave-3 (link down)", Category::Failure, "slave-3", "root-lab");
        row("node_back",
            "{'by':'detector','epoch':2,'from':'DOWN','kind':'node_back','node':'slave-4',"
            "'to':'ACTIVE'}",
            "slave-4 DOWN -> ACTIVE: heartbeats are back (epoch 2)", Category::Failure, "slave-4",
            "detector");
        row("task_reassigned",
            "{'count':2,'kind':'task_reassigned','node':'slave-4','tasks':[12,16]}",
            "2 tasks of slave-4 taken back for other slaves (12, 16)", Category::Failure,
            "slave-4");
        row("late_message_dropped",
            "{'detail':'task 12 is not live (already done or never issued)','epoch':1,"
            "'kind':'late_message_dropped','node':'slave-4','task':12}",
            "late answer from slave-4 dropped (task 12, epoch 1): task 12 is not live "
            "(already done or never issued)",
            Category::Failure, "slave-4");
        row("load",
            "{'assigned':{'slave-2':2,'slave-3':2},'by':'operator-cli','kind':'load',"
            "'reason':'','tasks':4,'waiting_at_master':0}",
            "4 synthetic tasks given out: slave-2 2, slave-3 2 (by operator-cli)",
            Category::Operator, "", "operator-cli");
        row("load with tasks waiting",
            "{'assigned':{},'by':'me','kind':'load','tasks':1,'waiting_at_master':1}",
            "1 synthetic task given out; 1 waiting at master (by me)", Category::Operator, "",
            "me");
        row("shutdown", "{'kind':'shutdown','by':'alice','reason':'maintenance'}",
            "cluster shutting down (by alice: maintenance)", Category::Operator, "", "alice");
        row("slow", "{'kind':'slow','node':'slave-3','factor':2,'by':'alice','reason':''}",
            "slave-3 computes 2x slower (by alice)", Category::Operator, "slave-3", "alice");
        row("slow back to normal", "{'kind':'slow','node':'slave-3','factor':1,'by':'alice'}",
            "slave-3 computes at its profile's speed again (by alice)", Category::Operator,
            "slave-3", "alice");
        row("transfer_planned",
            "{'kind':'transfer_planned','transfer_id':'t7','path':'data/big.bin',"
            "'size':1572864,'piece_size':262144,'blocks':6,'strategy':'pdds',"
            "'runs':[['slave-2',0,3],['slave-3',3,2],['slave-2',5,1]]}",
            "transfer t7 planned: data/big.bin, 1.5 MiB in 6 blocks (pdds) from slave-2, "
            "slave-3",
            Category::Transfer);
        row("transfer_block served",
            "{'kind':'transfer_block','transfer_id':'t7','block':3,'bytes':262144,"
            "'complete':true,'status':206,'node':'slave-2'}",
            "slave-2 served block 3 of transfer t7 (256 KiB)", Category::Transfer, "slave-2");
        row("transfer_block failed",
            "{'kind':'transfer_block','transfer_id':'t7','block':3,'bytes':0,"
            "'complete':false,'status':404,'node':'slave-2'}",
            "slave-2 did not finish block 3 of transfer t7 (status 404, 0 B sent)",
            Category::Transfer, "slave-2");
        row("job_started",
            "{'kind':'job_started','job':'job-4','op':'blur','strategy':'pdds','order':'dec',"
            "'units':1000,'slaves':['slave-2','slave-3'],'planned_shares':[600,400]}",
            "job-4 started: blur, 1000 units on slave-2 600, slave-3 400 (pdds, order dec)",
            Category::Job);
        row("strip_assigned",
            "{'kind':'strip_assigned','job':'job-4','chunk':3,'slave':'slave-2','rank':2,"
            "'first_unit':100,'units':50,'rows':[100,150]}",
            "job-4 strip 3 -> slave-2: units 100-149, rows 100-149", Category::Job, "slave-2");
        row("strip_done",
            "{'kind':'strip_done','job':'job-4','chunk':3,'slave':'slave-2','rank':2,"
            "'first_unit':100,'units':1,'send_start_s':0,'send_end_s':0.1,"
            "'compute_start_s':0.2,'compute_end_s':0.32,'return_start_s':0.4,"
            "'return_end_s':0.5}",
            "job-4 strip 3 done on slave-2: unit 100, computed in 0.12 s, back at 0.50 s",
            Category::Job, "slave-2");
        row("strip_reassigned",
            "{'kind':'strip_reassigned','job':'job-4','slave':'slave-3','rank':3,"
            "'reason':'node down','chunks':2,'new_chunks':3}",
            "job-4 lost slave-3 (node down): its 2 strips go to the others as 3 new strips",
            Category::Job, "slave-3");
        row("job_done", "{'kind':'job_done','job':'job-4','makespan_s':1.72,'reassigned':0}",
            "job-4 done in 1.72 s", Category::Job);
        row("job_done after reassigning",
            "{'kind':'job_done','job':'job-4','makespan_s':75,'reassigned':2}",
            "job-4 done in 1 m 15 s, 2 strips reassigned", Category::Job);
        row("job_failed",
            "{'kind':'job_failed','job':'job-4','error':'every slave of the job was lost; "
            "submit it again'}",
            "job-4 failed: every slave of the job was lost; submit it again", Category::Job);

        // Missing and wrongly typed fields.
        row("state_changed, rank for node, garbage elsewhere",
            "{'kind':'state_changed','node':3,'to':[1],'by':{},'reason':null}", "3 ? -> ?",
            Category::State, "3");
        row("weight_changed, weight as text",
            "{'kind':'weight_changed','node':'slave-2','from':'x','to':2}", "slave-2 weight ? -> 2",
            Category::Operator, "slave-2");
        row("strategy_changed, nothing", "{'kind':'strategy_changed'}", "strategy ? -> ?",
            Category::Operator);
        row("node_suspect without to or epoch",
            "{'kind':'node_suspect','node':'slave-4','from':'ACTIVE','by':'detector'}",
            "slave-4 ACTIVE -> SUSPECT: heartbeats missed, no new tasks", Category::Failure,
            "slave-4", "detector");
        row("task_reassigned, tasks not a list",
            "{'kind':'task_reassigned','node':'slave-4','tasks':'12,16'}",
            "? tasks of slave-4 taken back for other slaves", Category::Failure, "slave-4");
        row("late_message_dropped, bare", "{'kind':'late_message_dropped'}",
            "late answer from ? dropped (task ?)", Category::Failure);
        row("load, assigned not an object",
            "{'kind':'load','tasks':1,'assigned':[1,2],'waiting_at_master':'many'}",
            "1 synthetic task given out", Category::Operator);
        row("slow, factor as text", "{'kind':'slow','node':'slave-3','factor':'fast'}",
            "slave-3 computes ?x slower", Category::Operator, "slave-3");
        row("transfer_planned, bare", "{'kind':'transfer_planned','runs':[5,[],[7]]}",
            "transfer ? planned: ?, ? in ? blocks", Category::Transfer);
        row("transfer_block, complete as text",
            "{'kind':'transfer_block','block':3,'complete':'yes','node':'slave-2'}",
            "slave-2 did not finish block 3 of transfer ? (status ?, ? sent)", Category::Transfer,
            "slave-2");
        row("job_started, bare", "{'kind':'job_started'}", "job ? started: ?, ? units (?, order ?)",
            Category::Job);
        row("strip_assigned, rows wrong",
            "{'kind':'strip_assigned','job':'job-4','chunk':1,'slave':'slave-2','rows':[9]}",
            "job-4 strip 1 -> slave-2: units ?", Category::Job, "slave-2");
        row("strip_done, compute backwards",
            "{'kind':'strip_done','job':'job-4','chunk':1,'slave':'slave-2','first_unit':0,"
            "'units':4,'compute_start_s':2,'compute_end_s':1}",
            "job-4 strip 1 done on slave-2: units 0-3", Category::Job, "slave-2");
        row("strip_reassigned, bare", "{'kind':'strip_reassigned'}",
            "job ? lost ?: its ? strips go to the others", Category::Job);
        row("job_done, makespan as text", "{'kind':'job_done','makespan_s':'fast'}",
            "job ? done in ?", Category::Job);
        row("job_failed, no error", "{'kind':'job_failed','job':'job-4','error':7}",
            "job-4 failed: 7", Category::Job);

        // Kinds this console does not know.
        row("unknown kind", "{'kind':'disk_full','node':'slave-2','used':0.97,'time_ms':5}",
            "disk_full: node slave-2, used 0.97", Category::Other, "slave-2");
        row("unknown kind from an operator", "{'kind':'paint','by':'alice','colour':'red'}",
            "paint: by alice, colour red", Category::Operator, "", "alice");
        row("unknown kind from the detector", "{'kind':'node_odd','by':'detector'}",
            "node_odd: by detector", Category::Other, "", "detector");
        row("kind is a number", "{'kind':5,'node':'slave-2'}",
            "event without a kind: kind 5, node slave-2", Category::Other, "slave-2");
        row("empty object", "{}", "event without a kind", Category::Other);
    }
    void describes()
    {
        QFETCH(QJsonObject, event);
        QFETCH(QString, text);
        QFETCH(Category, category);
        QFETCH(QString, node);
        QFETCH(QString, by);
        const EventLine line = describeEvent(event);
        QCOMPARE(line.text, text);
        QCOMPARE(toString(line.category), toString(category));
        QCOMPARE(line.node, node);
        QCOMPARE(line.by, by);
    }

    // A bare event of each documented kind still gets its own sentence and category.
    void everyDocumentedKindIsKnown()
    {
        for (const QString &kind : kDocumentedKinds) {
            const EventLine line = describeEvent(QJsonObject{{QStringLiteral("kind"), kind}});
            QCOMPARE(line.kind, kind);
            QVERIFY2(line.category != Category::Other, qPrintable(kind));
            QVERIFY2(!line.text.isEmpty() && !line.text.startsWith(kind), qPrintable(line.text));
        }
    }

    void keepsKindReasonAndTime_data()
    {
        QTest::addColumn<QJsonObject>("event");
        QTest::addColumn<qint64>("timeMs");
        QTest::newRow("time") << json("{'kind':'shutdown','time_ms':1795337310166}")
                              << qint64(1795337310166);
        QTest::newRow("time as text") << json("{'kind':'shutdown','time_ms':'now'}") << qint64(0);
        QTest::newRow("negative time") << json("{'kind':'shutdown','time_ms':-4}") << qint64(0);
        QTest::newRow("no time") << json("{'kind':'shutdown'}") << qint64(0);
    }
    void keepsKindReasonAndTime()
    {
        QFETCH(QJsonObject, event);
        QFETCH(qint64, timeMs);
        QCOMPARE(describeEvent(event).timeMs, timeMs);
    }

    void reasonIsKept()
    {
        const EventLine line = describeEvent(
            json("{'kind':'state_changed','node':'slave-2','by':'a','reason':'disk swap'}"));
        QCOMPARE(line.reason, QStringLiteral("disk swap"));
        QCOMPARE(line.kind, QStringLiteral("state_changed"));
    }

    void overLongStringsAreCut()
    {
        const QString huge(100000, QLatin1Char('x'));
        const EventLine line =
            describeEvent({{QStringLiteral("kind"), QStringLiteral("state_changed")},
                           {QStringLiteral("node"), huge},
                           {QStringLiteral("from"), huge},
                           {QStringLiteral("to"), huge},
                           {QStringLiteral("by"), huge},
                           {QStringLiteral("reason"), huge}});
        QCOMPARE(toString(line.category), toString(Category::State));
        QCOMPARE(line.node.size(), 64);
        QCOMPARE(line.by.size(), 64);
        QCOMPARE(line.reason.size(), 200);
        QVERIFY(line.text.size() <= 400);
        QVERIFY(line.text.startsWith(QString(64, QLatin1Char('x')) + QStringLiteral(" x")));

        const EventLine unknown = describeEvent({{QStringLiteral("kind"), huge}});
        QCOMPARE(unknown.kind.size(), 64);
        QCOMPARE(toString(unknown.category), toString(Category::Other));
        QVERIFY(unknown.text.size() <= 400);
    }

    void longListsAreShortened()
    {
        QJsonArray tasks;
        for (int i = 0; i < 10000; ++i)
            tasks.append(i);
        const EventLine line =
            describeEvent({{QStringLiteral("kind"), QStringLiteral("task_reassigned")},
                           {QStringLiteral("node"), QStringLiteral("slave-4")},
                           {QStringLiteral("count"), 10000},
                           {QStringLiteral("tasks"), tasks}});
        QCOMPARE(line.text, QStringLiteral("10000 tasks of slave-4 taken back for other slaves "
                                           "(0, 1, 2, 3, 4, 5, 6, 7, ...)"));
    }

    // A name or reason must not be able to forge a second log line or reorder the text.
    void controlAndFormatCharactersAreRemoved()
    {
        const QString hostile = QStringLiteral("slave-2\n12:00:00 Operator alice drained") +
                                QChar(0x202E) + QStringLiteral("x\t\r\x1b[31m");
        const EventLine line =
            describeEvent({{QStringLiteral("kind"), QStringLiteral("job_failed")},
                           {QStringLiteral("job"), hostile},
                           {QStringLiteral("error"), hostile},
                           {QStringLiteral("node"), hostile},
                           {QStringLiteral("by"), hostile}});
        for (const QString &s : {line.text, line.node, line.by}) {
            for (const QChar c : s)
                QVERIFY2(c.isPrint(), qPrintable(QStringLiteral("U+%1 in %2")
                                                     .arg(c.unicode(), 4, 16, QLatin1Char('0'))
                                                     .arg(s)));
        }
        QVERIFY(line.text.startsWith(QStringLiteral("slave-2 12:00:00 Operator alice drained x")));
    }
};

QTEST_GUILESS_MAIN(TestEventDescription)
#include "tst_eventdescription.moc"
