// The Debian package as an operator gets it (resources/packaging/README.md): lintian finds no error; once
// installed, the programs run from PATH in a clean environment (sim, a one-machine cluster up,
// status, down), the man pages are found and the completion completes; a purge leaves no file
// of the package and removes nothing else. Installing needs root (CI runs as root); without it
// those tests skip and say so. The package is built by the `package_build` test (cpack).
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <unistd.h>

namespace {

const QString kDeb = QStringLiteral(STARLING_DEB_FILE);
const QString kBuildCompletion = QStringLiteral(STARLING_BASH_COMPLETION);
const QString kBuildStarling = QStringLiteral(STARLING_CLI);
const QString kInstalledCompletion =
    QStringLiteral("/usr/share/bash-completion/completions/starling");

struct Run
{
    int code = -1;
    QString out;
    QString err;
    QString describe() const { return QStringLiteral("exit %1\n%2\n%3").arg(code).arg(out, err); }
};

// PATH as a login shell has it, nothing from the build: the installed programs or none.
QProcessEnvironment cleanEnvironment(const QString &home)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("PATH"),
               QStringLiteral("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    env.insert(QStringLiteral("HOME"), home);
    env.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    return env;
}

Run run(const QString &program, const QStringList &arguments, int timeoutMs = 120000,
        const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, arguments);
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        r.err = QStringLiteral("%1 did not finish within %2 ms").arg(program).arg(timeoutMs);
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromLocal8Bit(p.readAllStandardOutput());
    r.err += QString::fromLocal8Bit(p.readAllStandardError());
    return r;
}

bool packageInstalled()
{
    const Run r =
        run(QStringLiteral("dpkg-query"),
            {QStringLiteral("-W"), QStringLiteral("-f=${Status}"), QStringLiteral("starling")});
    return r.code == 0 && !r.out.contains(QLatin1String("not-installed"));
}

// Removes and purges the package (a leftover of an earlier failed run, or ours).
bool purgePackage()
{
    return run(QStringLiteral("dpkg"), {QStringLiteral("--purge"), QStringLiteral("starling")})
                   .code == 0 &&
           !packageInstalled();
}

// What bash completes for `words` (the last one is the word being typed), with the completion
// file sourced into a bare shell and its function found through `complete -p`.
QStringList complete(const QString &file, const QStringList &words,
                     const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QStringList quoted;
    for (const QString &word : words)
        quoted << QLatin1Char('\'') + word + QLatin1Char('\'');
    const QString script =
        QStringLiteral("source '%1' || exit 3\n"
                       "fn=$(complete -p starling | sed -E 's/.*-F ([^ ]+).*/\\1/')\n"
                       "COMP_WORDS=(%2); COMP_CWORD=%3\n"
                       "\"$fn\" starling \"${COMP_WORDS[COMP_CWORD]}\" || exit 4\n"
                       "printf '%s\\n' \"${COMPREPLY[@]}\"\n")
            .arg(file, quoted.join(QLatin1Char(' ')))
            .arg(words.size() - 1);
    const Run r =
        run(QStringLiteral("bash"),
            {QStringLiteral("--norc"), QStringLiteral("--noprofile"), QStringLiteral("-c"), script},
            30000, env);
    if (r.code != 0)
        return {QStringLiteral("bash failed: ") + r.describe()};
    QStringList replies = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    replies.sort();
    return replies;
}

// The commands `starling --help` lists: "  name   what it does" lines.
QStringList commandsIn(const QString &help)
{
    QStringList commands;
    static const QRegularExpression line(QStringLiteral("^  ([a-z][a-z0-9-]*)  "),
                                         QRegularExpression::MultilineOption);
    for (auto it = line.globalMatch(help); it.hasNext();)
        commands << it.next().captured(1);
    return commands;
}

// The long options a QCommandLineParser help text lists.
QStringList longOptionsIn(const QString &help)
{
    QStringList options;
    static const QRegularExpression line(QStringLiteral("^  (?:-\\S+, )*(--[A-Za-z0-9-]+)"),
                                         QRegularExpression::MultilineOption);
    for (auto it = line.globalMatch(help); it.hasNext();)
        options << it.next().captured(1);
    return options;
}

