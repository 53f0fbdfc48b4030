// BlockRecord: the resume record of `starling get`. JSON and file round trips (bitmap edge
// sizes), atomic saves, and every way a record on disk can be wrong (garbage, truncated,
// oversized, edited, for another file or another version of it): each one an error, one line
// starting with the path, never a crash or a record that would resume the wrong bytes.
#include "testutil.h"
#include "transfer/blockrecord.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace starling;
using namespace starling::transfer;

namespace {

const QByteArray kEtag = "\"4000-17f00aa\"";
const QByteArray kSha = QByteArray(64, 'a');

TransferPlan planOf(qint64 size, qint64 pieceSize)
{
    TransferPlan plan;
    plan.transferId = QStringLiteral("t1");
    plan.path = QStringLiteral("data/big file.bin");
    plan.size = size;
    plan.mtimeMs = 1718000000123;
    plan.etag = kEtag;
    plan.pieceSize = pieceSize;
    plan.sha256 = kSha;
    plan.strategy = QStringLiteral("equal");
    plan.sources.push_back(
        {2, QStringLiteral("slave-2"), QUrl(QStringLiteral("http://127.0.0.1:1")), 0, 1});
    for (qint64 offset = 0, i = 0; offset < size; offset += pieceSize, ++i)
        plan.blocks.push_back(
            {int(i), offset, qMin(pieceSize, size - offset), QByteArray(64, 'b'), 0});
    return plan;
}

QJsonObject validJson()
{
    BlockRecord record = BlockRecord::forPlan(planOf(10 * 1024, 1024));
    record.verified[0] = record.verified[3] = record.verified[9] = true;
    return record.toJson();
}

QByteArray bytesOf(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject with(QJsonObject object, const char *key, const QJsonValue &value)
{
    if (value.isUndefined())
        object.remove(QLatin1String(key));
    else
        object.insert(QLatin1String(key), value);
    return object;
}

} // namespace

class TestBlockRecord : public QObject
{
    Q_OBJECT

private slots:
    void forPlan();
    void roundTrip_data();
    void roundTrip();
    void saveAndLoad();
    void saveReplacesAtomically();
    void loadMissing();
    void rejects_data();
    void rejects();
    void mismatch_data();
    void mismatch();
    void fileNames();
};

void TestBlockRecord::forPlan()
{
    const TransferPlan plan = planOf(5000, 1024);
    const BlockRecord record = BlockRecord::forPlan(plan);
    QCOMPARE(record.path, plan.path);
    QCOMPARE(record.size, 5000);
    QCOMPARE(record.mtimeMs, plan.mtimeMs);
    QCOMPARE(record.etag, kEtag);
    QCOMPARE(record.sha256, kSha);
    QCOMPARE(record.pieceSize, 1024);
    QCOMPARE(record.blockCount(), 5);
    QCOMPARE(record.verifiedCount(), 0);
    QVERIFY(record.mismatchWith(plan).isEmpty());
}

void TestBlockRecord::roundTrip_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<qint64>("pieceSize");
    QTest::addColumn<QList<int>>("verified");
    QTest::newRow("empty file") << qint64(0) << qint64(1024) << QList<int>{};
    QTest::newRow("one block, not verified") << qint64(1) << qint64(1024) << QList<int>{};
    QTest::newRow("one block, verified") << qint64(1023) << qint64(1024) << QList<int>{0};
    QTest::newRow("7 blocks, all")
        << qint64(7 * 1024) << qint64(1024) << QList<int>{0, 1, 2, 3, 4, 5, 6};
    QTest::newRow("8 blocks, last") << qint64(8 * 1024) << qint64(1024) << QList<int>{7};
    QTest::newRow("9 blocks, byte edge")
        << qint64(8 * 1024 + 1) << qint64(1024) << QList<int>{0, 7, 8};
    QTest::newRow("1000 blocks, sparse") << qint64(1000) << qint64(1) << QList<int>{1, 500, 999};
    QTest::newRow("odd size, big pieces")
        << qint64(3) * 16 * 1024 * 1024 + 17 << qint64(16 * 1024 * 1024) << QList<int>{1, 3};
}

void TestBlockRecord::roundTrip()
{
    QFETCH(qint64, size);
    QFETCH(qint64, pieceSize);
    QFETCH(QList<int>, verified);
    BlockRecord record = BlockRecord::forPlan(planOf(size, pieceSize));
    for (const int i : verified)
        record.verified[size_t(i)] = true;
    const auto back = BlockRecord::fromJson(bytesOf(record.toJson()), QStringLiteral("r"));
    QVERIFY2(back.hasValue(), qPrintable(back.hasValue() ? QString() : back.error()));
    QVERIFY(*back == record);
    QCOMPARE(back->verifiedCount(), verified.size());
}

