// Listings: the HTML page (title, breadcrumb, rows with links, human sizes, UTC times, .meta4
// links) and the JSON document for /api/v1/files. Hostile names (markup, quotes, '&', '%',
// newlines, bidi overrides, "%1") are escaped for display and percent-encoded in links;
// unclean paths are left out.
#include "transfer/listingrenderer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

using namespace starling::transfer;

namespace {

constexpr std::int64_t kMtime = 1795334400123; // 2026-11-22 08:00:00.123 UTC

FileEntry file(const QString &path, qint64 size)
{
    return {path, false, size, kMtime};
}

FileEntry dir(const QString &path)
{
    return {path, true, 0, kMtime};
}

// Every href="..." value in the page.
QStringList hrefs(const QString &html)
{
    QStringList result;
    static const QRegularExpression re(QStringLiteral("href=\"([^\"]*)\""));
    for (const QRegularExpressionMatch &m : re.globalMatch(html))
        result.append(m.captured(1));
    return result;
}

// The text between <tag...> and </tag> of every row, with the markup of our own links removed.
QStringList rows(const QString &html)
{
    QStringList result;
    static const QRegularExpression re(QStringLiteral("<tr><td>(.*?)</tr>"));
    for (const QRegularExpressionMatch &m : re.globalMatch(html))
        result.append(m.captured(1));
    return result;
}

} // namespace

class TestListingRenderer : public QObject
{
    Q_OBJECT

private slots:
    void rootPage();
    void breadcrumbAndParent();
    void sizes_data();
    void sizes();
    void hostileNames_data();
    void hostileNames();
    void uncleanPathsLeftOut();
    void json();
    void jsonHostileNames();
};

void TestListingRenderer::rootPage()
{
    const QString html = QString::fromUtf8(renderListingHtml(
        QString(), {dir(QStringLiteral("images")), file(QStringLiteral("big.iso"), 3221225472),
                    file(QStringLiteral("notes.txt"), 12)}));
    QVERIFY(html.startsWith(QStringLiteral("<!DOCTYPE html>")));
    QVERIFY(html.contains(QStringLiteral("<meta charset=\"utf-8\">")));
    QVERIFY(html.contains(QStringLiteral("<title>Index of /</title>")));
    QVERIFY(html.contains(QStringLiteral("<h1>Index of /</h1>")));
    QCOMPARE(hrefs(html), (QStringList{QStringLiteral("/images/"), QStringLiteral("/files/big.iso"),
                                       QStringLiteral("/files/big.iso.meta4"),
                                       QStringLiteral("/files/notes.txt"),
                                       QStringLiteral("/files/notes.txt.meta4")}));
    const QStringList r = rows(html);
    QCOMPARE(r.size(), 3); // no parent row at the root
    QVERIFY(r[0].contains(QStringLiteral(">images/</a>")));
    QVERIFY(r[0].contains(QStringLiteral("<td class=\"size\">-</td>")));
    QVERIFY(r[1].contains(QStringLiteral(">big.iso</a>")));
    QVERIFY(r[1].contains(QStringLiteral("title=\"3221225472 bytes\">3.0 GiB</td>")));
    QVERIFY(r[1].contains(QStringLiteral("<td>2026-11-22 08:00:00</td>")));
    QVERIFY(r[2].contains(QStringLiteral("title=\"12 bytes\">12 B</td>")));
    QVERIFY(html.trimmed().endsWith(QStringLiteral("</html>")));
}

void TestListingRenderer::breadcrumbAndParent()
{
    const QString html = QString::fromUtf8(renderListingHtml(
        QStringLiteral("my data/2026 #1"), {file(QStringLiteral("my data/2026 #1/a?.bin"), 1)}));
    QVERIFY(html.contains(QStringLiteral("<title>Index of /my data/2026 #1/</title>")));
    QVERIFY(html.contains(QStringLiteral("<nav class=\"breadcrumb\"><a href=\"/\">Starling</a> / "
                                         "<a href=\"/my%20data/\">my data</a> / "
                                         "<span>2026 #1</span></nav>")));
    QCOMPARE(hrefs(html),
             (QStringList{QStringLiteral("/"), QStringLiteral("/my%20data/"),
                          QStringLiteral("/my%20data/"),
                          QStringLiteral("/files/my%20data/2026%20%231/a%3F.bin"),
                          QStringLiteral("/files/my%20data/2026%20%231/a%3F.bin.meta4")}));
    QVERIFY(rows(html).first().contains(QStringLiteral(">../</a>")));

    // One level down: the parent is the root.
    const QString top = QString::fromUtf8(renderListingHtml(QStringLiteral("a"), {}));
    QCOMPARE(hrefs(top), (QStringList{QStringLiteral("/"), QStringLiteral("/")}));
}

