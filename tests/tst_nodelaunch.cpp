// starling-node under mpiexec: every rank reports the role its rank gives it and the job ends
// cleanly; too few ranks is a clear error and a non-zero exit.
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <map>

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

    Outcome launch(int ranks)
    {
        QProcess process;
        process.start(
            QStringLiteral(MPIEXEC_EXECUTABLE),
            {QStringLiteral("-n"), QString::number(ranks), QStringLiteral(STARLING_NODE)});
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
    void sixRanksReportTheirRoles()
    {
        const Outcome outcome = launch(6);
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        static const QRegularExpression line(
            QStringLiteral("^starling-node rank (\\d+) of (\\d+) on \\S+: (\\w+)$"),
            QRegularExpression::MultilineOption);
        std::map<int, QString> roles;
        auto it = line.globalMatch(outcome.out);
        while (it.hasNext()) {
            const auto match = it.next();
            QCOMPARE(match.captured(2).toInt(), 6);
            QVERIFY2(roles.emplace(match.captured(1).toInt(), match.captured(3)).second,
                     "a rank reported twice");
        }
        QCOMPARE(roles.size(), size_t(6));
        QCOMPARE(roles[0], QStringLiteral("master"));
        QCOMPARE(roles[1], QStringLiteral("monitor"));
        for (int rank = 2; rank < 6; ++rank)
            QCOMPARE(roles[rank], QStringLiteral("slave"));
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
