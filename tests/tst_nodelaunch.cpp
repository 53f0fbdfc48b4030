// starling-node under mpiexec: bad start-up input (too few ranks, a bad config, an unknown
// option) is one clear line and a non-zero exit, whatever rank sees it first.
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class TestNodeLaunch final : public QObject
{
    Q_OBJECT

private:
    struct Outcome
    {
        int exitCode = -1;
        QString out;
        QString err;
    };

    Outcome launch(int ranks, const QStringList &options = {})
    {
        QProcess process;
        process.start(QStringLiteral(MPIEXEC_EXECUTABLE),
                      QStringList{QStringLiteral("-n"), QString::number(ranks),
                                  QStringLiteral(STARLING_NODE)} +
                          options);
        if (!process.waitForFinished(90'000)) {
            process.kill();
            process.waitForFinished(5'000);
            return {};
        }
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
                QString::fromLocal8Bit(process.readAllStandardOutput()),
                QString::fromLocal8Bit(process.readAllStandardError())};
    }

private slots:
    // Every rank reads the same options; a bad config stops the job with one clear line from
    // rank 0 and exit code 2 before any rank starts its loop. (Running clusters: tst_cluster.)
    void badConfigIsAClearError()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile config(dir.filePath(QStringLiteral("bad.json")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(R"({"heartbeat_ms": "fast"})");
        config.close();
        const Outcome outcome = launch(4, {QStringLiteral("--config"), config.fileName(),
                                           QStringLiteral("--run-dir"), dir.path()});
        QCOMPARE(outcome.exitCode, 2);
        QVERIFY2(outcome.err.contains(QStringLiteral("heartbeat_ms")), qPrintable(outcome.err));
        QVERIFY(!outcome.out.contains(QStringLiteral(": master")));
    }

    void unknownOptionIsAClearError()
    {
        const Outcome outcome = launch(3, {QStringLiteral("--frobnicate")});
        QCOMPARE(outcome.exitCode, 2);
        QVERIFY2(outcome.err.contains(QStringLiteral("frobnicate")), qPrintable(outcome.err));
    }

    void tooFewRanksIsAClearError()
    {
        const Outcome outcome = launch(2);
        QVERIFY(outcome.exitCode != 0);
        QVERIFY2(outcome.err.contains(QStringLiteral("needs at least 3 ranks")),
                 qPrintable(outcome.err));
        QVERIFY(!outcome.out.contains(QStringLiteral(": master")));
    }
};

QTEST_GUILESS_MAIN(TestNodeLaunch)
#include "tst_nodelaunch.moc"
