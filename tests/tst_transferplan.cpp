// TransferPlan, the document a client downloads by: JSON round trip, block URLs (percent-encoded
// paths and query), piece size and ETag rules, and fromJson refusing everything a hostile or
// broken master could send: garbage, truncation, wrong types, gaps and overlaps, wrong piece
// lengths, bad hashes, URLs, paths and ETags, source indices out of range, oversized arrays.
#include "transfer/blocktagsigner.h"
#include "transfer/sha256.h"
#include "transfer/transferplan.h"
#include "util/jsonobjectreader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QUrlQuery>

using namespace starling;
using namespace starling::transfer;

namespace {

// QVERIFY2 evaluates its message even when the check passes.
template<typename T> QString why(const Expected<T> &result)
{
    return result ? QString() : result.error();
}

QByteArray hashOf(int i)
{
    return Sha256::hexOf(QByteArray::number(i));
}

// 3 sources, 11 blocks of 1024 bytes, the last 5 bytes long.
TransferPlan samplePlan()
{
    TransferPlan plan;
    plan.transferId = QStringLiteral("t-42");
    plan.path = QStringLiteral("dir/data set.bin");
    plan.size = 10 * 1024 + 5;
    plan.mtimeMs = 1795334400123;
    plan.etag = makeEtag(plan.size, plan.mtimeMs * 1000000);
    plan.pieceSize = 1024;
    plan.sha256 = hashOf(-1);
    plan.strategy = QStringLiteral("bw");
    plan.sources = {
        {2, QStringLiteral("slave-0"), QUrl(QStringLiteral("http://127.0.0.1:40001")), 40, 0.5},
        {3, QStringLiteral("slave-1"), QUrl(QStringLiteral("http://127.0.0.1:40002")), 20, 0.3},
        {4, QStringLiteral("slave-2"), QUrl(QStringLiteral("http://[::1]:40003")), 0, 0.2},
    };
    for (int i = 0; i < 11; ++i) {
        plan.blocks.push_back(
            {i, qint64(i) * 1024, i == 10 ? 5 : 1024, hashOf(i), i < 5 ? 0 : (i < 8 ? 1 : 2)});
    }
    return plan;
}

// Sets (or with an undefined value removes) the value at a '/'-separated path of keys and
// array indices, e.g. "blocks/3/offset".
QJsonValue patched(const QJsonValue &node, QStringList path, const QJsonValue &value)
{
    if (path.isEmpty())
        return value;
    const QString key = path.takeFirst();
    if (node.isArray()) {
        QJsonArray array = node.toArray();
        const int index = key.toInt();
        if (path.isEmpty() && value.isUndefined())
            array.removeAt(index);
        else if (index == array.size())
            array.append(patched(QJsonValue(), path, value));
        else
            array[index] = patched(array.at(index), path, value);
        return array;
    }
    QJsonObject object = node.toObject();
    if (path.isEmpty() && value.isUndefined())
        object.remove(key);
    else
        object[key] = patched(object.value(key), path, value);
    return object;
}

QJsonObject patchedPlan(const QString &path, const QJsonValue &value)
{
    return patched(samplePlan().toJson(), path.split(u'/'), value).toObject();
}

const QJsonValue kRemove = QJsonValue(QJsonValue::Undefined);

} // namespace

class TestTransferPlan : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip();
    void roundTripEmptyFile();
    void blockUrl_data();
    void blockUrl();
    void blockUrlQueryEncoding();
    void signedTagTravels();
    void pieceSizeFor_data();
    void pieceSizeFor();
    void makeEtag_data();
    void makeEtag();
    void rejects_data();
    void rejects();
    void rejectsBytes_data();
    void rejectsBytes();
    void tooManyBlocks();
    void tooManySources();
    void hostileValueStaysOnOneLine();
};

