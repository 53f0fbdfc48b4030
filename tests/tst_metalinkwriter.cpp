// writeMetalink: the RFC 5854 document (namespace, generator, published, file name, size,
// whole-file and piece hashes, one prioritised URL per source) read back with QXmlStreamReader,
// hostile and unsafe names; then the real client: aria2c downloads a file from fake mirrors
// (HttpServer on 127.0.0.1, Range served from memory) using only the .meta4 file, the bytes
// match, every mirror served some, and corrupt mirrors are caught by the piece hashes.
#include "http/httpserver.h"
#include "testutil.h"
#include "transfer/metalinkwriter.h"
#include "transfer/sha256.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <atomic>
#include <memory>
#include <vector>

using namespace starling;
using namespace starling::transfer;
using starling::http::HttpRequest;
using starling::http::HttpResponse;
using starling::http::HttpServer;

namespace {

constexpr int kAria2TimeoutMs = 60000;

template<typename T> QString why(const Expected<T> &result)
{
    return result ? QString() : result.error();
}

// A plan as the planner would make it for `data`, its sources at `urls` in that order.
TransferPlan planFor(const QString &path, const QByteArray &data, qint64 pieceSize,
                     const QList<QUrl> &urls)
{
    TransferPlan plan;
    plan.transferId = QStringLiteral("t-1");
    plan.path = path;
    plan.size = data.size();
    plan.mtimeMs = 1795334400123;
    plan.etag = makeEtag(plan.size, plan.mtimeMs * 1000000);
    plan.pieceSize = pieceSize;
    plan.sha256 = Sha256::hexOf(data);
    plan.strategy = QStringLiteral("equal");
    for (int i = 0; i < urls.size(); ++i)
        plan.sources.push_back({i + 2, QStringLiteral("slave-%1").arg(i), urls[i], 0, 0});
    for (qint64 offset = 0, i = 0; offset < plan.size; offset += pieceSize, ++i) {
        plan.blocks.push_back({int(i), offset, qMin(pieceSize, plan.size - offset),
                               Sha256::hexOf(QByteArrayView(data).sliced(
                                   offset, qMin(pieceSize, plan.size - offset))),
                               int(i % qMax<qsizetype>(urls.size(), 1))});
    }
    return plan;
}

// "bytes=a-b" or "bytes=a-" (what aria2c sends); anything else is not a single range.
bool parseRange(const QByteArray &header, qint64 size, qint64 *first, qint64 *last)
{
    if (!header.startsWith("bytes="))
        return false;
    const QList<QByteArray> parts = header.mid(6).split('-');
    if (parts.size() != 2 || parts[0].isEmpty())
        return false;
    bool ok = false;
    *first = parts[0].toLongLong(&ok);
    if (!ok || *first < 0 || *first >= size)
        return false;
    *last = parts[1].isEmpty() ? size - 1 : parts[1].toLongLong(&ok);
    if (!ok || *last < *first)
        return false;
    *last = qMin(*last, size - 1);
    return true;
}

// One data server holding `bytes` (possibly corrupted) at `path`.
class FakeMirror
{
public:
    FakeMirror(QByteArray urlPath, QByteArray bytes)
        : m_path(std::move(urlPath)), m_bytes(std::move(bytes)),
          m_server([this](const HttpRequest &request) { return serve(request); })
    {}

    Expected<QUrl> start()
    {
        const Expected<quint16> port = m_server.listen(QHostAddress::LocalHost, 0);
        if (!port)
            return Error{port.error()};
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(*port));
    }
    qint64 bytesServed() const { return m_served.load(); }
    int rangeRequests() const { return m_ranges.load(); }
    int badRequests() const { return m_bad.load(); }

private:
    HttpResponse serve(const HttpRequest &request)
    {
        if (request.path != m_path) {
            ++m_bad;
            return HttpResponse::text(404, "no such file\n");
        }
        const qint64 size = m_bytes.size();
        HttpResponse response;
        response.contentType = "application/octet-stream";
        response.headers.append(qMakePair(QByteArray("Accept-Ranges"), QByteArray("bytes")));
        const QByteArray range = request.header("Range");
        qint64 first = 0;
        qint64 last = size - 1;
        if (!range.isNull()) {
            if (!parseRange(range, size, &first, &last)) {
                ++m_bad;
                return HttpResponse::text(416, "bad range\n");
            }
            ++m_ranges;
            response.status = 206;
            response.headers.append({"Content-Range", "bytes " + QByteArray::number(first) + '-' +
                                                          QByteArray::number(last) + '/' +
                                                          QByteArray::number(size)});
        }
        response.body = m_bytes.mid(first, last - first + 1);
        if (request.method == "GET")
            m_served += response.body.size();
        return response;
    }

