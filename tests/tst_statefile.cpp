// ClusterStateFile: how clients find a running cluster. JSON round trip, owner-only atomic
// writes whatever the umask or the old file's mode, the run-directory rules, clear errors for
// missing and broken files that never reveal the token, and token generation.
#include "cluster/statefile.h"
#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace starling;
using namespace starling::cluster;

namespace {

// Parse errors carry the offset and wording of Qt's JSON parser; tests check only our prefix.
const QString kNotJson = QStringLiteral("not valid UTF-8 JSON at byte ");

bool matches(const QString &error, const QString &expected)
{
    return expected.endsWith(kNotJson) ? error.startsWith(expected) : error == expected;
}

const char kRunDirVariable[] = "STARLING_RUN_DIR";

// The umask is process-wide; tests set it only for their own duration.
class UmaskGuard
{
public:
    explicit UmaskGuard(mode_t mask) : m_previous(::umask(mask)) {}
    ~UmaskGuard() { ::umask(m_previous); }
    UmaskGuard(const UmaskGuard &) = delete;
    UmaskGuard &operator=(const UmaskGuard &) = delete;

private:
    mode_t m_previous;
};

ClusterStateFile sampleState()
{
    ClusterStateFile s;
    s.masterUrl = QStringLiteral("http://127.0.0.1:41234");
    s.bridgeHost = QStringLiteral("127.0.0.1");
    s.bridgePort = 41235;
    s.metricsUrl = QStringLiteral("http://127.0.0.1:41236/metrics");
    s.token = generateToken();
    s.mpiexecPid = 4242;
    s.nodePids = {4243, 4244, 4245, 4246, 4247, 4248};
    s.runDir = QStringLiteral("/home/op/.starling");
    s.startedAtMs = 1795334400123;
    s.slaves = 4;
    s.exportRoot = QStringLiteral("/srv/export");
    s.profilePath = QStringLiteral("/etc/starling/four-slaves.json");
    return s;
}

QByteArray toBytes(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Indented);
}

// The permission bits of path, or -1 if it cannot be examined.
int modeOf(const QString &path)
{
    struct stat info;
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return int(info.st_mode & 07777);
}

QString errorOf(const Expected<ClusterStateFile> &parsed)
{
    return parsed.hasValue() ? QString() : parsed.error();
}

QString errorOf(const Expected<bool> &done)
{
    return done.hasValue() ? QString() : done.error();
}

} // namespace

class TestStateFile : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void jsonRoundTrip_data();
    void jsonRoundTrip();
    void unknownKeysAreIgnored();
    void writeIsOwnerOnly_data();
    void writeIsOwnerOnly();
    void replaceIsAtomic();
    void createsPrivateDirectory();
    void keepsExistingDirectoryMode();
    void writeErrorsNameThePath();
    void writeIntoReadOnlyDirectory();
    void readMissing();
    void readRejected_data();
    void readRejected();
    void untrustedFileRefused_data();
    void untrustedFileRefused();
    void runDirectoryCreatedPrivate();
    void runDirectoryRefused_data();
    void runDirectoryRefused();
    void runDirPrecedence_data();
    void runDirPrecedence();
    void stateFilePathJoins_data();
    void stateFilePathJoins();
    void tokens();

private:
    bool m_hadRunDir = false;
    QByteArray m_runDir;
};

void TestStateFile::init()
{
    m_hadRunDir = qEnvironmentVariableIsSet(kRunDirVariable);
    m_runDir = qgetenv(kRunDirVariable);
}

void TestStateFile::cleanup()
{
    if (m_hadRunDir)
        qputenv(kRunDirVariable, m_runDir);
    else
        qunsetenv(kRunDirVariable);
}

void TestStateFile::jsonRoundTrip_data()
{
    QTest::addColumn<bool>("sparse");
    QTest::newRow("running cluster") << false;
    QTest::newRow("starting: no ports, pids or profile yet") << true;
}

