#pragma once

#include <QByteArray>
#include <QStringList>

namespace starling::cli {

// `starling` itself links only what the cluster, file and lab commands need, so that every
// command (and `starling get` above all) starts in a few milliseconds: loading Qt Charts,
// Widgets and OpenCV took 50 ms of every start. `sim` and `job`, which need them, are
// executables of their own next to it (starling-sim, starling-job) that `starling` execs.

// "starling COMMAND" followed by the command's arguments: argv without the program and, when it
// is there, `command` (starling-sim also works when run by its own name).
QStringList commandArguments(int argc, char **argv, const QString &command);

// The argc/argv Qt gets: only a program name, "starling COMMAND", so that a parser's --help says
// "Usage: starling get [options] ..." whatever path the binary was run from (QCommandLineParser
// takes the name from QCoreApplication), and Qt takes no option such as --platform for itself.
class QtArguments
{
public:
    explicit QtArguments(const char *command);
    QtArguments(const QtArguments &) = delete;
    QtArguments &operator=(const QtArguments &) = delete;
    int &argc() { return m_argc; }
    char **argv() { return m_argv; }

private:
    QByteArray m_name;
    int m_argc = 1;
    char *m_argv[2] = {nullptr, nullptr};
};

// Replaces this process by the executable `name` in this executable's directory (installed:
// ../libexec/starling), with the same arguments; returns (2, with one line on stderr) only if that
// cannot start.
int execSibling(const char *name, char **argv);

} // namespace starling::cli