void TestListingRenderer::sizes_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<QString>("shown");
    QTest::newRow("0") << qint64(0) << QStringLiteral("0 B");
    QTest::newRow("1023") << qint64(1023) << QStringLiteral("1023 B");
    QTest::newRow("1536") << qint64(1536) << QStringLiteral("1.5 KiB");
    QTest::newRow("10 MiB") << qint64(10 * 1024 * 1024) << QStringLiteral("10 MiB");
    QTest::newRow("1 TiB") << qint64(1) * 1024 * 1024 * 1024 * 1024 << QStringLiteral("1.0 TiB");
}

void TestListingRenderer::sizes()
{
    QFETCH(qint64, size);
    QFETCH(QString, shown);
    const QString html =
        QString::fromUtf8(renderListingHtml(QString(), {file(QStringLiteral("f"), size)}));
    QVERIFY2(html.contains(QStringLiteral("title=\"%1 bytes\">%2</td>").arg(size).arg(shown)),
             qPrintable(html));
}

void TestListingRenderer::hostileNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("shown");   // as the page's text shows it
    QTest::addColumn<QString>("encoded"); // as the link carries it
    QTest::newRow("script") << QStringLiteral("<script>alert(1)<\\script>")
                            << QStringLiteral("&lt;script&gt;alert(1)&lt;\\script&gt;")
                            << QStringLiteral("%3Cscript%3Ealert%281%29%3C%5Cscript%3E");
    QTest::newRow("attribute breakout") << QStringLiteral("\" onmouseover=\"alert(1)")
                                        << QStringLiteral("&quot; onmouseover=&quot;alert(1)")
                                        << QStringLiteral("%22%20onmouseover%3D%22alert%281%29");
    QTest::newRow("single quotes")
        << QStringLiteral("it's") << QStringLiteral("it's") << QStringLiteral("it%27s");
    QTest::newRow("ampersand") << QStringLiteral("a&amp;b") << QStringLiteral("a&amp;amp;b")
                               << QStringLiteral("a%26amp%3Bb");
    QTest::newRow("percent") << QStringLiteral("100%20.txt") << QStringLiteral("100%20.txt")
                             << QStringLiteral("100%2520.txt");
    QTest::newRow("arg placeholders")
        << QStringLiteral("%1%2%9") << QStringLiteral("%1%2%9") << QStringLiteral("%251%252%259");
    QTest::newRow("newline") << QStringLiteral("a\nb\r\t") << QStringLiteral("a␊b␍␉")
                             << QStringLiteral("a%0Ab%0D%09");
    QTest::newRow("bidi override")
        << QStringLiteral("invoice\u202Etxt.exe") << QStringLiteral("invoice\uFFFDtxt.exe")
        << QStringLiteral("invoice%E2%80%AEtxt.exe");
    QTest::newRow("unicode") << QStringLiteral("日本 ünï") << QStringLiteral("日本 ünï")
                             << QStringLiteral("%E6%97%A5%E6%9C%AC%20%C3%BCn%C3%AF");
}

