#pragma once

#include "util/expected.h"

#include <QProcess>
#include <QString>
#include <QUrl>

namespace starling::bench {

// The reference web server of the transfer benchmark: nginx as Debian ships it (sendfile on,
// worker_processes auto), serving one directory on 127.0.0.1. It runs in the foreground as our
// child with its own prefix, config, pid file, logs and temp paths, so it touches nothing of a
// system nginx and is stopped by its own pid.
class NginxServer
{
public:
    NginxServer() = default;
    ~NginxServer();
    NginxServer(const NginxServer &) = delete;
    NginxServer &operator=(const NginxServer &) = delete;

    // Serves root from a free port; prefix is an empty directory nginx may write into. nginx
    // cannot report a port chosen by the kernel, so a port found free is tried, and another one
    // if something took it meanwhile.
    Expected<bool> start(const QString &nginxBinary, const QString &root, const QString &prefix);
    // Fast shutdown (SIGTERM to the master, which stops its workers); SIGKILL after 10 s.
    void stop();

    QUrl url() const { return m_url; } // http://127.0.0.1:PORT/
    qint64 pid() const;

private:
    static QByteArray config(const QString &root, const QString &prefix, quint16 port);

    Expected<bool> startOnce(const QString &nginxBinary, const QString &root, const QString &prefix,
                             quint16 port);

    QProcess m_process;
    QUrl m_url;
};

} // namespace starling::bench
