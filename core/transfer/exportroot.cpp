#include "exportroot.h"

#include <QFile>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>

namespace starling::transfer {

namespace {

constexpr qsizetype kMaxPathBytes = 4096;
constexpr qsizetype kMaxSegmentBytes = 255;
constexpr int kMaxDepth = 64;

Error badPath(QByteArrayView path, const char *why)
{
    // The path is the client's own input; quoting it back (lossily) helps them see the problem.
    return Error{QStringLiteral("bad path \"%1\": %2")
                     .arg(QString::fromUtf8(path.first(qMin<qsizetype>(path.size(), 200))),
                          QLatin1String(why)),
                 QStringLiteral("bad_path")};
}

Error notFound(const QString &shown, const char *why = "no such file or directory")
{
    return Error{QStringLiteral("%1: %2").arg(shown, QLatin1String(why)),
                 QStringLiteral("not_found")};
}

Error forbidden(const QString &shown, const char *why)
{
    return Error{QStringLiteral("%1: %2").arg(shown, QLatin1String(why)),
                 QStringLiteral("forbidden")};
}

// A byte a request path may not contain: NUL, other control bytes, DEL, backslash.
const char *forbiddenByte(char c)
{
    if (c == '\0')
        return "contains a NUL byte";
    if (c == '\\')
        return "contains a backslash";
    if ((unsigned char)c < 0x20 || c == 0x7f)
        return "contains a control character";
    return nullptr;
}

// Why `segment` cannot be one path component, or nullptr if it can.
const char *badSegment(QByteArrayView segment)
{
    if (segment.isEmpty())
        return "has an empty segment (\"//\" or an absolute path)";
    if (segment == "." || segment == "..")
        return "has a \".\" or \"..\" segment";
    if (segment.size() > kMaxSegmentBytes)
        return "has a segment over 255 bytes";
    for (const char c : segment) {
        if (const char *why = forbiddenByte(c))
            return why;
    }
    if (!segment.isValidUtf8())
        return "is not valid UTF-8";
    return nullptr;
}

struct ParsedPath
{
    QString relative; // no leading or trailing '/'; "" = the root
    bool trailingSlash = false;
};

Expected<ParsedPath> parsePath(QByteArrayView path)
{
    if (path.isEmpty() || path.front() != '/')
        return badPath(path, "must start with '/'");
    if (path.size() > kMaxPathBytes)
        return badPath(path, "is longer than 4096 bytes");
    ParsedPath parsed;
    if (path == "/")
        return parsed;
    QByteArrayView body = path.sliced(1);
    if (body.endsWith('/')) {
        parsed.trailingSlash = true;
        body.chop(1);
    }
    QByteArrayView rest = body;
    while (true) {
        const qsizetype slash = rest.indexOf('/');
        if (const char *why = badSegment(slash < 0 ? rest : rest.first(slash)))
            return badPath(path, why);
        if (slash < 0)
            break;
        rest = rest.sliced(slash + 1);
    }
    parsed.relative = QString::fromUtf8(body);
    return parsed;
}

QString shownPath(const QString &relative)
{
    return u'/' + relative;
}

std::int64_t mtimeNsOf(const struct stat &st)
{
    return std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

std::optional<QString> realPath(const QString &path)
{
    char *resolved = ::realpath(QFile::encodeName(path).constData(), nullptr);
    if (!resolved)
        return std::nullopt;
    QString result = QFile::decodeName(resolved);
    std::free(resolved);
    return result;
}

SharedFd shareFd(int fd)
{
    return SharedFd(new int(fd), [](const int *owned) {
        ::close(*owned);
        delete owned;
    });
}

QString join(const QString &prefix, const QString &name)
{
    return prefix.isEmpty() ? name : prefix + u'/' + name;
}

} // namespace

ExportRoot::ExportRoot(QString canonicalRoot) : m_root(std::move(canonicalRoot)) {}

Expected<ExportRoot> ExportRoot::open(const QString &directory)
{
    const std::optional<QString> canonical = realPath(directory);
    if (!canonical) {
        return Error{QStringLiteral("export root %1: %2")
                         .arg(directory, QString::fromLocal8Bit(std::strerror(errno))),
                     QStringLiteral("not_found")};
    }
    struct stat st;
    if (::stat(QFile::encodeName(*canonical).constData(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return Error{QStringLiteral("export root %1: not a directory").arg(directory),
                     QStringLiteral("not_a_directory")};
    }
    if (::access(QFile::encodeName(*canonical).constData(), R_OK | X_OK) != 0) {
        return Error{QStringLiteral("export root %1: not readable").arg(directory),
                     QStringLiteral("forbidden")};
    }
    return ExportRoot(*canonical);
}

bool ExportRoot::contains(const QString &canonicalPath) const
{
    if (canonicalPath == m_root)
        return true;
    if (m_root == u'/')
        return canonicalPath.startsWith(u'/');
    return canonicalPath.size() > m_root.size() && canonicalPath.startsWith(m_root) &&
           canonicalPath.at(m_root.size()) == u'/';
}

Expected<QString> ExportRoot::canonicalInside(const QString &candidate, const QString &shown) const
{
    const std::optional<QString> canonical = realPath(candidate);
    if (!canonical) {
        switch (errno) {
        case ENOENT:
        case ENOTDIR:
            return notFound(shown);
        case EACCES:
        case EPERM:
            return forbidden(shown, "permission denied");
        case ELOOP:
            return forbidden(shown, "too many symbolic links");
        case ENAMETOOLONG:
            return Error{QStringLiteral("%1: name too long").arg(shown),
                         QStringLiteral("bad_path")};
        default:
            return forbidden(shown, "cannot be resolved");
        }
    }
    if (!contains(*canonical))
        return forbidden(shown, "leads outside the export root");
    return *canonical;
}

Expected<ResolvedFile> ExportRoot::resolve(QByteArrayView decodedPath) const
{
    Expected<ParsedPath> parsed = parsePath(decodedPath);
    if (!parsed)
        return Error{parsed.error(), parsed.errorCode()};
    const QString shown = shownPath(parsed->relative);
    const Expected<QString> canonical = canonicalInside(
        parsed->relative.isEmpty() ? m_root : m_root + u'/' + parsed->relative, shown);
    if (!canonical)
        return Error{canonical.error(), canonical.errorCode()};
    const QByteArray native = QFile::encodeName(*canonical);
    struct stat st;
    if (::stat(native.constData(), &st) != 0)
        return notFound(shown);
    const bool isDirectory = S_ISDIR(st.st_mode);
    if (!isDirectory && !S_ISREG(st.st_mode))
        return forbidden(shown, "not a regular file or directory");
    if (parsed->trailingSlash && !isDirectory)
        return notFound(shown + u'/', "not a directory");
    if (::access(native.constData(), isDirectory ? R_OK | X_OK : R_OK) != 0)
        return forbidden(shown, "not readable");
    ResolvedFile file;
    file.absolutePath = *canonical;
    file.relativePath = parsed->relative;
    file.isDirectory = isDirectory;
    file.size = isDirectory ? 0 : qint64(st.st_size);
    file.mtimeNs = mtimeNsOf(st);
    return file;
}

Expected<OpenedFile> ExportRoot::openFile(QByteArrayView decodedPath) const
{
    Expected<ResolvedFile> resolved = resolve(decodedPath);
    if (!resolved)
        return Error{resolved.error(), resolved.errorCode()};
    ResolvedFile file = std::move(resolved).value();
    const QString shown = shownPath(file.relativePath);
    if (file.isDirectory) {
        return Error{QStringLiteral("%1: is a directory").arg(shown),
                     QStringLiteral("is_directory")};
    }
    // O_NONBLOCK: a FIFO swapped in after resolve() must not block the open; O_NOFOLLOW: the
    // canonical path has no symlink, so one appearing now is an attack or a race.
    int fd;
    do
        fd = ::open(QFile::encodeName(file.absolutePath).constData(),
                    O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return notFound(shown);
        return forbidden(shown, errno == ELOOP ? "became a symbolic link" : "cannot be opened");
    }
    SharedFd owned = shareFd(fd);
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return forbidden(shown, "not a regular file");
    // What was opened, by the kernel's own account of the descriptor: a directory on the way
    // swapped for a symlink between resolve() and open() shows up here.
    char link[PATH_MAX + 1];
    const QByteArray procPath = "/proc/self/fd/" + QByteArray::number(fd);
    const ssize_t n = ::readlink(procPath.constData(), link, PATH_MAX);
    if (n > 0) {
        if (!contains(QFile::decodeName(QByteArray(link, qsizetype(n)))))
            return forbidden(shown, "leads outside the export root");
    } else {
        // No /proc: the resolved path must still be inside and name the opened file.
        const Expected<QString> again = canonicalInside(file.absolutePath, shown);
        struct stat now;
        if (!again || ::stat(QFile::encodeName(*again).constData(), &now) != 0 ||
            now.st_dev != st.st_dev || now.st_ino != st.st_ino)
            return forbidden(shown, "changed while being opened");
    }
    file.size = qint64(st.st_size);
    file.mtimeNs = mtimeNsOf(st);
    return OpenedFile{std::move(owned), std::move(file)};
}

namespace {

// One entry of a directory being listed, after the checks every listing shares.
struct ListedEntry
{
    QString name;
    QString canonical; // for directories: where a recursive listing continues
    bool isDirectory = false;
    bool isSymlink = false;
    struct stat st;
};

} // namespace

// Reads `canonicalDir` and hands every entry a request could address (a valid name, a regular
// file or directory, readable, symlinks resolved inside the root) to `visit`. False if the
// directory cannot be read.
template<typename Visit>
static bool forEachEntry(const ExportRoot &root, const QString &canonicalDir, Visit &&visit)
{
    DIR *dir = ::opendir(QFile::encodeName(canonicalDir).constData());
    if (!dir)
        return false;
    while (const dirent *entry = ::readdir(dir)) {
        const QByteArrayView name(entry->d_name);
        if (name == "." || name == ".." || badSegment(name))
            continue;
        ListedEntry listed;
        listed.name = QString::fromUtf8(name);
        const QString full = canonicalDir + u'/' + listed.name;
        struct stat own;
        if (::lstat(QFile::encodeName(full).constData(), &own) != 0)
            continue;
        listed.isSymlink = S_ISLNK(own.st_mode);
        const std::optional<QString> canonical = realPath(full);
        if (!canonical || !root.contains(*canonical))
            continue; // broken, or a symlink out of the root: not ours to show
        const QByteArray native = QFile::encodeName(*canonical);
        if (::stat(native.constData(), &listed.st) != 0)
            continue;
        listed.isDirectory = S_ISDIR(listed.st.st_mode);
        if (!listed.isDirectory && !S_ISREG(listed.st.st_mode))
            continue;
        if (::access(native.constData(), listed.isDirectory ? R_OK | X_OK : R_OK) != 0)
            continue;
        listed.canonical = *canonical;
        visit(listed);
    }
    ::closedir(dir);
    return true;
}

static FileEntry toEntry(const QString &path, const ListedEntry &listed)
{
    FileEntry entry;
    entry.path = path;
    entry.isDirectory = listed.isDirectory;
    entry.size = listed.isDirectory ? 0 : qint64(listed.st.st_size);
    entry.mtimeMs = mtimeNsOf(listed.st) / 1000000;
    return entry;
}

static Error tooMany(int maxEntries)
{
    return Error{QStringLiteral("more than %1 entries: list a subdirectory").arg(maxEntries),
                 QStringLiteral("too_many_entries")};
}

static void sortByPath(std::vector<FileEntry> &entries)
{
    std::sort(entries.begin(), entries.end(),
              [](const FileEntry &a, const FileEntry &b) { return a.path < b.path; });
}

Expected<std::vector<FileEntry>> ExportRoot::list(QByteArrayView decodedDirPath,
                                                  int maxEntries) const
{
    Expected<ResolvedFile> resolved = resolve(decodedDirPath);
    if (!resolved)
        return Error{resolved.error(), resolved.errorCode()};
    if (!resolved->isDirectory) {
        return Error{QStringLiteral("%1: not a directory").arg(shownPath(resolved->relativePath)),
                     QStringLiteral("not_a_directory")};
    }
    std::vector<FileEntry> entries;
    bool overflow = false;
    const bool readable = forEachEntry(*this, resolved->absolutePath, [&](const ListedEntry &e) {
        if (int(entries.size()) >= maxEntries) {
            overflow = true;
            return;
        }
        entries.push_back(toEntry(join(resolved->relativePath, e.name), e));
    });
    if (!readable)
        return forbidden(shownPath(resolved->relativePath), "cannot be listed");
    if (overflow)
        return tooMany(maxEntries);
    sortByPath(entries);
    return entries;
}

Expected<std::vector<FileEntry>> ExportRoot::listRecursive(int maxEntries) const
{
    struct Pending
    {
        QString canonical;
        QString relative;
        int depth;
    };
    std::vector<FileEntry> entries;
    std::vector<Pending> stack{{m_root, QString(), 0}};
    bool overflow = false;
    while (!stack.empty() && !overflow) {
        const Pending current = std::move(stack.back());
        stack.pop_back();
        forEachEntry(*this, current.canonical, [&](const ListedEntry &e) {
            const QString path = join(current.relative, e.name);
            if (e.isDirectory) {
                // A symlinked directory inside the root is walked under its real path already;
                // following it too would list files twice and could loop.
                if (!e.isSymlink && current.depth + 1 < kMaxDepth)
                    stack.push_back({e.canonical, path, current.depth + 1});
                return;
            }
            if (int(entries.size()) >= maxEntries) {
                overflow = true;
                return;
            }
            entries.push_back(toEntry(path, e));
        });
    }
    if (overflow)
        return tooMany(maxEntries);
    sortByPath(entries);
    return entries;
}

} // namespace starling::transfer