    const QByteArray m_path;
    const QByteArray m_bytes;
    std::atomic<qint64> m_served{0};
    std::atomic<int> m_ranges{0};
    std::atomic<int> m_bad{0};
    HttpServer m_server;
};

struct Aria2Result
{
    bool finished = false;
    int exitCode = -1;
    QByteArray output;
};

// Runs aria2c on the .meta4 file as a user would; kills it (by its pid, via QProcess) if it
// does not end in time.
Aria2Result runAria2(const QString &metalinkFile, const QString &outputDir,
                     const QStringList &extra = {})
{
    Aria2Result result;
    QProcess aria2;
    aria2.setProcessChannelMode(QProcess::MergedChannels);
    QStringList arguments{
        QStringLiteral("--no-conf=true"), QStringLiteral("--metalink-file=") + metalinkFile,
        QStringLiteral("-d"), outputDir, QStringLiteral("--allow-overwrite=true"),
        QStringLiteral("--console-log-level=warn"), QStringLiteral("-x4"), QStringLiteral("-s4"),
        // Segments of 1 MiB (aria2's minimum) so a small file still splits.
        QStringLiteral("--min-split-size=1M"), QStringLiteral("--file-allocation=none"),
        QStringLiteral("--summary-interval=0"), QStringLiteral("--connect-timeout=5"),
        QStringLiteral("--timeout=10"), QStringLiteral("--retry-wait=0"),
        QStringLiteral("--auto-file-renaming=false")};
    aria2.start(QStringLiteral("aria2c"), arguments + extra);
    if (!aria2.waitForStarted(10000))
        return result;
    result.finished = aria2.waitForFinished(kAria2TimeoutMs);
    if (!result.finished) {
        aria2.kill();
        aria2.waitForFinished(5000);
    }
    result.exitCode = aria2.exitStatus() == QProcess::NormalExit ? aria2.exitCode() : -1;
    result.output = aria2.readAll();
    return result;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestMetalinkWriter : public QObject
{
    Q_OBJECT

private slots:
    void document();
    void emptyFile();
    void hostileNamesAreEscaped_data();
    void hostileNamesAreEscaped();
    void unsafeNames_data();
    void unsafeNames();
    void noSource();
    void aria2Downloads();
    void aria2CatchesACorruptMirror();
    void aria2RefusesCorruptBytes();
};

void TestMetalinkWriter::document()
{
    const QByteArray data = randomBytes(2500, 1);
    const TransferPlan plan = planFor(
        QStringLiteral("dir/a b%.bin"), data, 1024,
        {QUrl(QStringLiteral("http://127.0.0.1:4001")), QUrl(QStringLiteral("http://[::1]:4002"))});
    const Expected<QByteArray> xml = writeMetalink(plan);
    QVERIFY2(xml, qPrintable(why(xml)));

    QXmlStreamReader reader(*xml);
    const QSet<QString> known{QStringLiteral("metalink"),
                              QStringLiteral("metalink/generator"),
                              QStringLiteral("metalink/published"),
                              QStringLiteral("metalink/file"),
                              QStringLiteral("metalink/file/size"),
                              QStringLiteral("metalink/file/hash"),
                              QStringLiteral("metalink/file/pieces"),
                              QStringLiteral("metalink/file/pieces/hash"),
                              QStringLiteral("metalink/file/url")};
    QStringList stack;                 // element names from the root
    QHash<QString, QStringList> texts; // element path -> texts in order
    QHash<QString, QXmlStreamAttributes> attributes;
    QStringList priorities;
    while (!reader.atEnd()) {
        reader.readNext();
        if (reader.isStartElement()) {
            QCOMPARE(reader.namespaceUri(), u"urn:ietf:params:xml:ns:metalink");
            stack.append(reader.name().toString());
            const QString where = stack.join(u'/');
            QVERIFY2(known.contains(where), qPrintable(QStringLiteral("unexpected ") + where));
            attributes[where] = reader.attributes();
            if (where == u"metalink/file/url")
                priorities.append(reader.attributes().value(QLatin1String("priority")).toString());
        } else if (reader.isEndElement()) {
            stack.removeLast();
        } else if (reader.isCharacters() && !reader.isWhitespace()) {
            texts[stack.join(u'/')].append(reader.text().toString());
        }
    }
    const auto text = [&](const char *where) {
        return texts.value(QLatin1String(where)).join(u'|');
    };
    const auto attribute = [&](const char *where, const char *name) {
        return attributes.value(QLatin1String(where)).value(QLatin1String(name)).toString();
    };
    const QString generator = text("metalink/generator");
    const QString published = text("metalink/published");
    const QString name = attribute("metalink/file", "name");
    const QString size = text("metalink/file/size");
    const QString hash = text("metalink/file/hash");
    const QString hashType = attribute("metalink/file/hash", "type");
    const QString piecesLength = attribute("metalink/file/pieces", "length");
    const QString piecesType = attribute("metalink/file/pieces", "type");
    const QStringList pieceHashes = texts.value(QStringLiteral("metalink/file/pieces/hash"));
    const QStringList urls = texts.value(QStringLiteral("metalink/file/url"));
    QVERIFY2(!reader.hasError(), qPrintable(reader.errorString()));
    QCOMPARE(generator, QStringLiteral("Starling"));
    QCOMPARE(published, QStringLiteral("2026-11-22T08:00:00Z"));
    QCOMPARE(name, QStringLiteral("a b%.bin"));
    QCOMPARE(size, QStringLiteral("2500"));
    QCOMPARE(hashType, QStringLiteral("sha-256"));
    QCOMPARE(hash, QString::fromLatin1(Sha256::hexOf(data)));
    QCOMPARE(piecesLength, QStringLiteral("1024"));
    QCOMPARE(piecesType, QStringLiteral("sha-256"));
    QCOMPARE(pieceHashes, (QStringList{QString::fromLatin1(Sha256::hexOf(data.left(1024))),
                                       QString::fromLatin1(Sha256::hexOf(data.mid(1024, 1024))),
                                       QString::fromLatin1(Sha256::hexOf(data.mid(2048)))}));
    QCOMPARE(urls, (QStringList{QStringLiteral("http://127.0.0.1:4001/files/dir/a%20b%25.bin"),
                                QStringLiteral("http://[::1]:4002/files/dir/a%20b%25.bin")}));
    QCOMPARE(priorities, (QStringList{QStringLiteral("1"), QStringLiteral("2")}));

    // A given publication time and generator are used as given.
    const Expected<QByteArray> dated =
        writeMetalink(plan, QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5), Qt::UTC),
                      QStringLiteral("Starling 0.4"));
    QVERIFY(dated);
    QVERIFY(dated->contains("<published>2026-01-02T03:04:05Z</published>"));
    QVERIFY(dated->contains("<generator>Starling 0.4</generator>"));
    QVERIFY(xml->contains("<metalink xmlns=\"urn:ietf:params:xml:ns:metalink\">"));
}