void TestTransferPlan::roundTrip()
{
    const TransferPlan plan = samplePlan();
    const QByteArray bytes = QJsonDocument(plan.toJson()).toJson(QJsonDocument::Compact);
    const Expected<TransferPlan> back =
        TransferPlan::fromJson(QJsonDocument::fromJson(bytes).object());
    QVERIFY2(back, qPrintable(why(back)));
    QCOMPARE(back->transferId, plan.transferId);
    QCOMPARE(back->path, plan.path);
    QCOMPARE(back->size, plan.size);
    QCOMPARE(back->mtimeMs, plan.mtimeMs);
    QCOMPARE(back->etag, plan.etag);
    QCOMPARE(back->pieceSize, plan.pieceSize);
    QCOMPARE(back->sha256, plan.sha256);
    QCOMPARE(back->strategy, plan.strategy);
    QCOMPARE(back->sources.size(), plan.sources.size());
    for (size_t i = 0; i < plan.sources.size(); ++i) {
        QCOMPARE(back->sources[i].rank, plan.sources[i].rank);
        QCOMPARE(back->sources[i].name, plan.sources[i].name);
        QCOMPARE(back->sources[i].url, plan.sources[i].url);
        QCOMPARE(back->sources[i].linkMBps, plan.sources[i].linkMBps);
        QCOMPARE(back->sources[i].share, plan.sources[i].share);
    }
    QCOMPARE(back->blocks.size(), plan.blocks.size());
    for (size_t i = 0; i < plan.blocks.size(); ++i) {
        QCOMPARE(back->blocks[i].index, plan.blocks[i].index);
        QCOMPARE(back->blocks[i].offset, plan.blocks[i].offset);
        QCOMPARE(back->blocks[i].length, plan.blocks[i].length);
        QCOMPARE(back->blocks[i].sha256, plan.blocks[i].sha256);
        QCOMPARE(back->blocks[i].source, plan.blocks[i].source);
    }
    // A trailing '/' on a data server URL is accepted and dropped, so block URLs stay clean.
    const Expected<TransferPlan> slash = TransferPlan::fromJson(
        patchedPlan(QStringLiteral("sources/0/url"), QStringLiteral("http://127.0.0.1:40001/")));
    QVERIFY2(slash, qPrintable(why(slash)));
    QCOMPARE(slash->sources[0].url.path(), QString());
}

void TestTransferPlan::roundTripEmptyFile()
{
    TransferPlan plan = samplePlan();
    plan.size = 0;
    plan.blocks.clear();
    plan.sources.clear(); // nothing to fetch: a plan without sources is fine
    const Expected<TransferPlan> back = TransferPlan::fromJson(plan.toJson());
    QVERIFY2(back, qPrintable(why(back)));
    QCOMPARE(back->size, 0);
    QVERIFY(back->blocks.empty());

    // An empty file with one block is inconsistent.
    plan.blocks.push_back({0, 0, 0, hashOf(0), 0});
    QVERIFY(!TransferPlan::fromJson(plan.toJson()));
}

void TestTransferPlan::blockUrl_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("encodedPath");
    QTest::newRow("plain") << QStringLiteral("a.bin") << QByteArray("/files/a.bin");
    QTest::newRow("sub-directories keep '/'")
        << QStringLiteral("x/y/z.bin") << QByteArray("/files/x/y/z.bin");
    QTest::newRow("spaces") << QStringLiteral("my dir/a b.bin")
                            << QByteArray("/files/my%20dir/a%20b.bin");
    QTest::newRow("percent") << QStringLiteral("100%.txt") << QByteArray("/files/100%25.txt");
    QTest::newRow("percent that looks encoded")
        << QStringLiteral("%41%2F.txt") << QByteArray("/files/%2541%252F.txt");
    QTest::newRow("question mark")
        << QStringLiteral("what?.txt") << QByteArray("/files/what%3F.txt");
    QTest::newRow("hash") << QStringLiteral("c#/notes#1") << QByteArray("/files/c%23/notes%231");
    QTest::newRow("sub-delimiters") << QStringLiteral("a+b&c=d;e!$'()*,")
                                    << QByteArray("/files/a%2Bb%26c%3Dd%3Be%21%24%27%28%29%2A%2C");
    QTest::newRow("unicode") << QStringLiteral("naïve/日本.txt")
                             << QByteArray("/files/na%C3%AFve/%E6%97%A5%E6%9C%AC.txt");
    QTest::newRow("unreserved stay") << QStringLiteral("A-z_0.9~") << QByteArray("/files/A-z_0.9~");
    QTest::newRow("newline and tab") << QStringLiteral("a\nb\tc") << QByteArray("/files/a%0Ab%09c");
}