// The paths the package holds, from its data archive ("... ./usr/bin/starling" lines).
QStringList pathsInPackage()
{
    const Run r = run(QStringLiteral("dpkg-deb"), {QStringLiteral("--contents"), kDeb});
    QStringList paths;
    for (QString line : r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        line = line.section(QStringLiteral(" -> "), 0, 0);
        QString path = line.section(QLatin1Char(' '), -1).mid(1);
        if (path.size() > 1 && path.endsWith(QLatin1Char('/')))
            path.chop(1);
        if (path.size() > 1)
            paths << path;
    }
    return paths;
}

// Every file, link and directory under `roots` (the places the package installs into), to
// compare before installing and after purging.
QSet<QString> listTree(const QStringList &roots)
{
    QSet<QString> paths;
    for (const QString &root : roots) {
        QDirIterator it(root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                        QDirIterator::Subdirectories);
        while (it.hasNext())
            paths.insert(it.next());
    }
    return paths;
}

bool ownedByOtherPackage(const QString &path)
{
    const Run r = run(QStringLiteral("dpkg"), {QStringLiteral("-S"), path}, 30000);
    return r.code == 0 && !r.out.startsWith(QLatin1String("starling:"));
}

const QStringList &packageRoots()
{
    static const QStringList roots{QStringLiteral("/usr/bin"),
                                   QStringLiteral("/usr/libexec"),
                                   QStringLiteral("/usr/share/man/man1"),
                                   QStringLiteral("/usr/share/bash-completion"),
                                   QStringLiteral("/usr/share/doc"),
                                   QStringLiteral("/usr/share/starling"),
                                   QStringLiteral("/usr/share/lintian"),
                                   QStringLiteral("/etc/starling"),
                                   QStringLiteral("/etc/default"),
                                   QStringLiteral("/lib/systemd/system"),
                                   QStringLiteral("/var/lib/starling")};
    return roots;
}

// A foreground `starling up` (as the systemd unit runs it), stopped by `starling down` or, if a
// check failed first, by its pid.
class ForegroundCluster
{
public:
    ForegroundCluster(const QString &runDir, const QProcessEnvironment &env)
        : m_runDir(runDir), m_env(env)
    {
        m_up.setProcessEnvironment(env);
        m_up.setProcessChannelMode(QProcess::MergedChannels);
    }
    ~ForegroundCluster()
    {
        if (m_up.state() == QProcess::NotRunning)
            return;
        stop();
        if (!m_up.waitForFinished(20000)) {
            m_up.kill();
            m_up.waitForFinished(5000);
        }
    }
    void start(const QStringList &arguments) { m_up.start(QStringLiteral("starling"), arguments); }
    Run stop() const
    {
        return run(QStringLiteral("starling"),
                   {QStringLiteral("down"), QStringLiteral("--run-dir"), m_runDir}, 60000, m_env);
    }
    QProcess &process() { return m_up; }

private:
    QString m_runDir;
    QProcessEnvironment m_env;
    QProcess m_up;
};

} // namespace

class TestPackage : public QObject
{
    Q_OBJECT

private:
    bool m_installedHere = false;
    QSet<QString> m_before;      // under packageRoots(), before installing
    QSet<QString> m_preexisting; // the package's own paths that were there already (/usr/bin)