void TestMetalinkWriter::emptyFile()
{
    const TransferPlan plan =
        planFor(QStringLiteral("empty"), {}, 1024, {QUrl(QStringLiteral("http://127.0.0.1:1"))});
    const Expected<QByteArray> xml = writeMetalink(plan);
    QVERIFY2(xml, qPrintable(why(xml)));
    QVERIFY(xml->contains("<size>0</size>"));
    QVERIFY(!xml->contains("<pieces"));
    QVERIFY(xml->contains(Sha256::hexOf({})));
}

void TestMetalinkWriter::hostileNamesAreEscaped_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("markup") << QStringLiteral("<img src=x onerror=alert(1)>.bin");
    QTest::newRow("quotes") << QStringLiteral("say \"hi\" 'there'.txt");
    QTest::newRow("ampersand and entity") << QStringLiteral("a&amp;b&c.txt");
    QTest::newRow("percent") << QStringLiteral("100%25.txt");
    QTest::newRow("unicode outside the BMP") << QStringLiteral("emoji-😀.txt");
    QTest::newRow("cdata end") << QStringLiteral("]]>.txt");
}

void TestMetalinkWriter::hostileNamesAreEscaped()
{
    QFETCH(QString, name);
    const TransferPlan plan = planFor(QStringLiteral("sub/") + name, "x", 1024,
                                      {QUrl(QStringLiteral("http://127.0.0.1:1"))});
    const Expected<QByteArray> xml = writeMetalink(plan);
    QVERIFY2(xml, qPrintable(why(xml)));
    QVERIFY(!xml->contains("<img"));
    QXmlStreamReader reader(*xml);
    QString readName;
    QString url;
    while (!reader.atEnd()) {
        reader.readNext();
        if (reader.isStartElement() && reader.name() == u"file")
            readName = reader.attributes().value(QLatin1String("name")).toString();
        if (reader.isStartElement() && reader.name() == u"url")
            url = reader.readElementText();
    }
    QVERIFY2(!reader.hasError(), qPrintable(reader.errorString()));
    QCOMPARE(readName, name);
    QCOMPARE(QUrl::fromPercentEncoding(url.toLatin1()),
             QStringLiteral("http://127.0.0.1:1/files/sub/") + name);
}