void TestTransferPlan::blockUrl()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, encodedPath);
    TransferPlan plan = samplePlan();
    plan.path = path;
    QVERIFY2(TransferPlan::fromJson(plan.toJson()), "the path must be a valid plan path");
    QCOMPARE(QByteArray("/files/") + encodePath(path), encodedPath);

    const QUrl url = plan.blockUrl(plan.blocks[6], 1);
    QVERIFY(url.isValid());
    QCOMPARE(url.toEncoded(),
             QByteArray("http://127.0.0.1:40002") + encodedPath + QByteArray("?t=t-42&b=6"));
    // What the data server sees after percent-decoding is the plan's path again.
    QCOMPARE(url.path(QUrl::FullyDecoded), QStringLiteral("/files/") + path);
    QCOMPARE(QUrl::fromPercentEncoding(encodedPath), QStringLiteral("/files/") + path);

    const QUrl v6 = plan.blockUrl(plan.blocks[10], 2);
    QCOMPARE(v6.toEncoded(),
             QByteArray("http://[::1]:40003") + encodedPath + QByteArray("?t=t-42&b=10"));
}

void TestTransferPlan::blockUrlQueryEncoding()
{
    // '+' would turn into a space on the server, '&' and '=' would split the query.
    TransferPlan plan = samplePlan();
    plan.transferId = QStringLiteral("a+b&c=d#e%f é");
    const QUrl url = plan.blockUrl(plan.blocks[0], 0);
    QCOMPARE(url.query(QUrl::FullyEncoded), QStringLiteral("t=a%2Bb%26c%3Dd%23e%25f%20%C3%A9&b=0"));
    const QUrlQuery query(url);
    QCOMPARE(query.queryItemValue(QStringLiteral("t"), QUrl::FullyDecoded), plan.transferId);
    QCOMPARE(query.queryItemValue(QStringLiteral("b")), QStringLiteral("0"));
    QVERIFY(!url.hasFragment());
}

// The master's signature of a block's tag survives the JSON and ends the block URL (&s=); the
// signature verifies only for its own transfer, block and path.
void TestTransferPlan::signedTagTravels()
{
    TransferPlan plan = samplePlan();
    const BlockTagSigner signer(QByteArray(64, '7'));
    for (PlanBlock &block : plan.blocks)
        block.tag = signer.sign(plan.transferId, block.index, plan.path);
    QCOMPARE(plan.blocks[3].tag.size(), BlockTagSigner::kSignatureHexChars);
    const Expected<TransferPlan> back = TransferPlan::fromJson(plan.toJson());
    QVERIFY2(back, qPrintable(why(back)));
    for (size_t i = 0; i < plan.blocks.size(); ++i)
        QCOMPARE(back->blocks[i].tag, plan.blocks[i].tag);
    QCOMPARE(back->blockUrl(back->blocks[6], 1).query(QUrl::FullyEncoded),
             QStringLiteral("t=t-42&b=6&s=") + QString::fromLatin1(plan.blocks[6].tag));
    QVERIFY(signer.verifies(plan.transferId, 6, plan.path, plan.blocks[6].tag));
    QVERIFY(!signer.verifies(plan.transferId, 7, plan.path, plan.blocks[6].tag));
    QVERIFY(!signer.verifies(QStringLiteral("t-43"), 6, plan.path, plan.blocks[6].tag));
    QVERIFY(!signer.verifies(plan.transferId, 6, QStringLiteral("other.bin"), plan.blocks[6].tag));
    QVERIFY(!BlockTagSigner(QByteArray(64, '8'))
                 .verifies(plan.transferId, 6, plan.path, plan.blocks[6].tag));
    QVERIFY(!BlockTagSigner().isKeyed());
    QVERIFY(!BlockTagSigner().verifies(plan.transferId, 6, plan.path, QByteArray()));
}

