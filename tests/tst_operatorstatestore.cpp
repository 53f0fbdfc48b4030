// OperatorStateStore: <run dir>/operator-state.json, read with a size bound, replaced atomically.
#include "cluster/operatorstatestore.h"
#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace starling;
using namespace starling::cluster;

namespace {

QJsonObject sampleState(int variant)
{
    QJsonArray history;
    for (int i = 0; i < 3 + variant; ++i)
        history.append(
            QJsonObject{{QStringLiteral("op"), QStringLiteral("weight")},
                        {QStringLiteral("value"), i + 0.5},
                        {QStringLiteral("reason"), QStringLiteral("ünïcode ✓ %1").arg(i)}});
    return {
        {QStringLiteral("version"), 1},
        {QStringLiteral("strategy"), variant ? QStringLiteral("equal") : QStringLiteral("pdds")},
        {QStringLiteral("w1"), 1.5},
        {QStringLiteral("w2"), 0.8 * variant},
        {QStringLiteral("nodes"),
         QJsonObject{{QStringLiteral("slave-2"),
                      QJsonObject{{QStringLiteral("state"), QStringLiteral("DRAINED")},
                                  {QStringLiteral("weight"), 2.0 + variant}}}}},
        {QStringLiteral("history"), history}};
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// A valid JSON object of exactly `size` bytes.
QByteArray objectOfSize(qint64 size)
{
    const QByteArray head = R"({"pad":")";
    const QByteArray tail = R"("})";
    return head + QByteArray(size - head.size() - tail.size(), 'x') + tail;
}

} // namespace

class TestOperatorStateStore : public QObject
{
    Q_OBJECT

private slots:
    void pathIsInRunDir();
    void missingFileIsEmptyObject();
    void missingRunDirIsEmptyObject();
    void saveLoadRoundTrip();
    void saveCreatesRunDir();
    void saveReplacesAtomically();
    void badFile_data();
    void badFile();
    void exactlyMaxBytesLoads();
    void stateFileIsADirectory();
    void saveIntoFileParentFails();
    void readOnlyRunDirKeepsPrevious();
};

void TestOperatorStateStore::pathIsInRunDir()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const OperatorStateStore store(dir.path());
    QCOMPARE(store.path(), dir.filePath(QStringLiteral("operator-state.json")));
}

void TestOperatorStateStore::missingFileIsEmptyObject()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto loaded = OperatorStateStore(dir.path()).load();
    QVERIFY2(loaded.hasValue(), qPrintable(loaded ? QString() : loaded.error()));
    QVERIFY(loaded->isEmpty());
    // Loading does not create anything.
    QVERIFY(QDir(dir.path()).isEmpty());
}

void TestOperatorStateStore::missingRunDirIsEmptyObject()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString runDir = dir.filePath(QStringLiteral("never/created"));
    const auto loaded = OperatorStateStore(runDir).load();
    QVERIFY(loaded.hasValue());
    QVERIFY(loaded->isEmpty());
    QVERIFY(!QFileInfo::exists(runDir));
}

void TestOperatorStateStore::saveLoadRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const OperatorStateStore store(dir.path());
    const auto saved = store.save(sampleState(0));
    QVERIFY2(saved.hasValue(), qPrintable(saved ? QString() : saved.error()));
    const auto loaded = store.load();
    QVERIFY2(loaded.hasValue(), qPrintable(loaded ? QString() : loaded.error()));
    QCOMPARE(*loaded, sampleState(0));
    // A second store on the same directory (the next run) reads the same.
    const auto again = OperatorStateStore(dir.path()).load();
    QVERIFY(again.hasValue());
    QCOMPARE(*again, sampleState(0));
    // An empty object is a valid state too.
    QVERIFY(store.save({}).hasValue());
    QCOMPARE(*store.load(), QJsonObject());
}

void TestOperatorStateStore::saveCreatesRunDir()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString runDir = dir.filePath(QStringLiteral("a/b/.starling"));
    const OperatorStateStore store(runDir);
    QVERIFY(store.save(sampleState(1)).hasValue());
    QVERIFY(QFileInfo(store.path()).isFile());
    QCOMPARE(*store.load(), sampleState(1));
}

void TestOperatorStateStore::saveReplacesAtomically()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const OperatorStateStore store(dir.path());
    QVERIFY(store.save(sampleState(0)).hasValue());
    const QByteArray first = readFile(store.path());
    QVERIFY(!first.isEmpty());

    // A reader that opened the old file (here: a second hard link to it) keeps the complete
    // old version: the new one is written beside it and renamed over, not written in place.
    const QString reader = dir.filePath(QStringLiteral("reader-view"));
    QCOMPARE(
        ::link(QFile::encodeName(store.path()).constData(), QFile::encodeName(reader).constData()),
        0);
    QVERIFY(store.save(sampleState(2)).hasValue());
    QCOMPARE(readFile(reader), first);
    QCOMPARE(*store.load(), sampleState(2));
    QVERIFY(readFile(store.path()) != first);

    // No temporary files are left behind.
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot),
             (QStringList{QStringLiteral("operator-state.json"), QStringLiteral("reader-view")}));
}

