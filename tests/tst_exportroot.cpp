// ExportRoot: the gate between request paths and the file system. Data-driven resolve() over a
// real tree with traversal forms ("..", empty segments, backslashes, NUL and control bytes,
// invalid UTF-8, overlong names), symlinks inside and outside the root (including a sibling
// whose name starts with the root's), broken and looping links, a FIFO, unreadable files;
// openFile() (descriptor, fstat identity, directories refused); one-directory and recursive
// listings with limits; and the encoded forms arriving through a real HTTP request.
#include "http/httpserver.h"
#include "httptestclient.h"
#include "testutil.h"
#include "transfer/exportroot.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <optional>

using namespace starling::transfer;
using starling::Expected;

namespace {

bool symlinkTo(const QByteArray &target, const QString &link)
{
    return ::symlink(target.constData(), QFile::encodeName(link).constData()) == 0;
}

QStringList paths(const std::vector<FileEntry> &entries)
{
    QStringList result;
    for (const FileEntry &entry : entries)
        result.append(entry.isDirectory ? entry.path + u'/' : entry.path);
    return result;
}

} // namespace

class TestExportRoot : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void openRoot();
    void resolve_data();
    void resolve();
    void unreadable();
    void openFile();
    void openFileRefusals_data();
    void openFileRefusals();
    void listOneDirectory();
    void listErrors();
    void listRecursive();
    void encodedFormsOverHttp_data();
    void encodedFormsOverHttp();

private:
    QString root() const { return m_dir.filePath(QStringLiteral("root")); }
    // A path below the temporary directory.
    QString at(const char *relative) const { return m_dir.filePath(QString::fromUtf8(relative)); }

    QTemporaryDir m_dir;
    std::optional<ExportRoot> m_root;
};

// The tree (all under one QTemporaryDir):
//   root/a.txt (5 B)  root/dir/b.bin (1000 B)  root/dir/sub/c.txt (3 B)  root/with space.txt
//   root/ünï.txt  root/...  root/fifo  root/bad\name  root/new<LF>line
//   root/link-in -> dir/b.bin           root/link-dir -> dir          root/link-abs-in ->
//   ROOT/a.txt root/link-out -> ../outside/secret.txt   root/link-out-dir -> ../outside
//   root/link-evil -> ../root-evil/x (a sibling whose name starts with "root")
//   root/link-broken -> nowhere         root/link-loop -> link-loop
//   outside/secret.txt   root-evil/x
void TestExportRoot::initTestCase()
{
    QVERIFY(m_dir.isValid());
    for (const char *dir : {"root/dir/sub", "outside", "root-evil"})
        QVERIFY(QDir().mkpath(at(dir)));
    QVERIFY(writeFile(at("root/a.txt"), "hello"));
    QVERIFY(writeFile(at("root/dir/b.bin"), QByteArray(1000, 'b')));
    QVERIFY(writeFile(at("root/dir/sub/c.txt"), "ccc"));
    QVERIFY(writeFile(at("root/with space.txt"), "space"));
    QVERIFY(writeFile(at("root/\xc3\xbcn\xc3\xaf.txt"), "unicode"));
    QVERIFY(writeFile(at("root/..."), "dots"));
    QVERIFY(writeFile(at("root/bad\\name"), "backslash"));
    QVERIFY(writeFile(at("root/new\nline"), "newline"));
    QVERIFY(writeFile(at("outside/secret.txt"), "secret"));
    QVERIFY(writeFile(at("root-evil/x"), "evil"));
    QCOMPARE(::mkfifo(QFile::encodeName(at("root/fifo")).constData(), 0600), 0);
    QVERIFY(symlinkTo("dir/b.bin", at("root/link-in")));
    QVERIFY(symlinkTo("dir", at("root/link-dir")));
    QVERIFY(symlinkTo(QFile::encodeName(at("root/a.txt")), at("root/link-abs-in")));
    QVERIFY(symlinkTo("../outside/secret.txt", at("root/link-out")));
    QVERIFY(symlinkTo("../outside", at("root/link-out-dir")));
    QVERIFY(symlinkTo("../root-evil/x", at("root/link-evil")));
    QVERIFY(symlinkTo("nowhere", at("root/link-broken")));
    QVERIFY(symlinkTo("link-loop", at("root/link-loop")));
    // The root itself is opened through a symlink: the canonical path is what is kept.
    QVERIFY(symlinkTo("root", at("root-alias")));
    Expected<ExportRoot> opened = ExportRoot::open(at("root-alias"));
    QVERIFY2(opened, opened ? "" : qPrintable(opened.error()));
    m_root.emplace(std::move(opened).value());
}