void TestTransferPlan::pieceSizeFor_data()
{
    constexpr qint64 KiB = 1024;
    constexpr qint64 MiB = 1024 * KiB;
    QTest::addColumn<qint64>("fileSize");
    QTest::addColumn<qint64>("pieceSize");
    QTest::newRow("empty") << qint64(0) << 256 * KiB;
    QTest::newRow("1 byte") << qint64(1) << 256 * KiB;
    QTest::newRow("negative") << qint64(-5) << 256 * KiB;
    QTest::newRow("64 MiB: 256 pieces") << 64 * MiB << 256 * KiB;
    QTest::newRow("64 MiB + 256 KiB: 257 pieces") << 64 * MiB + 256 * KiB << 512 * KiB;
    QTest::newRow("256 MiB") << 256 * MiB << 1 * MiB;
    QTest::newRow("1 GiB") << 1024 * MiB << 4 * MiB;
    QTest::newRow("4 GiB") << 4096 * MiB << 16 * MiB;
    QTest::newRow("1 TiB: clamped") << 1024 * 1024 * MiB << 16 * MiB;
    QTest::newRow("largest") << std::numeric_limits<qint64>::max() << 16 * MiB;
}

void TestTransferPlan::pieceSizeFor()
{
    QFETCH(qint64, fileSize);
    QFETCH(qint64, pieceSize);
    QCOMPARE(transfer::pieceSizeFor(fileSize), pieceSize);
    QCOMPARE(pieceSize & (pieceSize - 1), 0); // a power of two
}

void TestTransferPlan::makeEtag_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<qint64>("mtimeNs");
    QTest::addColumn<QByteArray>("etag");
    QTest::newRow("zero") << qint64(0) << qint64(0) << QByteArray("\"0-0\"");
    QTest::newRow("typical") << qint64(4096) << qint64(1700000000123456789)
                             << QByteArray("\"1000-17979cfe3d85cd15\"");
    QTest::newRow("before 1970") << qint64(1) << qint64(-1) << QByteArray("\"1-ffffffffffffffff\"");
}

void TestTransferPlan::makeEtag()
{
    QFETCH(qint64, size);
    QFETCH(qint64, mtimeNs);
    QFETCH(QByteArray, etag);
    QCOMPARE(transfer::makeEtag(size, mtimeNs), etag);
    // Every tag Starling makes is one a plan accepts.
    TransferPlan plan = samplePlan();
    plan.etag = etag;
    QVERIFY(TransferPlan::fromJson(plan.toJson()));
    // Another mtime is another tag (a rewritten file of the same size).
    QVERIFY(transfer::makeEtag(size, mtimeNs + 1) != etag);
}