void TestOperatorStateStore::badFile_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("error"); // the message must contain it (besides the path)

    const QByteArray good = QJsonDocument(sampleState(0)).toJson();
    QTest::newRow("garbage") << QByteArray("this is not json") << QStringLiteral("not valid JSON");
    QTest::newRow("binary garbage")
        << QByteArray("\x00\xff\xfe\x01{", 5) << QStringLiteral("not valid JSON");
    QTest::newRow("empty file") << QByteArray() << QStringLiteral("not valid JSON");
    QTest::newRow("truncated") << good.left(good.size() / 2) << QStringLiteral("not valid JSON");
    QTest::newRow("missing last brace")
        << good.left(good.lastIndexOf('}')) << QStringLiteral("not valid JSON");
    QTest::newRow("trailing garbage") << good + "xyz" << QStringLiteral("not valid JSON");
    QTest::newRow("a JSON array") << QByteArray(R"([{"version":1}])")
                                  << QStringLiteral("not a JSON object");
    QTest::newRow("a JSON string")
        << QByteArray(R"("version")") << QStringLiteral("not valid JSON");
    QTest::newRow("oversized")
        << objectOfSize(OperatorStateStore::kMaxBytes + 1)
        << QStringLiteral("larger than %1 bytes").arg(OperatorStateStore::kMaxBytes);
}

void TestOperatorStateStore::badFile()
{
    QFETCH(QByteArray, contents);
    QFETCH(QString, error);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const OperatorStateStore store(dir.path());
    QVERIFY(writeFile(store.path(), contents));

    const auto loaded = store.load();
    QVERIFY(!loaded.hasValue());
    QVERIFY2(loaded.error().startsWith(store.path() + QLatin1String(": ")),
             qPrintable(loaded.error()));
    QVERIFY2(loaded.error().contains(error), qPrintable(loaded.error()));
    QVERIFY2(!loaded.error().contains(QLatin1String("no error occurred")),
             qPrintable(loaded.error()));
    // A bad file is reported, not touched: the operator can inspect or fix it.
    QCOMPARE(readFile(store.path()), contents);
}

void TestOperatorStateStore::exactlyMaxBytesLoads()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const OperatorStateStore store(dir.path());
    const QByteArray bytes = objectOfSize(OperatorStateStore::kMaxBytes);
    QCOMPARE(qint64(bytes.size()), OperatorStateStore::kMaxBytes);
    QVERIFY(writeFile(store.path(), bytes));
    const auto loaded = store.load();
    QVERIFY2(loaded.hasValue(), qPrintable(loaded ? QString() : loaded.error()));
    QCOMPARE(loaded->value(QLatin1String("pad")).toString().size(),
             int(OperatorStateStore::kMaxBytes) - 10);
}

void TestOperatorStateStore::stateFileIsADirectory()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const OperatorStateStore store(dir.path());
    QVERIFY(QDir().mkpath(store.path()));

    const auto loaded = store.load();
    QVERIFY(!loaded.hasValue());
    QVERIFY2(loaded.error().startsWith(store.path()), qPrintable(loaded.error()));

    const auto saved = store.save(sampleState(0));
    QVERIFY(!saved.hasValue());
    QVERIFY2(saved.error().startsWith(store.path()), qPrintable(saved.error()));
    QVERIFY(QFileInfo(store.path()).isDir());
}

void TestOperatorStateStore::saveIntoFileParentFails()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString notADir = dir.filePath(QStringLiteral("plain-file"));
    QVERIFY(writeFile(notADir, "keep me"));
    const OperatorStateStore store(notADir);

    const auto saved = store.save(sampleState(0));
    QVERIFY(!saved.hasValue());
    QVERIFY2(saved.error().startsWith(store.path() + QLatin1String(": ")),
             qPrintable(saved.error()));
    QVERIFY2(saved.error().size() > store.path().size() + 2, "the reason is missing");
    QCOMPARE(readFile(notADir), QByteArray("keep me"));
    // Loading from there is "no state yet", the same as a first start.
    const auto loaded = store.load();
    QVERIFY(loaded.hasValue());
    QVERIFY(loaded->isEmpty());
}

void TestOperatorStateStore::readOnlyRunDirKeepsPrevious()
{
    if (::geteuid() == 0)
        QSKIP("running as root: directory permissions are not enforced, so a save cannot be "
              "made to fail this way");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const OperatorStateStore store(dir.path());
    QVERIFY(store.save(sampleState(0)).hasValue());
    QCOMPARE(::chmod(QFile::encodeName(dir.path()).constData(), 0500), 0);
    const auto saved = store.save(sampleState(1));
    ::chmod(QFile::encodeName(dir.path()).constData(), 0700);
    QVERIFY(!saved.hasValue());
    QVERIFY2(saved.error().startsWith(store.path()), qPrintable(saved.error()));
    QCOMPARE(*store.load(), sampleState(0));
}

QTEST_GUILESS_MAIN(TestOperatorStateStore)
#include "tst_operatorstatestore.moc"
