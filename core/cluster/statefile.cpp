#include "statefile.h"

#include "util/jsonfile.h"
#include "util/jsonobjectreader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSaveFile>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

namespace starling::cluster {

namespace {

using util::JsonObjectReader;
using util::StringRule;

constexpr qint64 kMaxPid = std::numeric_limits<int>::max(); // pid_t is an int
constexpr qint64 kMaxExactJsonInteger = qint64(1) << 53;
constexpr int kMaxTokenChars = 1024;
constexpr QFile::Permissions kOwnerReadWrite = QFile::ReadOwner | QFile::WriteOwner;
constexpr QFile::Permissions kOwnerOnlyDir = kOwnerReadWrite | QFile::ExeOwner;

QLatin1String key(const char *name)
{
    return QLatin1String(name);
}

Error fail(const QString &path, const QString &what)
{
    return Error{path + QStringLiteral(": ") + what};
}

// The token travels in NDJSON lines and headers, where a space or control character would
// break the framing.
bool isPrintableToken(const QString &token)
{
    if (token.isEmpty() || token.size() > kMaxTokenChars)
        return false;
    for (QChar c : token) {
        if (c.unicode() < 0x21 || c.unicode() > 0x7e)
            return false;
    }
    return true;
}

void readNodePids(JsonObjectReader &reader, std::vector<qint64> &out)
{
    const QJsonArray pids = reader.readArray(key("node_pids"), ClusterStateFile::kMaxNodePids);
    for (qsizetype i = 0; i < pids.size() && reader.ok(); ++i) {
        const double pid = pids.at(i).toDouble(0);
        if (!pids.at(i).isDouble() || pid < 1 || pid > double(kMaxPid) || pid != std::floor(pid)) {
            reader.fail(QStringLiteral("\"node_pids\"[%1] must be a process id from 1 to %2, got ")
                            .arg(i)
                            .arg(kMaxPid) +
                        util::describeJsonValue(pids.at(i)));
            return;
        }
        out.push_back(qint64(pid));
    }
}

// A missing directory is created owner-only rather than opened up and narrowed later, so no
// other user can slip a file or symlink into it before the state file exists.
Expected<bool> ensurePrivateDirectory(const QString &dir)
{
    if (QFileInfo(dir).isDir())
        return true;
    const QString parent = QFileInfo(dir).absolutePath();
    if (!QDir().mkpath(parent) || (!QDir().mkdir(dir, kOwnerOnlyDir) && !QFileInfo(dir).isDir()))
        return fail(dir, QStringLiteral("cannot create the directory"));
    // mkdir's mode passes through the umask, which may take the owner's own bits away.
    QFile::setPermissions(dir, kOwnerOnlyDir);
    return true;
}

// QSaveFile creates its temporary file world-readable (minus the umask) when the target does
// not exist yet, and private when it does. An empty private placeholder makes the second case
// always apply, so the token is never in a file another user could have opened.
bool createPrivatePlaceholder(const QString &path)
{
    QFile placeholder(path);
    return placeholder.open(QIODevice::WriteOnly | QIODevice::NewOnly, kOwnerReadWrite);
}

Expected<bool> saveOwnerOnly(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    // QSaveFile copies the old file's mode onto the new one; 0600 must win over an old 0644.
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(kOwnerReadWrite))
        return fail(path, QStringLiteral("cannot write: ") + file.errorString());
    if (file.write(bytes) != bytes.size() || !file.commit())
        return fail(path, QStringLiteral("cannot write: ") + file.errorString());
    return true;
}

QString modeText(mode_t mode)
{
    return QStringLiteral("%1").arg(uint(mode & 07777), 4, 8, QLatin1Char('0'));
}

// Why a file or directory with this owner and mode must not be trusted; empty if it may be.
QString trustProblem(const struct stat &info)
{
    if (info.st_uid != ::geteuid())
        return QStringLiteral("belongs to uid %1, not to this user (uid %2)")
            .arg(info.st_uid)
            .arg(::geteuid());
    if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        return QStringLiteral("is writable by group or others (mode %1)")
            .arg(modeText(info.st_mode));
    return {};
}

// The state file read through one descriptor, so the checks are about the bytes that are read.
Expected<QByteArray> readTrustedFile(const QString &path)
{
    // Non-blocking: a FIFO in its place must not hang the reader until the type check.
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return fail(path,
                    QStringLiteral("cannot read: ") + QString::fromLocal8Bit(std::strerror(errno)));
    QFile file;
    if (!file.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        return fail(path, QStringLiteral("cannot read: ") + file.errorString());
    }
    struct stat info;
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode))
        return fail(path, QStringLiteral("not a regular file"));
    if (const QString problem = trustProblem(info); !problem.isEmpty()) {
        return fail(path, problem + QStringLiteral(": refusing it (fix with: chown $USER and chmod "
                                                   "600, or remove it)"));
    }
    const QByteArray bytes = file.read(ClusterStateFile::kMaxFileBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return fail(path, QStringLiteral("cannot read: ") + file.errorString());
    if (bytes.size() > ClusterStateFile::kMaxFileBytes)
        return fail(path, QStringLiteral("larger than the limit of %1 bytes")
                              .arg(ClusterStateFile::kMaxFileBytes));
    return bytes;
}

// TLS slice: {"ca_file": PATH, "pubkey_sha256": "sha256//BASE64"}, either may be "".
QJsonObject tlsToJson(const util::TlsTrust &trust)
{
    return {{key("ca_file"), trust.caFile}, {key("pubkey_sha256"), trust.publicKeyPin}};
}