void TestTransferPlan::rejects_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("error");

    auto row = [](const char *name, const char *path, const QJsonValue &value, const char *error) {
        QTest::newRow(name) << QString::fromLatin1(path) << value << QString::fromUtf8(error);
    };
    const QString bad64 = QString(63, u'a');
    const QString upper = QString::fromLatin1(hashOf(1)).toUpper();

    // Truncated: keys or elements missing.
    row("missing transfer_id", "transfer_id", kRemove, "plan: missing key \"transfer_id\"");
    row("missing blocks", "blocks", kRemove, "plan: missing key \"blocks\"");
    row("missing sources", "sources", kRemove, "plan: missing key \"sources\"");
    row("missing last block", "blocks/10", kRemove,
        "plan: 10 blocks for 10245 bytes in pieces of 1024, expected 11");
    row("missing block key", "blocks/3/sha256", kRemove, "plan: blocks[3]: missing key \"sha256\"");
    row("missing source key", "sources/1/url", kRemove, "plan: sources[1]: missing key \"url\"");
    row("all sources gone", "sources", QJsonArray(), "plan: no sources for a non-empty file");

    // Wrong types.
    row("size as string", "size", QStringLiteral("10245"),
        "plan: \"size\" must be an integer from 0 to 4611686018427387903, got \"10245\"");
    row("size fractional", "size", 10245.5,
        "plan: \"size\" must be an integer from 0 to 4611686018427387903, got 10245.5");
    row("size negative", "size", -1,
        "plan: \"size\" must be an integer from 0 to 4611686018427387903, got -1");
    row("size huge", "size", 1e300,
        "plan: \"size\" must be an integer from 0 to 4611686018427387903, got 1e+300");
    row("blocks as object", "blocks", QJsonObject(), "plan: \"blocks\" must be an array, got {}");
    row("block as number", "blocks/2", 7, "plan: blocks[2]: must be an object");
    row("source as string", "sources/0", QStringLiteral("x"),
        "plan: sources[0]: must be an object");
    row("transfer_id null", "transfer_id", QJsonValue(QJsonValue::Null),
        "plan: \"transfer_id\" must be a non-empty string of at most 128 characters, got null");
    row("transfer_id empty", "transfer_id", QString(),
        "plan: \"transfer_id\" must be a non-empty string of at most 128 characters, got \"\"");
    row("piece_size zero", "piece_size", 0,
        "plan: \"piece_size\" must be an integer from 1 to 4611686018427387903, got 0");
    row("rank negative", "sources/0/rank", -2,
        "plan: sources[0]: \"rank\" must be an integer from 0 to 2147483647, got -2");
    row("share above 1", "sources/0/share", 1.5,
        "plan: sources[0]: \"share\" must be a number from 0 to 1, got 1.5");
    row("link speed negative", "sources/0/link_MBps", -1,
        "plan: sources[0]: \"link_MBps\" must be a finite number of at least 0, got -1");

    // Gaps, overlaps, wrong piece lengths.
    row("gap", "blocks/4/offset", 4 * 1024 + 1,
        "plan: blocks[4]: \"offset\" must be an integer from 4096 to 4096, got 4097");
    row("overlap", "blocks/4/offset", 4 * 1024 - 1,
        "plan: blocks[4]: \"offset\" must be an integer from 4096 to 4096, got 4095");
    row("short piece in the middle", "blocks/4/length", 1000,
        "plan: blocks[4]: \"length\" must be an integer from 1024 to 1024, got 1000");
    row("last piece too long", "blocks/10/length", 1024,
        "plan: blocks[10]: \"length\" must be an integer from 5 to 5, got 1024");
    row("index out of order", "blocks/5/index", 6,
        "plan: blocks[5]: \"index\" must be an integer from 5 to 5, got 6");
    row("extra block", "blocks/11", samplePlan().toJson()[QLatin1String("blocks")][10],
        "plan: 12 blocks for 10245 bytes in pieces of 1024, expected 11");
    row("size larger than blocks", "size", 11 * 1024 + 1,
        "plan: 11 blocks for 11265 bytes in pieces of 1024, expected 12");
    row("piece size changed", "piece_size", 2048,
        "plan: 11 blocks for 10245 bytes in pieces of 2048, expected 6");

    // Bad hashes.
    row("block hash short", "blocks/0/sha256", bad64,
        "plan: blocks[0]: \"sha256\" must be 64 lower-case hex digits (SHA-256), got "
        "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...");
    row("block hash upper case", "blocks/1/sha256", upper,
        "plan: blocks[1]: \"sha256\" must be 64 lower-case hex digits (SHA-256), got "
        "\"6B86B273FF34FCE19D6B804EFF5A3F5747AD...");
    row("block hash not hex", "blocks/1/sha256", QString(64, u'g'),
        "plan: blocks[1]: \"sha256\" must be 64 lower-case hex digits (SHA-256), got "
        "\"gggggggggggggggggggggggggggggggggggg...");
    row("file hash number", "sha256", 5,
        "plan: \"sha256\" must be 64 lower-case hex digits (SHA-256), got 5");

    // Bad URLs.
    const char *urlExpectation = "must be an http(s) URL without a path, query or fragment, got ";
    const QList<std::pair<const char *, const char *>> urls = {
        {"ftp scheme", "ftp://127.0.0.1:21"},
        {"javascript", "javascript:alert(1)"},
        {"no host", "http://"},
        {"relative", "files/a"},
        {"with path", "http://127.0.0.1:1/files"},
        {"with query", "http://127.0.0.1:1?x=1"},
        {"with fragment", "http://127.0.0.1:1#top"},
        {"empty", ""},
        {"space in host", "http://a b:1"},
    };
    for (const auto &[name, url] : urls) {
        QTest::newRow(name) << QStringLiteral("sources/2/url") << QJsonValue(QLatin1String(url))
                            << QStringLiteral("plan: sources[2]: \"url\" ") +
                                   QLatin1String(urlExpectation) +
                                   util::describeJsonValue(QJsonValue(QLatin1String(url)));
    }
    row("url number", "sources/2/url", 80,
        "plan: sources[2]: \"url\" must be an http(s) URL without a path, query or fragment, got "
        "80");

    // Bad paths and ETags.
    const char *pathExpectation = "plan: \"path\" must be a relative path without . or .., got ";
    const QList<std::pair<const char *, QString>> paths = {
        {"absolute path", QStringLiteral("/etc/passwd")},
        {"dot-dot", QStringLiteral("a/../../b")},
        {"dot", QStringLiteral("./a")},
        {"empty segment", QStringLiteral("a//b")},
        {"trailing slash", QStringLiteral("a/")},
        {"empty path", QString()},
        {"NUL", QStringLiteral("a") + QChar(0) + QStringLiteral("b")},
    };
    for (const auto &[name, path] : paths) {
        QTest::newRow(name) << QStringLiteral("path") << QJsonValue(path)
                            << QLatin1String(pathExpectation) +
                                   util::describeJsonValue(QJsonValue(path));
    }
    row("etag unquoted", "etag", QStringLiteral("abc"),
        "plan: \"etag\" must be a quoted strong ETag, got \"abc\"");
    row("etag weak", "etag", QStringLiteral("W/\"abc\""),
        "plan: \"etag\" must be a quoted strong ETag, got \"W/\\\"abc\\\"\"");
    row("etag inner quote", "etag", QStringLiteral("\"a\"b\""),
        "plan: \"etag\" must be a quoted strong ETag, got \"\\\"a\\\"b\\\"\"");
    row("etag with newline", "etag", QStringLiteral("\"a\nb\""),
        "plan: \"etag\" must be a quoted strong ETag, got \"\\\"a\\nb\\\"\"");

    // Source index out of range.
    row("source index too big", "blocks/7/source", 3,
        "plan: blocks[7]: \"source\" must be an integer from 0 to 2, got 3");
    row("source index negative", "blocks/7/source", -1,
        "plan: blocks[7]: \"source\" must be an integer from 0 to 2, got -1");
    row("source index fractional", "blocks/7/source", 1.5,
        "plan: blocks[7]: \"source\" must be an integer from 0 to 2, got 1.5");
    row("tag not hex", "blocks/2/tag", QStringLiteral("XYZ"),
        "plan: blocks[2]: \"tag\" must be 1 to 64 lower-case hex digits, got \"XYZ\"");
    row("tag empty", "blocks/2/tag", QString(),
        "plan: blocks[2]: \"tag\" must be 1 to 64 lower-case hex digits, got \"\"");
    row("tag too long", "blocks/2/tag", QString(65, u'a'),
        "plan: blocks[2]: \"tag\" must be 1 to 64 lower-case hex digits, got "
        "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...");
    row("tag a number", "blocks/2/tag", 12,
        "plan: blocks[2]: \"tag\" must be 1 to 64 lower-case hex digits, got 12");
}