void TestExportRoot::openRoot()
{
    QCOMPARE(m_root->path(), QFileInfo(root()).canonicalFilePath());
    QVERIFY(!m_root->path().endsWith(u'/'));
    const Expected<ExportRoot> missing = ExportRoot::open(at("nope"));
    QVERIFY(!missing);
    QCOMPARE(missing.errorCode(), QStringLiteral("not_found"));
    const Expected<ExportRoot> file = ExportRoot::open(at("root/a.txt"));
    QVERIFY(!file);
    QCOMPARE(file.errorCode(), QStringLiteral("not_a_directory"));
    // A root of "/" contains everything, and nothing else contains "/".
    const Expected<ExportRoot> slash = ExportRoot::open(QStringLiteral("/"));
    QVERIFY(slash);
    QVERIFY(slash->contains(QStringLiteral("/etc")));
    QVERIFY(!m_root->contains(QStringLiteral("/")));
    QVERIFY(!m_root->contains(m_root->path() + QStringLiteral("-evil/x")));
    QVERIFY(m_root->contains(m_root->path() + QStringLiteral("/x")));
}

void TestExportRoot::resolve_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QString>("code");      // empty = resolves
    QTest::addColumn<QString>("relative");  // when it resolves
    QTest::addColumn<QString>("canonical"); // below the root; when it resolves
    QTest::addColumn<bool>("isDirectory");
    QTest::addColumn<qint64>("size");

    auto ok = [](const char *name, QByteArray path, const char *relative, const char *canonical,
                 bool isDirectory, qint64 size) {
        QTest::newRow(name) << path << QString() << QString::fromUtf8(relative)
                            << QString::fromUtf8(canonical) << isDirectory << size;
    };
    auto refused = [](const char *name, QByteArray path, const char *code) {
        QTest::newRow(name) << path << QString::fromLatin1(code) << QString() << QString() << false
                            << qint64(0);
    };
    ok("root", "/", "", "", true, 0);
    ok("file", "/a.txt", "a.txt", "/a.txt", false, 5);
    ok("directory", "/dir", "dir", "/dir", true, 0);
    ok("directory with trailing slash", "/dir/", "dir", "/dir", true, 0);
    ok("nested file", "/dir/sub/c.txt", "dir/sub/c.txt", "/dir/sub/c.txt", false, 3);
    ok("space in name", "/with space.txt", "with space.txt", "/with space.txt", false, 5);
    ok("UTF-8 name", "/\xc3\xbcn\xc3\xaf.txt", "\xc3\xbcn\xc3\xaf.txt", "/\xc3\xbcn\xc3\xaf.txt",
       false, 7);
    ok("three dots is a name", "/...", "...", "/...", false, 4);
    ok("symlink inside", "/link-in", "link-in", "/dir/b.bin", false, 1000);
    ok("absolute symlink inside", "/link-abs-in", "link-abs-in", "/a.txt", false, 5);
    ok("through a symlinked directory", "/link-dir/sub/c.txt", "link-dir/sub/c.txt",
       "/dir/sub/c.txt", false, 3);

    refused("symlink out of the root", "/link-out", "forbidden");
    refused("through a symlinked directory outside", "/link-out-dir/secret.txt", "forbidden");
    refused("symlinked directory outside", "/link-out-dir", "forbidden");
    refused("sibling sharing the root's prefix", "/link-evil", "forbidden");
    refused("symlink loop", "/link-loop", "forbidden");
    refused("FIFO", "/fifo", "forbidden");
    refused("broken symlink", "/link-broken", "not_found");
    refused("missing", "/missing.txt", "not_found");
    refused("missing directory", "/nodir/x", "not_found");
    refused("file used as a directory", "/a.txt/x", "not_found");
    refused("file with trailing slash", "/a.txt/", "not_found");
    refused("dot-dot name that is not a segment", "/..a", "not_found");

    refused("empty", "", "bad_path");
    refused("relative", "a.txt", "bad_path");
    refused("dot-dot at the top", "/..", "bad_path");
    refused("dot-dot escape", "/../outside/secret.txt", "bad_path");
    refused("dot-dot inside", "/dir/../a.txt", "bad_path");
    refused("dot-dot at the end", "/dir/..", "bad_path");
    refused("deep dot-dot escape", "/dir/sub/../../../outside/secret.txt", "bad_path");
    refused("dot segment", "/./a.txt", "bad_path");
    refused("dot at the end", "/dir/.", "bad_path");
    refused("absolute after the prefix", "//etc/passwd", "bad_path");
    refused("only slashes", "///", "bad_path");
    refused("empty segment inside", "/dir//b.bin", "bad_path");
    refused("two trailing slashes", "/dir//", "bad_path");
    refused("backslash", "/bad\\name", "bad_path");
    refused("backslash traversal", "/..\\outside\\secret.txt", "bad_path");
    refused("NUL byte", QByteArray("/a.txt\0.png", 11), "bad_path");
    refused("newline", "/new\nline", "bad_path");
    refused("carriage return", "/a\r.txt", "bad_path");
    refused("DEL", "/a\x7f", "bad_path");
    refused("invalid UTF-8", "/\xff\xfe", "bad_path");
    refused("overlong UTF-8 dot", "/\xc0\xae\xc0\xae/x", "bad_path");
    refused("truncated UTF-8", "/a\xc3", "bad_path");
    refused("segment over 255 bytes", "/" + QByteArray(256, 'a'), "bad_path");
    refused("path over 4096 bytes", QByteArray("/a").repeated(2100), "bad_path");
}