void TestBlockRecord::saveAndLoad()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const TransferPlan plan = planOf(20 * 1024 + 5, 1024);
    BlockRecord record = BlockRecord::forPlan(plan);
    record.verified[2] = record.verified[20] = true;
    const QString path = dir.filePath(QStringLiteral("out.bin.starling-part.json"));
    const auto saved = record.save(path);
    QVERIFY2(saved.hasValue(), qPrintable(saved.hasValue() ? QString() : saved.error()));
    const auto loaded = BlockRecord::load(path, plan);
    QVERIFY2(loaded.hasValue(), qPrintable(loaded.hasValue() ? QString() : loaded.error()));
    QVERIFY(*loaded == record);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden),
             QStringList{QStringLiteral("out.bin.starling-part.json")});
}

void TestBlockRecord::saveReplacesAtomically()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const TransferPlan plan = planOf(4096, 1024);
    const QString path = dir.filePath(QStringLiteral("r.json"));
    BlockRecord first = BlockRecord::forPlan(plan);
    first.verified[0] = true;
    QVERIFY(first.save(path).hasValue());
    // A reader of the old file keeps the complete old record: saving renames a new file over
    // it, never truncates it in place (a crash mid-save must leave a loadable record).
    QFile reader(path);
    QVERIFY(reader.open(QIODevice::ReadOnly));
    BlockRecord second = first;
    second.verified[1] = true;
    QVERIFY(second.save(path).hasValue());
    const auto oldView = BlockRecord::fromJson(reader.readAll(), path);
    QVERIFY(oldView.hasValue());
    QVERIFY(*oldView == first);
    const auto newView = BlockRecord::load(path, plan);
    QVERIFY(newView.hasValue());
    QVERIFY(*newView == second);
}

void TestBlockRecord::loadMissing()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto loaded = BlockRecord::load(dir.filePath(QStringLiteral("none.json")), planOf(10, 4));
    QVERIFY(!loaded.hasValue());
    QCOMPARE(loaded.errorCode(), QStringLiteral("missing"));
}

void TestBlockRecord::rejects_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected"); // the error after "<path>: "

    const QJsonObject ok = validJson();
    const QByteArray okBytes = bytesOf(ok);
    const QString notJson = QStringLiteral("not valid UTF-8 JSON at byte");
    QTest::newRow("empty file") << QByteArray() << notJson;
    QTest::newRow("garbage") << QByteArray("\x89PNG\r\n\x1a\n\0\0", 10) << notJson;
    QTest::newRow("truncated") << okBytes.left(okBytes.size() / 2) << notJson;
    QTest::newRow("truncated by one byte") << okBytes.chopped(1) << notJson;
    QTest::newRow("array") << QByteArray("[1,2]")
                           << QStringLiteral("the top level must be a JSON object");
    QTest::newRow("oversized")
        << QByteArray(BlockRecord::kMaxFileBytes + 1, ' ')
        << QStringLiteral("larger than the limit of %1 bytes").arg(BlockRecord::kMaxFileBytes);
    QTest::newRow("missing key") << bytesOf(with(ok, "etag", QJsonValue::Undefined))
                                 << QStringLiteral("\"etag\"");
    QTest::newRow("unknown key") << bytesOf(with(ok, "extra", 1)) << QStringLiteral("\"extra\"");
    QTest::newRow("newer version")
        << bytesOf(with(ok, "version", 2)) << QStringLiteral("version 2 is not supported");
    QTest::newRow("version as text")
        << bytesOf(with(ok, "version", QStringLiteral("1"))) << QStringLiteral("\"version\"");
    QTest::newRow("negative size") << bytesOf(with(ok, "size", -1)) << QStringLiteral("\"size\"");
    QTest::newRow("fractional size")
        << bytesOf(with(ok, "size", 10.5)) << QStringLiteral("\"size\"");
    QTest::newRow("zero piece size")
        << bytesOf(with(ok, "piece_size", 0)) << QStringLiteral("\"piece_size\"");
    QTest::newRow("unquoted etag")
        << bytesOf(with(ok, "etag", QStringLiteral("abc"))) << QStringLiteral("\"etag\"");
    QTest::newRow("short hash") << bytesOf(with(ok, "sha256", QStringLiteral("abc")))
                                << QStringLiteral("\"sha256\"");
    QTest::newRow("upper-case hash")
        << bytesOf(with(ok, "sha256", QString(64, u'A'))) << QStringLiteral("\"sha256\"");
    QTest::newRow("empty path") << bytesOf(with(ok, "path", QString()))
                                << QStringLiteral("\"path\"");
    QTest::newRow("block count off by one")
        << bytesOf(with(ok, "blocks", 11)) << QStringLiteral("11 blocks do not fit");
    QTest::newRow("too many blocks")
        << bytesOf(with(ok, "blocks", (1 << 20) + 1)) << QStringLiteral("\"blocks\"");
    QTest::newRow("bitmap not base64")
        << bytesOf(with(ok, "verified", QStringLiteral("!!!!")))
        << QStringLiteral("\"verified\" must be base64 of 2 bytes for 10 blocks");
    QTest::newRow("bitmap too short")
        << bytesOf(with(ok, "verified", QString::fromLatin1(QByteArray("\x01").toBase64())))
        << QStringLiteral("\"verified\" must be base64 of 2 bytes");
    QTest::newRow("bitmap too long")
        << bytesOf(with(ok, "verified", QString::fromLatin1(QByteArray(3, '\x01').toBase64())))
        << QStringLiteral("\"verified\" must be base64 of 2 bytes");
    QTest::newRow("bitmap past the last block")
        << bytesOf(with(ok, "verified", QString::fromLatin1(QByteArray("\x01\x04").toBase64())))
        << QStringLiteral("\"verified\" marks blocks past the last one");
    QTest::newRow("bitmap as number")
        << bytesOf(with(ok, "verified", 3)) << QStringLiteral("\"verified\"");
}