void readTls(JsonObjectReader &reader, const QJsonObject &root, util::TlsTrust &out)
{
    if (!root.contains(key("tls")))
        return;
    const QJsonValue value = root.value(key("tls"));
    if (!value.isObject()) {
        reader.reject(key("tls"), QStringLiteral("an object"));
        return;
    }
    JsonObjectReader inner(value.toObject(), reader.context() + QStringLiteral(": \"tls\""));
    inner.readString(
        key("ca_file"), out.caFile,
        StringRule{[](const QString &s) { return s.size() <= 4096; }, QStringLiteral("a path")});
    inner.readString(
        key("pubkey_sha256"), out.publicKeyPin,
        StringRule{[](const QString &s) { return s.isEmpty() || util::isPublicKeyPin(s); },
                   QStringLiteral("\"sha256//\" and the base64 of 32 bytes")});
    if (inner.ok() && !out.isEnabled())
        inner.fail(QStringLiteral("names neither a CA file nor a public key pin"));
    if (!inner.ok())
        reader.fail(inner.error().mid(reader.context().size() + 2));
}

} // namespace

QJsonObject ClusterStateFile::toJson() const
{
    QJsonArray pids;
    for (qint64 pid : nodePids)
        pids.append(pid);
    QJsonObject object{
        {key("master_url"), masterUrl},
        {key("bridge_host"), bridgeHost},
        {key("bridge_port"), bridgePort},
        {key("metrics_url"), metricsUrl},
        {key("token"), token},
        {key("mpiexec_pid"), mpiexecPid},
        {key("node_pids"), pids},
        {key("run_dir"), runDir},
        {key("started_at_ms"), startedAtMs},
        {key("slaves"), slaves},
        {key("export_root"), exportRoot},
        {key("profile_path"), profilePath},
    };
    if (tls.isEnabled())
        object.insert(key("tls"), tlsToJson(tls));
    return object;
}

Expected<ClusterStateFile> ClusterStateFile::fromJson(const QByteArray &json, const QString &origin)
{
    const Expected<QJsonObject> root = util::parseJsonObject(json, origin, kMaxFileBytes);
    if (!root)
        return Error{root.error()};
    JsonObjectReader reader(*root, origin, JsonObjectReader::MissingKey::IsError);
    ClusterStateFile s;
    reader.readString(key("master_url"), s.masterUrl);
    reader.readString(key("bridge_host"), s.bridgeHost);
    reader.readInteger(key("bridge_port"), 0, 65535, s.bridgePort);
    reader.readString(key("metrics_url"), s.metricsUrl);
    reader.readString(
        key("token"), s.token,
        StringRule{
            isPrintableToken,
            QStringLiteral("1 to %1 printable ASCII characters without spaces").arg(kMaxTokenChars),
            true});
    reader.readInteger(key("mpiexec_pid"), 0, kMaxPid, s.mpiexecPid);
    readNodePids(reader, s.nodePids);
    reader.readString(key("run_dir"), s.runDir);
    reader.readInteger(key("started_at_ms"), 0, kMaxExactJsonInteger, s.startedAtMs);
    reader.readInteger(key("slaves"), 0, 4096, s.slaves);
    reader.readString(key("export_root"), s.exportRoot);
    reader.readString(key("profile_path"), s.profilePath);
    readTls(reader, *root, s.tls);
    if (!reader.ok())
        return Error{reader.error()};
    return s;
}

QString resolveRunDir(const QString &flagValue)
{
    QString chosen = flagValue;
    if (chosen.isEmpty())
        chosen = qEnvironmentVariable("STARLING_RUN_DIR");
    if (chosen.isEmpty())
        chosen = QStringLiteral("./.starling");
    return QDir::cleanPath(QDir::current().absoluteFilePath(chosen));
}

QString stateFilePath(const QString &runDir)
{
    return QDir(runDir).filePath(QStringLiteral("cluster.json"));
}

Expected<bool> writeStateFile(const QString &path, const ClusterStateFile &state)
{
    const Expected<bool> dir = ensurePrivateDirectory(QFileInfo(path).absolutePath());
    if (!dir)
        return dir;
    const bool placeholder = createPrivatePlaceholder(path);
    const Expected<bool> saved =
        saveOwnerOnly(path, QJsonDocument(state.toJson()).toJson(QJsonDocument::Indented));
    // An empty leftover would read as a corrupt cluster instead of "no cluster found".
    if (!saved && placeholder)
        QFile::remove(path);
    return saved;
}

Expected<ClusterStateFile> readStateFile(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        return Error{QStringLiteral("no cluster found: ") + info.absoluteFilePath() +
                     QStringLiteral(" does not exist (start one with: starling up)")};
    }
    const Expected<QByteArray> bytes = readTrustedFile(path);
    if (!bytes)
        return Error{bytes.error()};
    return ClusterStateFile::fromJson(*bytes, path);
}

Expected<bool> ensureRunDirectory(const QString &dir)
{
    if (const Expected<bool> made = ensurePrivateDirectory(dir); !made)
        return made;
    struct stat info;
    if (::stat(QFile::encodeName(dir).constData(), &info) != 0 || !S_ISDIR(info.st_mode))
        return fail(dir, QStringLiteral("the run directory is not a directory"));
    if (const QString problem = trustProblem(info); !problem.isEmpty()) {
        return fail(dir, QStringLiteral("the run directory ") + problem +
                             QStringLiteral(": refusing it (use a directory of your own with "
                                            "mode 700, or chmod 700 it)"));
    }
    return true;
}

QString generateToken()
{
    std::array<quint32, 8> words;
    QRandomGenerator::system()->fillRange(words.data(), qsizetype(words.size()));
    const QByteArray bytes(reinterpret_cast<const char *>(words.data()), qsizetype(sizeof(words)));
    return QString::fromLatin1(bytes.toHex());
}

} // namespace starling::cluster