void TestTransferPlan::rejects()
{
    QFETCH(QString, path);
    QFETCH(QJsonValue, value);
    QFETCH(QString, error);
    const Expected<TransferPlan> plan = TransferPlan::fromJson(patchedPlan(path, value));
    QVERIFY2(!plan, "a broken plan was accepted");
    QCOMPARE(plan.error(), error);
}

void TestTransferPlan::rejectsBytes_data()
{
    // The client parses the master's reply bytes first; anything that is not a JSON object
    // must fail before or inside fromJson, never give a plan.
    QTest::addColumn<QByteArray>("bytes");
    const QByteArray valid = QJsonDocument(samplePlan().toJson()).toJson(QJsonDocument::Compact);
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("garbage") << QByteArray("\x00\xff<html>oops</html>", 19);
    QTest::newRow("truncated at half") << valid.left(valid.size() / 2);
    QTest::newRow("truncated by one") << valid.chopped(1);
    QTest::newRow("array") << QByteArray("[1,2,3]");
    QTest::newRow("empty object") << QByteArray("{}");
    QTest::newRow("error reply") << QByteArray(R"({"error":"no such file","code":"not_found"})");
}

void TestTransferPlan::rejectsBytes()
{
    QFETCH(QByteArray, bytes);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return; // refused before a plan could be built
    const Expected<TransferPlan> plan = TransferPlan::fromJson(document.object());
    QVERIFY(!plan);
    QVERIFY(plan.error().startsWith(QStringLiteral("plan: ")));
}