void TestExportRoot::resolve()
{
    QFETCH(QByteArray, path);
    QFETCH(QString, code);
    QFETCH(QString, relative);
    QFETCH(QString, canonical);
    QFETCH(bool, isDirectory);
    QFETCH(qint64, size);
    const Expected<ResolvedFile> file = m_root->resolve(path);
    if (!code.isEmpty()) {
        QVERIFY2(!file, file ? qPrintable(file->absolutePath) : "");
        QCOMPARE(file.errorCode(), code);
        QVERIFY(!file.error().isEmpty());
        QVERIFY2(!file.error().contains(m_dir.path()), qPrintable(file.error())); // no leak
        return;
    }
    QVERIFY2(file, file ? "" : qPrintable(file.error()));
    QCOMPARE(file->relativePath, relative);
    QCOMPARE(file->absolutePath, m_root->path() + canonical);
    QCOMPARE(file->isDirectory, isDirectory);
    QCOMPARE(file->size, size);
    struct stat st;
    QCOMPARE(::stat(QFile::encodeName(file->absolutePath).constData(), &st), 0);
    QCOMPARE(file->mtimeNs, std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec);
}

void TestExportRoot::unreadable()
{
    if (::geteuid() == 0)
        QSKIP("running as root: permissions do not stop root from reading");
    const QString path = at("root/locked.txt");
    QVERIFY(writeFile(path, "locked"));
    QVERIFY(QFile::setPermissions(path, QFileDevice::WriteOwner));
    const Expected<ResolvedFile> file = m_root->resolve("/locked.txt");
    QVERIFY(!file);
    QCOMPARE(file.errorCode(), QStringLiteral("forbidden"));
    QVERIFY2(file.error().contains(QLatin1String("not readable")), qPrintable(file.error()));
    QCOMPARE(m_root->openFile("/locked.txt").errorCode(), QStringLiteral("forbidden"));
    QVERIFY(!paths(*m_root->list("/", 100)).contains(QStringLiteral("locked.txt")));
    QVERIFY(QFile::remove(path));
}