void TestStateFile::jsonRoundTrip()
{
    QFETCH(bool, sparse);
    ClusterStateFile state = sampleState();
    if (sparse) {
        state.bridgePort = 0;
        state.masterUrl.clear();
        state.metricsUrl.clear();
        state.nodePids.clear();
        state.profilePath.clear();
    }
    const QByteArray text = toBytes(state.toJson());
    const Expected<ClusterStateFile> back = ClusterStateFile::fromJson(text, QStringLiteral("x"));
    QVERIFY2(back.hasValue(), qPrintable(errorOf(back)));
    QVERIFY2(*back == state, text.constData());
    QCOMPARE(toBytes(back->toJson()), text);
}

void TestStateFile::unknownKeysAreIgnored()
{
    // A newer `starling up` may add keys; older clients must still find the cluster.
    const ClusterStateFile state = sampleState();
    QJsonObject object = state.toJson();
    object.insert(QStringLiteral("future_key"), QStringLiteral("anything"));
    const auto parsed = ClusterStateFile::fromJson(toBytes(object), QStringLiteral("x"));
    QVERIFY2(parsed.hasValue(), qPrintable(errorOf(parsed)));
    QVERIFY(*parsed == state);
}

void TestStateFile::writeIsOwnerOnly_data()
{
    QTest::addColumn<int>("umask");
    QTest::addColumn<int>("oldMode"); // -1 = no file before
    for (int mask : {0000, 0022, 0077}) {
        for (int old : {-1, 0644, 0666, 0600}) {
            QTest::addRow("umask %03o, old file %s", mask,
                          old < 0 ? "none" : qPrintable(QString::number(old, 8)))
                << mask << old;
        }
    }
}

void TestStateFile::writeIsOwnerOnly()
{
    QFETCH(int, umask);
    QFETCH(int, oldMode);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = stateFilePath(dir.path());
    if (oldMode >= 0) {
        QVERIFY(writeFile(path, QByteArrayLiteral("{\"old\": true}")));
        QCOMPARE(::chmod(QFile::encodeName(path).constData(), mode_t(oldMode)), 0);
        QCOMPARE(modeOf(path), oldMode);
    }
    const ClusterStateFile state = sampleState();
    {
        UmaskGuard guard{mode_t(umask)};
        const Expected<bool> written = writeStateFile(path, state);
        QVERIFY2(written.hasValue(), qPrintable(errorOf(written)));
    }
    QCOMPARE(modeOf(path), 0600);
    const Expected<ClusterStateFile> read = readStateFile(path);
    QVERIFY2(read.hasValue(), qPrintable(errorOf(read)));
    QVERIFY(*read == state);
    // Nothing but the state file is left behind (no temporary files).
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
             QStringList{QStringLiteral("cluster.json")});
}

void TestStateFile::replaceIsAtomic()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = stateFilePath(dir.path());
    ClusterStateFile first = sampleState();
    QVERIFY(writeStateFile(path, first).hasValue());

    // A reader that opened the old file keeps reading the complete old file: the new one
    // replaces it by rename, never by truncating and rewriting in place.
    QFile reader(path);
    QVERIFY(reader.open(QIODevice::ReadOnly));
    ClusterStateFile second = sampleState();
    second.bridgePort = 50000;
    second.nodePids.push_back(4249);
    QVERIFY(writeStateFile(path, second).hasValue());

    const auto oldView = ClusterStateFile::fromJson(reader.readAll(), path);
    QVERIFY2(oldView.hasValue(), qPrintable(errorOf(oldView)));
    QVERIFY(*oldView == first);
    const auto newView = readStateFile(path);
    QVERIFY2(newView.hasValue(), qPrintable(errorOf(newView)));
    QVERIFY(*newView == second);
    QCOMPARE(modeOf(path), 0600);
}