    void requireRoot()
    {
        if (::geteuid() != 0)
            QSKIP("installing the package needs root (CI runs the tests as root)");
        QVERIFY2(QFileInfo::exists(kDeb), qPrintable(kDeb + QStringLiteral(" was not built")));
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(kDeb),
                 qPrintable(kDeb + QStringLiteral(" is missing: the package_build test (cpack) "
                                                  "makes it; `make package` too")));
    }

    void cleanupTestCase()
    {
        if (m_installedHere && packageInstalled())
            QVERIFY(purgePackage());
    }

    // help2man needs --help from a build machine without a display.
    void consoleHelpNeedsNoDisplay()
    {
        QTemporaryDir home;
        const Run r = run(QStringLiteral(STARLING_CONSOLE), {QStringLiteral("--help")}, 30000,
                          cleanEnvironment(home.path()));
        QVERIFY2(r.code == 0, qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QLatin1String("--demo")), qPrintable(r.out));
    }

    // The completion is made from the help texts; this reads them on its own and checks that
    // every command and every option of every command is offered.
    void completionOffersEveryCommandAndOption()
    {
        const Run help = run(kBuildStarling, {QStringLiteral("--help")});
        QCOMPARE(help.code, 0);
        QStringList commands = commandsIn(help.out);
        QVERIFY2(commands.contains(QLatin1String("status")), qPrintable(help.out));
        commands.sort();
        QCOMPARE(complete(kBuildCompletion, {QStringLiteral("starling"), QString()}), commands);
        for (const QString &command : std::as_const(commands)) {
            const Run own = run(kBuildStarling, {command, QStringLiteral("--help")});
            QVERIFY2(own.code == 0, qPrintable(command + QLatin1Char(' ') + own.describe()));
            const QStringList offered = complete(
                kBuildCompletion, {QStringLiteral("starling"), command, QStringLiteral("--")});
            const QStringList options = longOptionsIn(own.out);
            for (const QString &option : options)
                QVERIFY2(offered.contains(option),
                         qPrintable(QStringLiteral("starling %1 %2 not completed; offered: %3")
                                        .arg(command, option, offered.join(u' '))));
        }
    }

    void lintianReportsNoErrors()
    {
        const Run r =
            run(QStringLiteral("lintian"),
                {QStringLiteral("--tag-display-limit"), QStringLiteral("0"), kDeb}, 240000);
        QVERIFY2(r.code >= 0, qPrintable(r.describe()));
        QStringList errors;
        for (const QString &line : r.out.split(QLatin1Char('\n')))
            if (line.startsWith(QLatin1String("E: ")))
                errors << line;
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
        // Exit 0 also says lintian ran: a crash prints no tag at all.
        QVERIFY2(r.code == 0, qPrintable(r.describe()));
    }

    void installs()
    {
        requireRoot();
        if (packageInstalled())
            QVERIFY2(purgePackage(), "a starling package left by an earlier run cannot be purged");
        m_before = listTree(packageRoots());
        const QStringList packaged = pathsInPackage();
        QVERIFY2(packaged.contains(QLatin1String("/usr/bin/starling")), qPrintable(kDeb));
        for (const QString &path : packaged)
            if (QFileInfo::exists(path))
                m_preexisting.insert(path);
        const Run r = run(QStringLiteral("dpkg"), {QStringLiteral("-i"), kDeb});
        m_installedHere = true;
        QVERIFY2(r.code == 0, qPrintable(r.describe()));
        for (const char *program : {"starling", "starling-node", "starling-console"}) {
            const QString path = QStringLiteral("/usr/bin/") + QLatin1String(program);
            QVERIFY2(QFileInfo(path).isExecutable(), qPrintable(path));
            const Run dynamic = run(QStringLiteral("readelf"), {QStringLiteral("-d"), path});
            QVERIFY2(!dynamic.out.contains(QLatin1String("RPATH")) &&
                         !dynamic.out.contains(QLatin1String("RUNPATH")),
                     qPrintable(path + QStringLiteral(" keeps a build RPATH")));
        }
    }

    void simRunsFromPath()
    {
        requireRoot();
        QTemporaryDir home;
        const auto env = cleanEnvironment(home.path());
        const Run which =
            run(QStringLiteral("bash"),
                {QStringLiteral("-c"), QStringLiteral("command -v starling")}, 30000, env);
        QCOMPARE(which.out.trimmed(), QStringLiteral("/usr/bin/starling"));
        const Run sim = run(QStringLiteral("starling"),
                            {QStringLiteral("sim"), QStringLiteral("--paper")}, 120000, env);
        QVERIFY2(sim.code == 0, qPrintable(sim.describe()));
        QVERIFY2(sim.out.contains(QLatin1String("pdds"), Qt::CaseInsensitive), qPrintable(sim.out));
    }

    // As the systemd unit does: `starling up` in the foreground with the config from
    // /etc/starling; `starling status`, then `starling down` ends it with exit code 0.
    void clusterUpStatusDownFromPath()
    {
        requireRoot();
        QTemporaryDir home;
        QVERIFY(home.isValid());
        const auto env = cleanEnvironment(home.path());
        const QString runDir = home.filePath(QStringLiteral("run"));
        const QString exportDir = home.filePath(QStringLiteral("export"));
        QVERIFY(QDir().mkpath(exportDir));
        ForegroundCluster cluster(runDir, env);
        cluster.start({QStringLiteral("up"), QStringLiteral("--config"),
                       QStringLiteral("/etc/starling/starling.json"), QStringLiteral("--run-dir"),
                       runDir, QStringLiteral("--export"), exportDir, QStringLiteral("--slaves"),
                       QStringLiteral("2")});
        QProcess &up = cluster.process();
        QVERIFY(up.waitForStarted(10000));
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(runDir + QStringLiteral("/cluster.json")) ||
                                     up.state() == QProcess::NotRunning,
                                 90000);
        QVERIFY2(up.state() == QProcess::Running, up.readAll().constData());
        const Run status =
            run(QStringLiteral("starling"),
                {QStringLiteral("status"), QStringLiteral("--run-dir"), runDir}, 30000, env);
        QVERIFY2(status.code == 0, qPrintable(status.describe()));
        QVERIFY2(status.out.contains(QLatin1String("2 slaves")) &&
                     status.out.contains(QLatin1String("slave-3")),
                 qPrintable(status.out));
        const Run down = cluster.stop();
        QVERIFY2(down.code == 0, qPrintable(down.describe()));
        QVERIFY2(up.waitForFinished(30000), "starling up still runs after starling down");
        QVERIFY2(up.exitStatus() == QProcess::NormalExit && up.exitCode() == 0,
                 up.readAll().constData());
    }

    // systemd-analyze checks the unit's syntax, that its programs exist and its man: pages too.
    void unitVerifies()
    {
        requireRoot();
        const Run r =
            run(QStringLiteral("systemd-analyze"),
                {QStringLiteral("verify"), QStringLiteral("/lib/systemd/system/starling.service")},
                60000);
        QVERIFY2(r.code == 0 && r.err.trimmed().isEmpty(), qPrintable(r.describe()));
    }

    void manPagesAndCompletionInstalled()
    {
        requireRoot();
        QTemporaryDir home;
        const auto env = cleanEnvironment(home.path());
        for (const char *page : {"starling", "starling-node", "starling-console"}) {
            const Run where = run(QStringLiteral("man"),
                                  {QStringLiteral("-w"), QString::fromLatin1(page)}, 30000, env);
            QCOMPARE(where.out.trimmed(),
                     QStringLiteral("/usr/share/man/man1/%1.1.gz").arg(QLatin1String(page)));
        }
        QCOMPARE(
            complete(kInstalledCompletion, {QStringLiteral("starling"), QStringLiteral("st")}, env),
            (QStringList{QStringLiteral("status"), QStringLiteral("strategy")}));
    }

    // Every file of the package goes with a purge; every path that was there before installing
    // is still there (compared over the directories the package installs into).
    void purgeLeavesNothingBehind()
    {
        requireRoot();
        if (!packageInstalled())
            QSKIP("the package did not install (see installs)");
        const Run listed =
            run(QStringLiteral("dpkg"), {QStringLiteral("-L"), QStringLiteral("starling")});
        QVERIFY2(listed.code == 0, qPrintable(listed.describe()));
        QVERIFY(purgePackage());
        for (const QString &path : listed.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            if (!path.startsWith(QLatin1Char('/')))
                continue;
            QVERIFY2(QFileInfo::exists(path) == m_preexisting.contains(path),
                     qPrintable(path + (m_preexisting.contains(path)
                                            ? QStringLiteral(" was there before and is gone")
                                            : QStringLiteral(" is left after the purge"))));
        }
        const QSet<QString> after = listTree(packageRoots());
        QStringList left = QStringList(after.cbegin(), after.cend());
        // A package someone installs meanwhile on a shared machine is not a leftover of ours.
        left.erase(std::remove_if(left.begin(), left.end(),
                                  [this](const QString &p) {
                                      return m_before.contains(p) || ownedByOtherPackage(p);
                                  }),
                   left.end());
        QVERIFY2(left.isEmpty(), qPrintable(QStringLiteral("left: ") + left.join(u' ')));
        QStringList gone;
        for (const QString &path : std::as_const(m_before))
            if (!after.contains(path))
                gone << path;
        QVERIFY2(gone.isEmpty(), qPrintable(QStringLiteral("removed: ") + gone.join(u' ')));
    }
};

QTEST_GUILESS_MAIN(TestPackage)
#include "tst_package.moc"
