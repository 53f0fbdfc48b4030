// raiseOpenFileLimit: the node raises its soft open-file limit to the hard one at start. Run in
// this process after lowering the soft limit, as a shell's `ulimit -Sn 256` would leave it.
#include "util/openfilelimit.h"

#include <QTest>

#include <sys/resource.h>

using namespace starling;

class TestOpenFileLimit : public QObject
{
    Q_OBJECT

private slots:
    void raisesSoftToHard()
    {
        rlimit limit{};
        QCOMPARE(getrlimit(RLIMIT_NOFILE, &limit), 0);
        if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max <= 256)
            QSKIP("the hard open-file limit is already 256 or less: nothing to raise");
        rlimit lowered = limit;
        lowered.rlim_cur = 256;
        QCOMPARE(setrlimit(RLIMIT_NOFILE, &lowered), 0);

        const Expected<util::OpenFileLimit> raised = util::raiseOpenFileLimit();
        QVERIFY2(raised, qPrintable(raised.error()));
        QCOMPARE(raised->before, quint64(256));
        rlimit now{};
        QCOMPARE(getrlimit(RLIMIT_NOFILE, &now), 0);
        QCOMPARE(quint64(now.rlim_cur), raised->soft);
        if (limit.rlim_max != RLIM_INFINITY)
            QCOMPARE(now.rlim_cur, limit.rlim_max);
        QVERIFY(now.rlim_cur > 256);
    }

    void alreadyAtHardIsLeftAlone()
    {
        QVERIFY(util::raiseOpenFileLimit()); // raised once, maybe by the row above
        const Expected<util::OpenFileLimit> again = util::raiseOpenFileLimit();
        QVERIFY2(again, qPrintable(again.error()));
        QCOMPARE(again->before, again->soft);
    }
};

QTEST_GUILESS_MAIN(TestOpenFileLimit)
#include "tst_openfilelimit.moc"