void TestStateFile::createsPrivateDirectory()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString runDir = dir.filePath(QStringLiteral("nested/run"));
    {
        UmaskGuard guard{0};
        const Expected<bool> written = writeStateFile(stateFilePath(runDir), sampleState());
        QVERIFY2(written.hasValue(), qPrintable(errorOf(written)));
    }
    QCOMPARE(modeOf(runDir), 0700);
    QCOMPARE(modeOf(stateFilePath(runDir)), 0600);
    QVERIFY(readStateFile(stateFilePath(runDir)).hasValue());
}

void TestStateFile::keepsExistingDirectoryMode()
{
    // The run directory may be shared on purpose (a team's ./.starling); only the file inside,
    // which holds the token, is forced private.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString runDir = dir.filePath(QStringLiteral("shared"));
    QVERIFY(QDir().mkdir(runDir));
    QCOMPARE(::chmod(QFile::encodeName(runDir).constData(), 0755), 0);
    QVERIFY(writeStateFile(stateFilePath(runDir), sampleState()).hasValue());
    QCOMPARE(modeOf(runDir), 0755);
    QCOMPARE(modeOf(stateFilePath(runDir)), 0600);
}

void TestStateFile::writeErrorsNameThePath()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const ClusterStateFile state = sampleState();

    // The run directory's place is taken by a regular file.
    const QString blocker = dir.filePath(QStringLiteral("run"));
    QVERIFY(writeFile(blocker, "not a directory"));
    const Expected<bool> noDir = writeStateFile(stateFilePath(blocker), state);
    QVERIFY(!noDir.hasValue());
    QCOMPARE(noDir.error(), blocker + QStringLiteral(": cannot create the directory"));

    // The state file's place is taken by a directory.
    const QString occupied = stateFilePath(dir.path());
    QVERIFY(QDir().mkdir(occupied));
    const Expected<bool> isDir = writeStateFile(occupied, state);
    QVERIFY(!isDir.hasValue());
    QVERIFY2(isDir.error().startsWith(occupied + QStringLiteral(": cannot write: ")),
             qPrintable(isDir.error()));
    QVERIFY(!isDir.error().contains(state.token));
    QVERIFY(!isDir.error().contains(QLatin1Char('\n')));
}

void TestStateFile::writeIntoReadOnlyDirectory()
{
    if (::geteuid() == 0)
        QSKIP("root writes into any directory; this case needs an ordinary user");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QCOMPARE(::chmod(QFile::encodeName(dir.path()).constData(), 0500), 0);
    const ClusterStateFile state = sampleState();
    const Expected<bool> written = writeStateFile(stateFilePath(dir.path()), state);
    QCOMPARE(::chmod(QFile::encodeName(dir.path()).constData(), 0700), 0);
    QVERIFY(!written.hasValue());
    QVERIFY2(written.error().startsWith(stateFilePath(dir.path()) + QStringLiteral(": ")),
             qPrintable(written.error()));
    QVERIFY(!written.error().contains(state.token));
    QVERIFY(!QFile::exists(stateFilePath(dir.path())));
}

void TestStateFile::readMissing()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = stateFilePath(dir.filePath(QStringLiteral(".starling")));
    const Expected<ClusterStateFile> read = readStateFile(path);
    QVERIFY(!read.hasValue());
    QCOMPARE(read.error(), QStringLiteral("no cluster found: ") + path +
                               QStringLiteral(" does not exist (start one with: starling up)"));

    // A relative path is reported as the absolute one, so the user sees where it looked.
    const QString previous = QDir::currentPath();
    QVERIFY(QDir::setCurrent(dir.path()));
    const Expected<ClusterStateFile> relative =
        readStateFile(QStringLiteral(".starling/cluster.json"));
    QVERIFY(QDir::setCurrent(previous));
    QVERIFY(!relative.hasValue());
    QCOMPARE(relative.error(), read.error());
}

