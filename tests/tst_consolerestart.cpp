// starling-console as an operator restarts it (issue 17, "settings saved and restored"): the
// real binary, offscreen, watching a FakeMonitor, stopped by SIGTERM once the bridge welcomed
// it. The layout is saved on a stop signal and used by the next start; an unreadable value is
// one line on stderr and the default; --reset-layout forgets; thresholds given on the command
// line are not saved. XDG_CONFIG_HOME points at a temporary directory.
#include "fakemonitor.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using starling::testing::FakeMonitor;

namespace {

const QByteArray kToken(64, 'c');
constexpr int kTimeoutMs = 30000;

struct Run
{
    int code = -1;
    QStringList errorLines;
};

} // namespace

class TestConsoleRestart final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<FakeMonitor> m_monitor;

    QString configFile() const
    {
        return m_dir.filePath(QStringLiteral("config/Starling/starling-console.conf"));
    }

    // Runs the console against the fake monitor until it is welcomed, then stops it by signal.
    Run runUntilWelcomed(const QStringList &extra)
    {
        Run r;
        QProcess console;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        environment.insert(QStringLiteral("XDG_CONFIG_HOME"),
                           m_dir.filePath(QStringLiteral("config")));
        console.setProcessEnvironment(environment);
        const int welcomedBefore = m_monitor->welcomedCount();
        console.start(QStringLiteral(STARLING_CONSOLE),
                      QStringList{QStringLiteral("--connect"),
                                  QStringLiteral("127.0.0.1:%1").arg(m_monitor->port()),
                                  QStringLiteral("--token-file"),
                                  m_dir.filePath(QStringLiteral("token"))} +
                          extra);
        if (!console.waitForStarted(kTimeoutMs))
            return r;
        // Welcomed: the event loop runs, so the signal is the console's to handle.
        const bool welcomed = QTest::qWaitFor(
            [&] {
                return m_monitor->welcomedCount() > welcomedBefore ||
                       console.state() == QProcess::NotRunning;
            },
            kTimeoutMs);
        if (welcomed && console.state() == QProcess::Running)
            ::kill(pid_t(console.processId()), SIGTERM);
        if (!console.waitForFinished(kTimeoutMs)) {
            console.kill();
            console.waitForFinished(kTimeoutMs);
            return r;
        }
        r.code = console.exitStatus() == QProcess::NormalExit ? console.exitCode() : -1;
        for (const QString &line :
             QString::fromLocal8Bit(console.readAllStandardError()).split(QLatin1Char('\n'))) {
            // Qt's own notes about the offscreen platform are not the console's lines.
            if (line.startsWith(QLatin1String("starling-console:")) &&
                !line.contains(QLatin1String("closing")))
                r.errorLines.append(line);
        }
        return r;
    }

    QVariant saved(const QString &key) const
    {
        return QSettings(configFile(), QSettings::IniFormat).value(key);
    }

    void setSaved(const QString &key, const QVariant &value) const
    {
        QSettings store(configFile(), QSettings::IniFormat);
        store.setValue(key, value);
        store.sync();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QFile token(m_dir.filePath(QStringLiteral("token")));
        QVERIFY(token.open(QIODevice::WriteOnly));
        token.write(kToken + '\n');
        token.close();
        QVERIFY(token.setPermissions(QFile::ReadOwner | QFile::WriteOwner));
        m_monitor = std::make_unique<FakeMonitor>(kToken);
        QVERIFY(m_monitor->listen());
    }

    void savedOnASignalAndUsedNextTime()
    {
        Run r = runUntilWelcomed({QStringLiteral("--show"), QStringLiteral("Events")});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.errorLines, QStringList());
        QVERIFY(QFile::exists(configFile()));
        QCOMPARE(saved(QStringLiteral("views/tab")).toString(), QStringLiteral("Events"));
        // Without --show the saved tab is the one shown, and saved again.
        setSaved(QStringLiteral("views/timeWindowMs"), 900000);
        r = runUntilWelcomed({});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.errorLines, QStringList());
        QCOMPARE(saved(QStringLiteral("views/tab")).toString(), QStringLiteral("Events"));
        QCOMPARE(saved(QStringLiteral("views/timeWindowMs")).toLongLong(), 900000);
    }

    void unreadableValueIsOneLineAndTheDefault()
    {
        setSaved(QStringLiteral("views/tab"), QStringLiteral("Nowhere"));
        const Run r = runUntilWelcomed({});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.errorLines.size(), 1);
        QVERIFY2(r.errorLines.first().contains(QLatin1String("views/tab")),
                 qPrintable(r.errorLines.first()));
        QCOMPARE(saved(QStringLiteral("views/tab")).toString(), QStringLiteral("CPU"));
    }

    void commandLineThresholdsAreNotSaved()
    {
        setSaved(QStringLiteral("thresholds/cpuWarnPct"), 60);
        const Run r = runUntilWelcomed({QStringLiteral("--cpu-warn"), QStringLiteral("40")});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.errorLines, QStringList());
        QCOMPARE(saved(QStringLiteral("thresholds/cpuWarnPct")).toDouble(), 60.0);
    }

    void oversizedFileIsDroppedAndRewritten()
    {
        {
            QFile file(configFile());
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            QVERIFY(file.write("[General]\nformat=1\n[views]\ntab=Events\n") > 0);
            QVERIFY(file.write(QByteArray(2 << 20, '#')) == 2 << 20);
        }
        const Run r = runUntilWelcomed({});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.errorLines.size(), 1);
        QVERIFY2(r.errorLines.first().contains(QLatin1String("too large")),
                 qPrintable(r.errorLines.first()));
        QVERIFY(QFileInfo(configFile()).size() < 64 * 1024);
        QCOMPARE(saved(QStringLiteral("views/tab")).toString(), QStringLiteral("CPU"));
    }

    void resetLayoutForgets()
    {
        setSaved(QStringLiteral("views/tab"), QStringLiteral("Events"));
        setSaved(QStringLiteral("thresholds/cpuWarnPct"), 60);
        const Run r = runUntilWelcomed({QStringLiteral("--reset-layout")});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.errorLines, QStringList());
        // Started from the defaults, and those are what is remembered now.
        QCOMPARE(saved(QStringLiteral("views/tab")).toString(), QStringLiteral("CPU"));
        QCOMPARE(saved(QStringLiteral("thresholds/cpuWarnPct")).toDouble(), 75.0);
    }
};

QTEST_GUILESS_MAIN(TestConsoleRestart)
#include "tst_consolerestart.moc"