void TestExportRoot::openFile()
{
    const Expected<OpenedFile> opened = m_root->openFile("/link-in");
    QVERIFY2(opened, opened ? "" : qPrintable(opened.error()));
    QVERIFY(opened->fd && *opened->fd >= 0);
    QCOMPARE(opened->file.size, qint64(1000));
    QCOMPARE(opened->file.relativePath, QStringLiteral("link-in"));
    QCOMPARE(opened->file.absolutePath, m_root->path() + QStringLiteral("/dir/b.bin"));
    char buffer[16];
    QCOMPARE(::pread(*opened->fd, buffer, sizeof buffer, 990), ssize_t(10));
    QCOMPARE(QByteArray(buffer, 10), QByteArray(10, 'b'));
    // The descriptor is the file resolved: same device and inode.
    struct stat viaFd, viaPath;
    QCOMPARE(::fstat(*opened->fd, &viaFd), 0);
    QCOMPARE(::stat(QFile::encodeName(opened->file.absolutePath).constData(), &viaPath), 0);
    QCOMPARE(viaFd.st_ino, viaPath.st_ino);
    // The last copy closes it.
    const int fd = *opened->fd;
    {
        Expected<OpenedFile> moved = m_root->openFile("/a.txt");
        QVERIFY(moved);
        QCOMPARE(moved->file.size, qint64(5));
    }
    QVERIFY(::fcntl(fd, F_GETFD) >= 0); // still open: `opened` holds it
}

void TestExportRoot::openFileRefusals_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QString>("code");
    QTest::newRow("root") << QByteArray("/") << QStringLiteral("is_directory");
    QTest::newRow("directory") << QByteArray("/dir") << QStringLiteral("is_directory");
    QTest::newRow("symlinked directory")
        << QByteArray("/link-dir") << QStringLiteral("is_directory");
    QTest::newRow("FIFO, never blocks") << QByteArray("/fifo") << QStringLiteral("forbidden");
    QTest::newRow("outside") << QByteArray("/link-out") << QStringLiteral("forbidden");
    QTest::newRow("missing") << QByteArray("/nope") << QStringLiteral("not_found");
    QTest::newRow("traversal") << QByteArray("/../outside/secret.txt")
                               << QStringLiteral("bad_path");
}

void TestExportRoot::openFileRefusals()
{
    QFETCH(QByteArray, path);
    QFETCH(QString, code);
    const Expected<OpenedFile> opened = m_root->openFile(path);
    QVERIFY(!opened);
    QCOMPARE(opened.errorCode(), code);
}

void TestExportRoot::listOneDirectory()
{
    const Expected<std::vector<FileEntry>> top = m_root->list("/", 100);
    QVERIFY2(top, top ? "" : qPrintable(top.error()));
    // Sorted; the FIFO, names a request could not address, and links that are broken, loop or
    // leave the root are left out; links inside are listed under their own names.
    const QStringList expected{QStringLiteral("..."),
                               QStringLiteral("a.txt"),
                               QStringLiteral("dir/"),
                               QStringLiteral("link-abs-in"),
                               QStringLiteral("link-dir/"),
                               QStringLiteral("link-in"),
                               QStringLiteral("with space.txt"),
                               QString::fromUtf8("\xc3\xbcn\xc3\xaf.txt")};
    QCOMPARE(paths(*top), expected);
    for (const FileEntry &entry : *top) {
        if (entry.path == u"a.txt") {
            QCOMPARE(entry.size, qint64(5));
            QVERIFY(qAbs(entry.mtimeMs -
                         QFileInfo(at("root/a.txt")).lastModified().toMSecsSinceEpoch()) <= 1);
        }
        if (entry.isDirectory)
            QCOMPARE(entry.size, qint64(0));
    }
    const Expected<std::vector<FileEntry>> dir = m_root->list("/link-dir/", 100);
    QVERIFY(dir);
    QCOMPARE(paths(*dir),
             (QStringList{QStringLiteral("link-dir/b.bin"), QStringLiteral("link-dir/sub/")}));
    // Exactly at the limit is fine.
    QVERIFY(m_root->list("/", int(expected.size())));
}

void TestExportRoot::listErrors()
{
    const Expected<std::vector<FileEntry>> tooMany = m_root->list("/", 3);
    QVERIFY(!tooMany);
    QCOMPARE(tooMany.errorCode(), QStringLiteral("too_many_entries"));
    QCOMPARE(m_root->list("/a.txt", 10).errorCode(), QStringLiteral("not_a_directory"));
    QCOMPARE(m_root->list("/nope", 10).errorCode(), QStringLiteral("not_found"));
    QCOMPARE(m_root->list("/link-out-dir", 10).errorCode(), QStringLiteral("forbidden"));
    QCOMPARE(m_root->list("/../outside", 10).errorCode(), QStringLiteral("bad_path"));
    QCOMPARE(m_root->list("//", 10).errorCode(), QStringLiteral("bad_path"));
}