void TestStateFile::readRejected_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("message"); // exact, after "<path>: "
    QTest::addColumn<QString>("token");   // must not appear in the message

    const ClusterStateFile state = sampleState();
    const QJsonObject good = state.toJson();
    const auto row = [&](const char *name, const QByteArray &bytes, const QString &message) {
        QTest::newRow(name) << bytes << message << state.token;
    };
    const auto changed = [&](const char *key, const QJsonValue &value) {
        QJsonObject object = good;
        object.insert(QLatin1String(key), value);
        return toBytes(object);
    };
    const auto without = [&](const char *key) {
        QJsonObject object = good;
        object.remove(QLatin1String(key));
        return toBytes(object);
    };

    const QByteArray full = toBytes(good);
    const qsizetype afterToken = full.indexOf(state.token.toLatin1()) + state.token.size() + 2;
    row("empty file", QByteArray(), kNotJson);
    row("garbage bytes", QByteArrayLiteral("\x1f\x8b\x08\x00garbage"), kNotJson);
    row("truncated after the token", full.left(afterToken), kNotJson);
    row("top-level array", QByteArrayLiteral("[]"),
        QStringLiteral("the top level must be a JSON object"));
    row("oversized", full + QByteArray(ClusterStateFile::kMaxFileBytes, ' '),
        QStringLiteral("larger than the limit of 1048576 bytes"));

    row("token missing", without("token"), QStringLiteral("missing key \"token\""));
    row("master_url missing", without("master_url"), QStringLiteral("missing key \"master_url\""));
    row("node_pids missing", without("node_pids"), QStringLiteral("missing key \"node_pids\""));
    const QString tokenRule = QStringLiteral(
        "\"token\" must be 1 to 1024 printable ASCII characters without spaces, got ");
    row("token a number", changed("token", 7), tokenRule + QStringLiteral("a number"));
    row("token empty", changed("token", QString()), tokenRule + QStringLiteral("a string"));
    row("token with a space", changed("token", QString(state.token + QStringLiteral(" x"))),
        tokenRule + QStringLiteral("a string"));
    row("token with a line break", changed("token", QString(state.token + QStringLiteral("\n"))),
        tokenRule + QStringLiteral("a string"));
    row("token too long", changed("token", state.token.repeated(17)),
        tokenRule + QStringLiteral("a string"));

    row("bridge_port a string", changed("bridge_port", QStringLiteral("x")),
        QStringLiteral("\"bridge_port\" must be an integer from 0 to 65535, got \"x\""));
    row("bridge_port too large", changed("bridge_port", 70000),
        QStringLiteral("\"bridge_port\" must be an integer from 0 to 65535, got 70000"));
    row("master_url a number", changed("master_url", 80),
        QStringLiteral("\"master_url\" must be a string, got 80"));
    row("mpiexec_pid negative", changed("mpiexec_pid", -1),
        QStringLiteral("\"mpiexec_pid\" must be an integer from 0 to 2147483647, got -1"));
    row("started_at_ms fractional", changed("started_at_ms", 1.5),
        QStringLiteral("\"started_at_ms\" must be an integer from 0 to 9007199254740992, got 1.5"));
    row("slaves too many", changed("slaves", 4097),
        QStringLiteral("\"slaves\" must be an integer from 0 to 4096, got 4097"));
    row("node_pids an object", changed("node_pids", QJsonObject()),
        QStringLiteral("\"node_pids\" must be an array, got {}"));
    row("node_pids with a zero", changed("node_pids", QJsonArray{12, 0}),
        QStringLiteral("\"node_pids\"[1] must be a process id from 1 to 2147483647, got 0"));
    row("node_pids with a string", changed("node_pids", QJsonArray{QStringLiteral("12")}),
        QStringLiteral("\"node_pids\"[0] must be a process id from 1 to 2147483647, got \"12\""));
    row("node_pids with a fraction", changed("node_pids", QJsonArray{12.5}),
        QStringLiteral("\"node_pids\"[0] must be a process id from 1 to 2147483647, got 12.5"));
    QJsonArray tooMany;
    for (int i = 0; i <= ClusterStateFile::kMaxNodePids; ++i)
        tooMany.append(i + 1);
    row("node_pids too many", changed("node_pids", tooMany),
        QStringLiteral("\"node_pids\" has 4099 elements, more than the limit of 4098"));
}

