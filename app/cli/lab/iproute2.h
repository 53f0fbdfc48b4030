#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace starling::cli::lab {

// Runs `ip` and `tc` with an argument list (never through a shell), so a name or address can
// never become a second command.
class Iproute2
{
public:
    static constexpr int kTimeoutMs = 15000;

    struct Result
    {
        int exitCode = -1; // -1: could not start, crashed or timed out
        QByteArray output;
        QString error; // the tool's stderr, one line
        bool ok() const { return exitCode == 0; }
    };

    static Result ip(const QStringList &arguments);
    static Result tc(const QStringList &arguments);
    // The full path of a tool from iproute2 (root's PATH may lack /sbin under sudo).
    static QString program(const QString &name);

    // Runs tool ("ip" or "tc"); an error reads "ip ARGS: what the tool said".
    static Expected<bool> apply(const QString &tool, const QStringList &arguments);

private:
    static Result run(const QString &tool, const QStringList &arguments);
};

} // namespace starling::cli::lab
