// The command line of `starling drain|resume|weight|slow|strategy|load`: every usage problem is
// one line, and a good command line becomes the OperatorCommand whose JSON is exactly what the
// CLI has always sent (PROTOCOL.md, Commands).
#include "operatorcommandoptions.h"

#include <QJsonDocument>
#include <QTest>

using namespace starling;
using namespace starling::cli;

namespace {

Expected<OperatorCommandOptions> parse(const QString &verb, const QStringList &arguments)
{
    QCommandLineParser parser;
    describeOperatorCommand(parser, verb);
    if (!parser.parse(QStringList{QStringLiteral("starling ") + verb} + arguments))
        return Error{parser.errorText()};
    return parseOperatorCommandOptions(verb, parser);
}

QByteArray wire(const OperatorCommandOptions &options)
{
    return QJsonDocument(operatorCommandJson(options)).toJson(QJsonDocument::Compact);
}

} // namespace

class TestOperatorCommandOptions : public QObject
{
    Q_OBJECT

private slots:
    void badArguments_data()
    {
        QTest::addColumn<QString>("verb");
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("error");
        QTest::newRow("drain, no node")
            << QStringLiteral("drain") << QStringList{}
            << QStringLiteral("usage: starling drain NODE --reason TEXT");
        QTest::newRow("resume, two nodes")
            << QStringLiteral("resume") << QStringList{QStringLiteral("a"), QStringLiteral("b")}
            << QStringLiteral("usage: starling resume NODE");
        QTest::newRow("weight, missing value")
            << QStringLiteral("weight") << QStringList{QStringLiteral("slave-2")}
            << QStringLiteral("usage: starling weight NODE VALUE");
        QTest::newRow("weight, garbage")
            << QStringLiteral("weight")
            << QStringList{QStringLiteral("slave-2"), QStringLiteral("abc")}
            << QStringLiteral("weight must be a number > 0, got \"abc\"");
        QTest::newRow("weight, zero") << QStringLiteral("weight")
                                      << QStringList{QStringLiteral("slave-2"), QStringLiteral("0")}
                                      << QStringLiteral("weight must be a number > 0, got \"0\"");
        QTest::newRow("weight, infinite")
            << QStringLiteral("weight")
            << QStringList{QStringLiteral("slave-2"), QStringLiteral("inf")}
            << QStringLiteral("weight must be a number > 0, got \"inf\"");
        QTest::newRow("slow, below 1")
            << QStringLiteral("slow")
            << QStringList{QStringLiteral("slave-2"), QStringLiteral("0.5")}
            << QStringLiteral("factor must be a number from 1 to 1000, got \"0.5\"");
        QTest::newRow("slow, above 1000")
            << QStringLiteral("slow")
            << QStringList{QStringLiteral("slave-2"), QStringLiteral("1001")}
            << QStringLiteral("factor must be a number from 1 to 1000, got \"1001\"");
        QTest::newRow("strategy, no name")
            << QStringLiteral("strategy") << QStringList{}
            << QStringLiteral("usage: starling strategy NAME [--w1 X --w2 Y]");
        QTest::newRow("strategy, negative w2")
            << QStringLiteral("strategy")
            << QStringList{QStringLiteral("pdds"), QStringLiteral("--w2"), QStringLiteral("-1")}
            << QStringLiteral("--w2 must be a number >= 0");
        QTest::newRow("strategy, garbage w1")
            << QStringLiteral("strategy")
            << QStringList{QStringLiteral("pdds"), QStringLiteral("--w1"), QStringLiteral("x")}
            << QStringLiteral("--w1 must be a number >= 0");
        QTest::newRow("load, missing task-ms")
            << QStringLiteral("load") << QStringList{QStringLiteral("--tasks"), QStringLiteral("4")}
            << QStringLiteral("load needs --tasks N and --task-ms MS (numbers)");
        QTest::newRow("load, garbage tasks")
            << QStringLiteral("load")
            << QStringList{QStringLiteral("--tasks"), QStringLiteral("many"),
                           QStringLiteral("--task-ms"), QStringLiteral("5")}
            << QStringLiteral("load needs --tasks N and --task-ms MS (numbers)");
        QTest::newRow("load, positional")
            << QStringLiteral("load") << QStringList{QStringLiteral("4")}
            << QStringLiteral("usage: starling load --tasks N --task-ms MS");
    }