void TestTransferPlan::tooManyBlocks()
{
    QJsonArray blocks;
    for (int i = 0; i <= TransferPlan::kMaxBlocks; ++i)
        blocks.append(0);
    const Expected<TransferPlan> plan =
        TransferPlan::fromJson(patchedPlan(QStringLiteral("blocks"), blocks));
    QVERIFY(!plan);
    QCOMPARE(
        plan.error(),
        QStringLiteral("plan: \"blocks\" has 1048577 elements, more than the limit of 1048576"));
}

void TestTransferPlan::tooManySources()
{
    QJsonArray sources;
    const QJsonValue one = samplePlan().toJson()[QLatin1String("sources")][0];
    for (int i = 0; i <= TransferPlan::kMaxSources; ++i)
        sources.append(one);
    const Expected<TransferPlan> plan =
        TransferPlan::fromJson(patchedPlan(QStringLiteral("sources"), sources));
    QVERIFY(!plan);
    QCOMPARE(plan.error(),
             QStringLiteral("plan: \"sources\" has 4097 elements, more than the limit of 4096"));

    // Exactly the limit is fine.
    sources.removeLast();
    QVERIFY(TransferPlan::fromJson(patchedPlan(QStringLiteral("sources"), sources)));
}

void TestTransferPlan::hostileValueStaysOnOneLine()
{
    const Expected<TransferPlan> plan = TransferPlan::fromJson(patchedPlan(
        QStringLiteral("strategy"),
        QJsonValue(QStringLiteral("x\n2026-01-01 master: all good") + QString(100, u'y'))));
    QVERIFY(!plan);
    QVERIFY(!plan.error().contains(u'\n'));
    QVERIFY(plan.error().size() < 200);
}

QTEST_APPLESS_MAIN(TestTransferPlan)
#include "tst_transferplan.moc"