void TestStateFile::readRejected()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, message);
    QFETCH(QString, token);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = stateFilePath(dir.path());
    QVERIFY(writeFile(path, bytes));
    const Expected<ClusterStateFile> read = readStateFile(path);
    QVERIFY(!read.hasValue());
    const QString expected = path + QStringLiteral(": ") + message;
    QVERIFY2(matches(read.error(), expected),
             qPrintable(read.error() + QStringLiteral("\n expected: ") + expected));
    QVERIFY(!read.error().contains(QLatin1Char('\n')));
    QVERIFY(!read.error().contains(token));
}

void TestStateFile::runDirPrecedence_data()
{
    QTest::addColumn<QString>("flag");
    QTest::addColumn<int>("env"); // 0 unset, 1 set to envValue
    QTest::addColumn<QString>("envValue");
    QTest::addColumn<QString>("expected");
    const QString cwd = QDir::currentPath();
    const QString fallback = cwd + QStringLiteral("/.starling");
    QTest::newRow("nothing set") << QString() << 0 << QString() << fallback;
    QTest::newRow("env empty") << QString() << 1 << QString() << fallback;
    QTest::newRow("env absolute") << QString() << 1 << QStringLiteral("/var/run/starling")
                                  << QStringLiteral("/var/run/starling");
    QTest::newRow("env relative") << QString() << 1 << QStringLiteral("runs/a")
                                  << cwd + QStringLiteral("/runs/a");
    QTest::newRow("flag beats env")
        << QStringLiteral("/opt/run") << 1 << QStringLiteral("/var/run/starling")
        << QStringLiteral("/opt/run");
    QTest::newRow("flag without env")
        << QStringLiteral("/opt/run") << 0 << QString() << QStringLiteral("/opt/run");
    QTest::newRow("flag relative")
        << QStringLiteral("here") << 0 << QString() << cwd + QStringLiteral("/here");
    QTest::newRow("flag cleaned") << QStringLiteral("/opt//a/../run/./") << 0 << QString()
                                  << QStringLiteral("/opt/run");
    QTest::newRow("env cleaned") << QString() << 1 << QStringLiteral("/tmp/x/../y/")
                                 << QStringLiteral("/tmp/y");
}

void TestStateFile::runDirPrecedence()
{
    QFETCH(QString, flag);
    QFETCH(int, env);
    QFETCH(QString, envValue);
    QFETCH(QString, expected);
    if (env == 1)
        QVERIFY(qputenv(kRunDirVariable, envValue.toLocal8Bit()));
    else
        qunsetenv(kRunDirVariable);
    QCOMPARE(resolveRunDir(flag), expected);
}

void TestStateFile::stateFilePathJoins_data()
{
    QTest::addColumn<QString>("runDir");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << QStringLiteral("/x/.starling")
                           << QStringLiteral("/x/.starling/cluster.json");
    QTest::newRow("trailing slash")
        << QStringLiteral("/x/run/") << QStringLiteral("/x/run/cluster.json");
}

void TestStateFile::stateFilePathJoins()
{
    QFETCH(QString, runDir);
    QFETCH(QString, expected);
    QCOMPARE(stateFilePath(runDir), expected);
}

void TestStateFile::tokens()
{
    static const QRegularExpression format(QStringLiteral("^[0-9a-f]{64}$"));
    const QString first = generateToken();
    const QString second = generateToken();
    QVERIFY2(format.match(first).hasMatch(), qPrintable(first));
    QVERIFY2(format.match(second).hasMatch(), qPrintable(second));
    QVERIFY(first != second);
}