    void badArguments()
    {
        QFETCH(QString, verb);
        QFETCH(QStringList, arguments);
        QFETCH(QString, error);
        const auto options = parse(verb, arguments);
        QVERIFY(!options);
        QCOMPARE(options.error(), error);
        QVERIFY(!options.error().contains(QLatin1Char('\n')));
    }

    // The bytes the monitor gets, as the hand-built JSON of before had them.
    void wireJson_data()
    {
        QTest::addColumn<QString>("verb");
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("drain with a reason")
            << QStringLiteral("drain")
            << QStringList{QStringLiteral("slave-3"), QStringLiteral("--reason"),
                           QStringLiteral("disk swap")}
            << QByteArray(R"({"node":"slave-3","op":"drain","reason":"disk swap"})");
        QTest::newRow("resume") << QStringLiteral("resume") << QStringList{QStringLiteral("2")}
                                << QByteArray(R"({"node":"2","op":"resume"})");
        QTest::newRow("weight") << QStringLiteral("weight")
                                << QStringList{QStringLiteral("slave-2"), QStringLiteral("2.5")}
                                << QByteArray(R"({"node":"slave-2","op":"weight","value":2.5})");
        QTest::newRow("slow") << QStringLiteral("slow")
                              << QStringList{QStringLiteral("slave-4"), QStringLiteral("3")}
                              << QByteArray(R"({"factor":3,"node":"slave-4","op":"slow"})");
        QTest::newRow("strategy, w1 only")
            << QStringLiteral("strategy")
            << QStringList{QStringLiteral("pdds"), QStringLiteral("--w1"), QStringLiteral("1.5")}
            << QByteArray(R"({"name":"pdds","op":"strategy","w1":1.5})");
        QTest::newRow("strategy, any name goes to the monitor")
            << QStringLiteral("strategy") << QStringList{QStringLiteral("fastest")}
            << QByteArray(R"({"name":"fastest","op":"strategy"})");
        QTest::newRow("load") << QStringLiteral("load")
                              << QStringList{QStringLiteral("--tasks"), QStringLiteral("8"),
                                             QStringLiteral("--task-ms"), QStringLiteral("12.5")}
                              << QByteArray(R"({"op":"load","task_ms":12.5,"tasks":8})");
        QTest::newRow("load, fractional tasks are the monitor's to refuse")
            << QStringLiteral("load")
            << QStringList{QStringLiteral("--tasks"), QStringLiteral("2.5"),
                           QStringLiteral("--task-ms"), QStringLiteral("5")}
            << QByteArray(R"({"op":"load","task_ms":5,"tasks":2.5})");
    }

    void wireJson()
    {
        QFETCH(QString, verb);
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, json);
        const auto options = parse(verb, arguments);
        QVERIFY2(options, qPrintable(options.error()));
        QCOMPARE(wire(*options), json);
    }

    void runDirAndJson()
    {
        const auto options =
            parse(QStringLiteral("resume"), {QStringLiteral("slave-2"), QStringLiteral("--run-dir"),
                                             QStringLiteral("/tmp/x"), QStringLiteral("--json")});
        QVERIFY2(options, qPrintable(options.error()));
        QCOMPARE(options->runDir, QStringLiteral("/tmp/x"));
        QVERIFY(options->json);
        QCOMPARE(options->verb, QStringLiteral("resume"));
    }
};

QTEST_GUILESS_MAIN(TestOperatorCommandOptions)
#include "tst_operatorcommandoptions.moc"