void TestBlockRecord::rejects()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("r.json"));
    QVERIFY(writeFile(path, bytes));
    const auto loaded = BlockRecord::load(path, planOf(10 * 1024, 1024));
    QVERIFY(!loaded.hasValue());
    QVERIFY2(loaded.error().startsWith(path + QStringLiteral(": ")), qPrintable(loaded.error()));
    QVERIFY2(loaded.error().contains(expected), qPrintable(loaded.error()));
    QVERIFY(!loaded.error().contains(u'\n'));
    QVERIFY(loaded.errorCode() != QLatin1String("missing"));
}

void TestBlockRecord::mismatch_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("expected");
    const QString changed = QStringLiteral("the file changed on the server");
    QTest::newRow("path") << QStringLiteral("path")
                          << QStringLiteral("it is for data/big file.bin, not data/other");
    QTest::newRow("size") << QStringLiteral("size") << changed;
    QTest::newRow("mtime") << QStringLiteral("mtime") << changed;
    QTest::newRow("etag") << QStringLiteral("etag") << changed;
    QTest::newRow("sha256") << QStringLiteral("sha256") << changed;
    QTest::newRow("piece size") << QStringLiteral("piece") << QStringLiteral("piece size 1024");
}

void TestBlockRecord::mismatch()
{
    QFETCH(QString, field);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const TransferPlan original = planOf(10 * 1024, 1024);
    BlockRecord record = BlockRecord::forPlan(original);
    record.verified[1] = true;
    const QString path = dir.filePath(QStringLiteral("r.json"));
    QVERIFY(record.save(path).hasValue());

    TransferPlan plan = original;
    if (field == u"path")
        plan.path = QStringLiteral("data/other");
    else if (field == u"size")
        plan = planOf(10 * 1024 + 1, 1024);
    else if (field == u"mtime")
        plan.mtimeMs += 1;
    else if (field == u"etag")
        plan.etag = "\"4000-17f00ab\"";
    else if (field == u"sha256")
        plan.sha256 = QByteArray(64, 'c');
    else
        plan = planOf(10 * 1024, 2048);
    QVERIFY(!record.mismatchWith(plan).isEmpty());
    const auto loaded = BlockRecord::load(path, plan);
    QVERIFY(!loaded.hasValue());
    QVERIFY2(loaded.error().startsWith(path + QStringLiteral(": ")), qPrintable(loaded.error()));
    QVERIFY2(loaded.error().contains(expected), qPrintable(loaded.error()));
    QVERIFY(BlockRecord::load(path, original).hasValue());
}

void TestBlockRecord::fileNames()
{
    QCOMPARE(partFilePath(QStringLiteral("/tmp/a.iso")),
             QStringLiteral("/tmp/a.iso.starling-part"));
    QCOMPARE(recordFilePath(QStringLiteral("a.iso")), QStringLiteral("a.iso.starling-part.json"));
}

QTEST_GUILESS_MAIN(TestBlockRecord)
#include "tst_blockrecord.moc"