// Whoever can write the state file can point every client at a master of their own (and collect
// the token the console then presents): another user's file, or one group or others may write,
// is refused by every reader with one line.
void TestStateFile::untrustedFileRefused_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<bool>("otherOwner");
    QTest::addColumn<QString>("message");
    const QString writable = QStringLiteral("is writable by group or others");
    QTest::newRow("0664") << 0664 << false << writable + QStringLiteral(" (mode 0664)");
    QTest::newRow("0602") << 0602 << false << writable + QStringLiteral(" (mode 0602)");
    QTest::newRow("0666") << 0666 << false << writable + QStringLiteral(" (mode 0666)");
    QTest::newRow("nobody's") << 0600 << true << QStringLiteral("belongs to uid 65534");
}

void TestStateFile::untrustedFileRefused()
{
    QFETCH(int, mode);
    QFETCH(bool, otherOwner);
    QFETCH(QString, message);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = stateFilePath(dir.path());
    const ClusterStateFile state = sampleState();
    QVERIFY(writeStateFile(path, state).hasValue());
    QVERIFY(readStateFile(path).hasValue());
    const QByteArray native = QFile::encodeName(path);
    QCOMPARE(::chmod(native.constData(), mode_t(mode)), 0);
    if (otherOwner) {
        if (::geteuid() != 0)
            QSKIP("giving a file to another user needs root");
        QCOMPARE(::chown(native.constData(), 65534, 65534), 0);
    }
    const Expected<ClusterStateFile> read = readStateFile(path);
    QVERIFY(!read.hasValue());
    QVERIFY2(read.error().startsWith(path + QStringLiteral(": ") + message),
             qPrintable(read.error()));
    QVERIFY2(read.error().contains(QLatin1String("refusing it")), qPrintable(read.error()));
    QVERIFY(!read.error().contains(QLatin1Char('\n')));
    QVERIFY(!read.error().contains(state.token));
}

void TestStateFile::runDirectoryCreatedPrivate()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString runDir = dir.filePath(QStringLiteral("a/b/run"));
    {
        UmaskGuard guard{0};
        const Expected<bool> made = ensureRunDirectory(runDir);
        QVERIFY2(made.hasValue(), qPrintable(errorOf(made)));
    }
    QCOMPARE(modeOf(runDir), 0700);
    // An existing directory of ours that nobody else may write is taken as it is.
    QCOMPARE(::chmod(QFile::encodeName(runDir).constData(), 0755), 0);
    QVERIFY(ensureRunDirectory(runDir).hasValue());
    QCOMPARE(modeOf(runDir), 0755);
}

void TestStateFile::runDirectoryRefused_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<bool>("otherOwner");
    QTest::addColumn<QString>("message");
    QTest::newRow("0777") << 0777 << false
                          << QStringLiteral("the run directory is writable by group or others "
                                            "(mode 0777)");
    QTest::newRow("sticky 1777") << 01777 << false
                                 << QStringLiteral("the run directory is writable by group or "
                                                   "others (mode 1777)");
    QTest::newRow("0770") << 0770 << false
                          << QStringLiteral("the run directory is writable by group or others "
                                            "(mode 0770)");
    QTest::newRow("nobody's") << 0700 << true
                              << QStringLiteral("the run directory belongs to uid 65534");
}

void TestStateFile::runDirectoryRefused()
{
    QFETCH(int, mode);
    QFETCH(bool, otherOwner);
    QFETCH(QString, message);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString runDir = dir.filePath(QStringLiteral("run"));
    QVERIFY(QDir().mkdir(runDir));
    const QByteArray native = QFile::encodeName(runDir);
    QCOMPARE(::chmod(native.constData(), mode_t(mode)), 0);
    if (otherOwner) {
        if (::geteuid() != 0)
            QSKIP("giving a directory to another user needs root");
        QCOMPARE(::chown(native.constData(), 65534, 65534), 0);
    }
    const Expected<bool> made = ensureRunDirectory(runDir);
    QVERIFY(!made.hasValue());
    QVERIFY2(made.error().startsWith(runDir + QStringLiteral(": ") + message),
             qPrintable(made.error()));
    QVERIFY(!made.error().contains(QLatin1Char('\n')));
}

QTEST_APPLESS_MAIN(TestStateFile)
#include "tst_statefile.moc"
