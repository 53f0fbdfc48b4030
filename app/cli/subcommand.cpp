#include "subcommand.h"

#include "cliparsing.h"

#include <QByteArray>
#include <QString>

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace starling::cli {

QStringList commandArguments(int argc, char **argv, const QString &command)
{
    QStringList arguments{QStringLiteral("starling ") + command};
    for (int i = 1; i < argc; ++i) {
        const QString argument = QString::fromLocal8Bit(argv[i]);
        if (i > 1 || argument != command)
            arguments << argument;
    }
    return arguments;
}

QtArguments::QtArguments(const char *command) : m_name(QByteArray("starling ") + command)
{
    m_argv[0] = m_name.data();
}

int execSibling(const char *name, char **argv)
{
    // /proc/self/exe, not argv[0]: `starling` may have been found on PATH or through a link.
    char self[4096];
    const ssize_t length = ::readlink("/proc/self/exe", self, sizeof self - 1);
    QByteArray path;
    if (length > 0) {
        path = QByteArray(self, int(length));
        path.truncate(path.lastIndexOf('/') + 1);
    }
    // Installed, the helpers live in /usr/libexec/starling, not on PATH beside /usr/bin/starling.
    const QByteArray beside = path + name;
    ::execv(beside.constData(), argv);
    const QByteArray installed = path + "../libexec/starling/" + name;
    if (errno == ENOENT)
        ::execv(installed.constData(), argv);
    return usageError(
        QStringLiteral("cannot run %1: %2")
            .arg(QString::fromLocal8Bit(beside), QString::fromLocal8Bit(std::strerror(errno))));
}

} // namespace starling::cli
