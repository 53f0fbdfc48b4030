// libFuzzer target for transfer::ExportRoot::resolve/openFile/list over a small real tree with
// symlinks inside and out (built once in a temporary directory). Whatever the input, a path
// that resolves is canonical and inside the root, never the secret outside it, and came from
// an input without ".", "..", empty segments, backslashes or control bytes; errors carry one of
// the documented codes. Any violation aborts (a finding).
#include "transfer/exportroot.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace starling::transfer;

namespace {

void require(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "ExportRoot invariant violated: %s\n", what);
        std::abort();
    }
}

struct Tree
{
    QTemporaryDir dir;
    std::unique_ptr<ExportRoot> root;
    QString secret;
};

Tree *g_tree = nullptr;

void writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    require(file.open(QIODevice::WriteOnly) && file.write(data) == data.size(), "setup: write");
}

void link(const char *target, const QString &at)
{
    require(::symlink(target, QFile::encodeName(at).constData()) == 0, "setup: symlink");
}

// Independent of the implementation: does the input contain something a resolvable path never
// may?
bool hasForbiddenShape(const QByteArray &path)
{
    if (path.isEmpty() || path.front() != '/')
        return true;
    for (const char c : path) {
        if (c == '\0' || c == '\\' || (unsigned char)c < 0x20 || c == 0x7f)
            return true;
    }
    if (path == "/")
        return false;
    QByteArray body = path.mid(1);
    if (body.endsWith('/'))
        body.chop(1);
    for (const QByteArray &segment : body.split('/')) {
        if (segment.isEmpty() || segment == "." || segment == "..")
            return true;
    }
    return false;
}

bool isCodeOneOf(const QString &code, std::initializer_list<const char *> codes)
{
    for (const char *c : codes) {
        if (code == QLatin1String(c))
            return true;
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    g_tree = new Tree; // lives until exit; QTemporaryDir removes the tree then
    std::atexit([] { delete g_tree; });
    require(g_tree->dir.isValid(), "setup: temporary directory");
    const QString base = g_tree->dir.path();
    require(QDir().mkpath(base + QStringLiteral("/root/dir/sub")), "setup: mkpath");
    require(QDir().mkpath(base + QStringLiteral("/outside")), "setup: mkpath");
    require(QDir().mkpath(base + QStringLiteral("/root-evil")), "setup: mkpath");
    writeFile(base + QStringLiteral("/root/a.txt"), "a");
    writeFile(base + QStringLiteral("/root/dir/b.txt"), "bb");
    writeFile(base + QStringLiteral("/root/dir/sub/c.txt"), "ccc");
    writeFile(base + QStringLiteral("/root/..."), "dots");
    g_tree->secret = base + QStringLiteral("/outside/secret.txt");
    writeFile(g_tree->secret, "secret");
    writeFile(base + QStringLiteral("/root-evil/x"), "evil");
    link("dir/b.txt", base + QStringLiteral("/root/link-in"));
    link("dir", base + QStringLiteral("/root/link-dir"));
    link("../outside/secret.txt", base + QStringLiteral("/root/link-out"));
    link("../outside", base + QStringLiteral("/root/link-out-dir"));
    link("../root-evil/x", base + QStringLiteral("/root/link-evil"));
    link("link-loop", base + QStringLiteral("/root/link-loop"));
    link("nowhere", base + QStringLiteral("/root/link-broken"));
    starling::Expected<ExportRoot> root = ExportRoot::open(base + QStringLiteral("/root"));
    require(root.hasValue(), "setup: open the root");
    g_tree->root = std::make_unique<ExportRoot>(std::move(root).value());
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray path(reinterpret_cast<const char *>(data), qsizetype(size));
    const ExportRoot &root = *g_tree->root;

    const starling::Expected<ResolvedFile> resolved = root.resolve(path);
    if (resolved) {
        require(!hasForbiddenShape(path), "a forbidden shape resolved");
        require(root.contains(resolved->absolutePath), "resolved outside the root");
        require(resolved->absolutePath != g_tree->secret, "resolved to the secret");
        char *real = ::realpath(QFile::encodeName(resolved->absolutePath).constData(), nullptr);
        require(real != nullptr, "resolved path does not exist");
        require(QFile::decodeName(real) == resolved->absolutePath, "resolved path not canonical");
        std::free(real);
        require(!resolved->relativePath.startsWith(u'/') && !resolved->relativePath.endsWith(u'/'),
                "relative path has a leading or trailing '/'");
    } else {
        require(isCodeOneOf(resolved.errorCode(), {"bad_path", "not_found", "forbidden"}),
                "resolve gave an undocumented error code");
        require(!resolved.error().isEmpty(), "an error without a message");
    }

    const starling::Expected<OpenedFile> opened = root.openFile(path);
    if (opened) {
        require(resolved.hasValue() && !resolved->isDirectory, "opened what did not resolve");
        char link[PATH_MAX + 1];
        const QByteArray proc = "/proc/self/fd/" + QByteArray::number(*opened->fd);
        const ssize_t n = ::readlink(proc.constData(), link, PATH_MAX);
        require(n > 0 && root.contains(QFile::decodeName(QByteArray(link, qsizetype(n)))),
                "opened a file outside the root");
    } else {
        require(
            isCodeOneOf(opened.errorCode(), {"bad_path", "not_found", "forbidden", "is_directory"}),
            "openFile gave an undocumented error code");
    }

    const auto listed = root.list(path, 16);
    if (listed) {
        require(resolved.hasValue() && resolved->isDirectory, "listed what is no directory");
        for (const FileEntry &entry : *listed) {
            const starling::Expected<ResolvedFile> again =
                root.resolve(QByteArray('/' + entry.path.toUtf8()));
            require(again.hasValue(), "a listed entry does not resolve");
        }
    }
    return 0;
}