void TestMetalinkWriter::unsafeNames_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("newline") << QStringLiteral("a\nb.txt");
    QTest::newRow("tab") << QStringLiteral("dir/a\tb");
    QTest::newRow("DEL") << QStringLiteral("a\x7f");
    QTest::newRow("backslash") << QStringLiteral("..\\..\\evil.exe");
    QTest::newRow("dot-dot") << QStringLiteral("dir/..");
    QTest::newRow("dot") << QStringLiteral(".");
    QTest::newRow("empty") << QString();
    QTest::newRow("trailing slash") << QStringLiteral("dir/");
    QTest::newRow("non-character") << QStringLiteral("a") + QChar(0xfffe);
    QTest::newRow("lone surrogate") << QStringLiteral("a") + QChar(0xd800) + QStringLiteral("b");
    QTest::newRow("too long") << QString(256, u'n');
}

void TestMetalinkWriter::unsafeNames()
{
    QFETCH(QString, path);
    QCOMPARE(metalinkFileName(path), QString());
    const TransferPlan plan =
        planFor(path, "x", 1024, {QUrl(QStringLiteral("http://127.0.0.1:1"))});
    const Expected<QByteArray> xml = writeMetalink(plan);
    QVERIFY(!xml);
    QCOMPARE(xml.errorCode(), QStringLiteral("bad_name"));
    QVERIFY(!xml.error().contains(u'\n') || path.contains(u'\n'));
}

void TestMetalinkWriter::noSource()
{
    const TransferPlan plan = planFor(QStringLiteral("f.bin"), "abc", 1024, {});
    const Expected<QByteArray> xml = writeMetalink(plan);
    QVERIFY(!xml);
    QCOMPARE(xml.errorCode(), QStringLiteral("no_source"));
    QCOMPARE(xml.error(), QStringLiteral("no slave can serve \"f.bin\" now"));
}

void TestMetalinkWriter::aria2Downloads()
{
    if (QStandardPaths::findExecutable(QStringLiteral("aria2c")).isEmpty())
        QSKIP("aria2c is not installed (Debian package aria2)");
    const QString path = QStringLiteral("my data/100% ünï.bin");
    const QByteArray urlPath = QStringLiteral("/files/").toUtf8() + path.toUtf8();
    const QByteArray data = randomBytes(6 * 1024 * 1024 + 12345, 42);
    std::vector<std::unique_ptr<FakeMirror>> mirrors;
    QList<QUrl> urls;
    for (int i = 0; i < 3; ++i) {
        mirrors.push_back(std::make_unique<FakeMirror>(urlPath, data));
        const Expected<QUrl> url = mirrors.back()->start();
        QVERIFY2(url, qPrintable(why(url)));
        urls.append(*url);
    }
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Expected<QByteArray> xml = writeMetalink(planFor(path, data, 256 * 1024, urls));
    QVERIFY2(xml, qPrintable(why(xml)));
    const QString metalinkFile = dir.filePath(QStringLiteral("file.meta4"));
    QVERIFY(writeFile(metalinkFile, *xml));

    const QString out = dir.filePath(QStringLiteral("out"));
    const Aria2Result result = runAria2(metalinkFile, out);
    QVERIFY2(result.finished, result.output.constData());
    QVERIFY2(result.exitCode == 0, result.output.constData());
    const QByteArray downloaded = readFile(out + QStringLiteral("/100% ünï.bin"));
    QCOMPARE(downloaded.size(), data.size());
    QVERIFY(downloaded == data);
    int used = 0;
    for (const auto &mirror : mirrors) {
        QCOMPARE(mirror->badRequests(), 0); // every URL resolved to the file
        used += mirror->bytesServed() > 0 ? 1 : 0;
    }
    QVERIFY2(used >= 2, "aria2c did not download in parallel from several mirrors");
}