void TestExportRoot::listRecursive()
{
    const Expected<std::vector<FileEntry>> all = m_root->listRecursive(100);
    QVERIFY2(all, all ? "" : qPrintable(all.error()));
    // Every regular file once; the symlinked directory is not walked again.
    const QStringList expected{QStringLiteral("..."),
                               QStringLiteral("a.txt"),
                               QStringLiteral("dir/b.bin"),
                               QStringLiteral("dir/sub/c.txt"),
                               QStringLiteral("link-abs-in"),
                               QStringLiteral("link-in"),
                               QStringLiteral("with space.txt"),
                               QString::fromUtf8("\xc3\xbcn\xc3\xaf.txt")};
    QCOMPARE(paths(*all), expected);
    QCOMPARE(m_root->listRecursive(7).errorCode(), QStringLiteral("too_many_entries"));
    QVERIFY(m_root->listRecursive(8));
    // Every listed path resolves to what was listed.
    for (const FileEntry &entry : *all) {
        const Expected<ResolvedFile> file = m_root->resolve(QByteArray('/' + entry.path.toUtf8()));
        QVERIFY2(file, qPrintable(entry.path));
        QCOMPARE(file->size, entry.size);
    }
}

void TestExportRoot::encodedFormsOverHttp_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::newRow("plain") << QByteArray("/a.txt") << 200;
    QTest::newRow("encoded space") << QByteArray("/with%20space.txt") << 200;
    QTest::newRow("encoded UTF-8") << QByteArray("/%C3%BCn%C3%AF.txt") << 200;
    QTest::newRow("raw dot-dot") << QByteArray("/../outside/secret.txt") << 400;
    QTest::newRow("%2e%2e") << QByteArray("/%2e%2e/outside/secret.txt") << 400;
    QTest::newRow("%2E%2E upper case") << QByteArray("/%2E%2E/outside/secret.txt") << 400;
    QTest::newRow("mixed .%2e") << QByteArray("/.%2e/outside/secret.txt") << 400;
    QTest::newRow("%2f separators") << QByteArray("/dir%2f..%2f..%2foutside%2fsecret.txt") << 400;
    QTest::newRow("%2e%2e%2f chain") << QByteArray("/%2e%2e%2f%2e%2e%2fetc%2fpasswd") << 400;
    QTest::newRow("%5c backslash") << QByteArray("/..%5coutside%5csecret.txt") << 400;
    QTest::newRow("double slash") << QByteArray("//etc/passwd") << 400;
    QTest::newRow("%2f%2f absolute") << QByteArray("/%2fetc%2fpasswd") << 400;
    QTest::newRow("%0a newline") << QByteArray("/new%0aline") << 400;
    QTest::newRow("%00 NUL") << QByteArray("/a.txt%00.png") << 400;
    QTest::newRow("%ff invalid UTF-8") << QByteArray("/%ff") << 400;
    QTest::newRow("double encoding stays literal") << QByteArray("/%252e%252e/x") << 404;
    QTest::newRow("symlink out") << QByteArray("/link-out") << 403;
}

void TestExportRoot::encodedFormsOverHttp()
{
    // libmicrohttpd decodes the target before the handler sees it; resolve() must refuse the
    // decoded form. The handler maps error codes the way a data server does.
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    using namespace starling::http;
    HttpServer server([this](const HttpRequest &request) {
        const Expected<ResolvedFile> file = m_root->resolve(request.path);
        if (file)
            return HttpResponse::text(200, file->relativePath.toUtf8());
        const int code = file.errorCode() == u"bad_path"    ? 400
                         : file.errorCode() == u"not_found" ? 404
                                                            : 403;
        return HttpResponse::text(code, file.errorCode().toUtf8());
    });
    const Expected<quint16> port = server.listen(QHostAddress::LocalHost, 0);
    QVERIFY(port);
    const httptest::Reply reply = httptest::get(*port, target);
    QCOMPARE(reply.status, status);
    QVERIFY(!reply.body.contains("secret"));
}

QTEST_GUILESS_MAIN(TestExportRoot)
#include "tst_exportroot.moc"