void TestListingRenderer::hostileNames()
{
    QFETCH(QString, name);
    QFETCH(QString, shown);
    QFETCH(QString, encoded);
    for (const bool isDirectory : {false, true}) {
        const FileEntry entry{QStringLiteral("d/") + name, isDirectory, 5, kMtime};
        const QString html = QString::fromUtf8(renderListingHtml(QStringLiteral("d"), {entry}));
        // Only our own markup: every '<' opens one of the tags the renderer writes.
        static const QRegularExpression tag(QStringLiteral("<(/?)([a-zA-Z0-9!]+)"));
        const QStringList ours{
            QStringLiteral("!DOCTYPE"), QStringLiteral("html"),  QStringLiteral("head"),
            QStringLiteral("meta"),     QStringLiteral("title"), QStringLiteral("style"),
            QStringLiteral("body"),     QStringLiteral("nav"),   QStringLiteral("a"),
            QStringLiteral("span"),     QStringLiteral("h1"),    QStringLiteral("table"),
            QStringLiteral("thead"),    QStringLiteral("tbody"), QStringLiteral("tr"),
            QStringLiteral("th"),       QStringLiteral("td")};
        for (const QRegularExpressionMatch &m : tag.globalMatch(html))
            QVERIFY2(ours.contains(m.captured(2)), qPrintable(m.captured(0)));
        QCOMPARE(html.count(u'<'), html.count(tag));
        const QStringList r = rows(html);
        QCOMPARE(r.size(), 2); // parent and the entry
        QVERIFY2(r[1].contains(u'>' + shown +
                               (isDirectory ? QStringLiteral("/</a>") : QStringLiteral("</a>"))),
                 qPrintable(r[1]));
        const QStringList links = hrefs(html);
        if (isDirectory) {
            QCOMPARE(links.last(), QStringLiteral("/d/") + encoded + u'/');
        } else {
            QCOMPARE(links.at(links.size() - 2), QStringLiteral("/files/d/") + encoded);
            QCOMPARE(links.last(),
                     QStringLiteral("/files/d/") + encoded + QStringLiteral(".meta4"));
        }
        for (const QString &link : links) {
            QVERIFY2(!link.contains(u' ') && !link.contains(u'<') && !link.contains(u'\n'),
                     qPrintable(link));
        }
        // No raw control character anywhere in the page but the newlines between lines.
        for (const QChar c : html)
            QVERIFY(c.unicode() >= 0x20 || c == u'\n');
    }
}

void TestListingRenderer::uncleanPathsLeftOut()
{
    const std::vector<FileEntry> entries{
        file(QStringLiteral("/etc/passwd"), 1), dir(QStringLiteral("/evil.example")),
        file(QStringLiteral("a/../b"), 1),      file(QString(), 1),
        file(QStringLiteral("a//b"), 1),        dir(QStringLiteral(".")),
        file(QStringLiteral("ok"), 1)};
    const QString html = QString::fromUtf8(renderListingHtml(QString(), entries));
    QCOMPARE(hrefs(html),
             (QStringList{QStringLiteral("/files/ok"), QStringLiteral("/files/ok.meta4")}));
    const QJsonArray files = renderListingJson(entries)[QLatin1String("files")].toArray();
    QCOMPARE(files.size(), 1);
    QCOMPARE(files[0][QLatin1String("path")].toString(), QStringLiteral("ok"));
}

void TestListingRenderer::json()
{
    const QJsonObject object =
        renderListingJson({dir(QStringLiteral("images")),
                           file(QStringLiteral("images/a.png"), 1234),
                           {QStringLiteral("big.iso"), false, 5000000000LL, -5}});
    QCOMPARE(object.keys(), QStringList{QStringLiteral("files")});
    const QJsonArray files = object[QLatin1String("files")].toArray();
    QCOMPARE(files.size(), 2); // directories are not files
    QCOMPARE(files[0].toObject(),
             (QJsonObject{{QLatin1String("path"), QStringLiteral("images/a.png")},
                          {QLatin1String("size"), 1234},
                          {QLatin1String("mtime_ms"), qint64(kMtime)}}));
    QCOMPARE(files[1][QLatin1String("size")].toInteger(), 5000000000LL);
    QCOMPARE(files[1][QLatin1String("mtime_ms")].toInteger(), -5);
    QVERIFY(renderListingJson({})[QLatin1String("files")].toArray().isEmpty());
}

void TestListingRenderer::jsonHostileNames()
{
    const QString hostile = QStringLiteral("<script>\"&%\n\u202E日本");
    const QByteArray bytes = QJsonDocument(renderListingJson({file(hostile, 1)})).toJson();
    const QJsonDocument back = QJsonDocument::fromJson(bytes);
    QCOMPARE(back[QLatin1String("files")][0][QLatin1String("path")].toString(), hostile);
    QVERIFY(!bytes.contains("\"<script>\"&")); // quotes and newline are escaped
}

QTEST_APPLESS_MAIN(TestListingRenderer)
#include "tst_listingrenderer.moc"