void TestMetalinkWriter::aria2CatchesACorruptMirror()
{
    if (QStandardPaths::findExecutable(QStringLiteral("aria2c")).isEmpty())
        QSKIP("aria2c is not installed (Debian package aria2)");
    const QByteArray urlPath = "/files/f.bin";
    const QByteArray data = randomBytes(4 * 1024 * 1024, 7);
    QByteArray corrupt = data;
    for (qsizetype i = 0; i < corrupt.size(); i += 4096)
        corrupt[i] = char(~corrupt[i]); // every piece it serves is wrong
    FakeMirror bad(urlPath, corrupt);
    FakeMirror good(urlPath, data);
    const Expected<QUrl> badUrl = bad.start();
    const Expected<QUrl> goodUrl = good.start();
    QVERIFY(badUrl && goodUrl);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Expected<QByteArray> xml =
        writeMetalink(planFor(QStringLiteral("f.bin"), data, 256 * 1024, {*badUrl, *goodUrl}));
    QVERIFY(xml);
    const QString metalinkFile = dir.filePath(QStringLiteral("f.meta4"));
    QVERIFY(writeFile(metalinkFile, *xml));

    const QString out = dir.filePath(QStringLiteral("out"));
    const Aria2Result result = runAria2(metalinkFile, out);
    QVERIFY2(result.finished, result.output.constData());
    QVERIFY2(bad.bytesServed() > 0, "the corrupt mirror was never asked: the test proves nothing");
    // Either aria2c re-fetched the bad pieces (from the good mirror) or it gave up; it must
    // never report success with wrong bytes.
    if (result.exitCode == 0)
        QVERIFY(readFile(out + QStringLiteral("/f.bin")) == data);
    else
        QVERIFY(readFile(out + QStringLiteral("/f.bin")) != data);
}

void TestMetalinkWriter::aria2RefusesCorruptBytes()
{
    // Every mirror serves the wrong bytes: only the hashes can tell, so aria2c must fail.
    if (QStandardPaths::findExecutable(QStringLiteral("aria2c")).isEmpty())
        QSKIP("aria2c is not installed (Debian package aria2)");
    const QByteArray urlPath = "/files/f.bin";
    const QByteArray data = randomBytes(2 * 1024 * 1024, 9);
    QByteArray corrupt = data;
    corrupt[1500000] = char(~corrupt[1500000]);
    FakeMirror one(urlPath, corrupt);
    FakeMirror two(urlPath, corrupt);
    const Expected<QUrl> oneUrl = one.start();
    const Expected<QUrl> twoUrl = two.start();
    QVERIFY(oneUrl && twoUrl);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Expected<QByteArray> xml =
        writeMetalink(planFor(QStringLiteral("f.bin"), data, 256 * 1024, {*oneUrl, *twoUrl}));
    QVERIFY(xml);
    const QString metalinkFile = dir.filePath(QStringLiteral("f.meta4"));
    QVERIFY(writeFile(metalinkFile, *xml));

    const Aria2Result result = runAria2(metalinkFile, dir.filePath(QStringLiteral("out")),
                                        {QStringLiteral("--max-tries=2")});
    QVERIFY2(result.finished, result.output.constData());
    QVERIFY2(result.exitCode != 0, "aria2c accepted bytes that match no hash");
    // Caught by a piece hash (aria2c: "Invalid checksum index=5"), not only at the end.
    QVERIFY2(result.output.contains("checksum"), result.output.constData());
}

QTEST_GUILESS_MAIN(TestMetalinkWriter)
#include "tst_metalinkwriter.moc"
