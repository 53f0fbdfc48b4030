#include "nginxserver.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <csignal>
#include <unistd.h>

namespace starling::bench {

namespace {

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

} // namespace

NginxServer::~NginxServer()
{
    stop();
}

QByteArray NginxServer::config(const QString &root, const QString &prefix, quint16 port)
{
    const QDir dir(prefix);
    QByteArray text;
    text += "daemon off;\nmaster_process on;\nworker_processes auto;\n";
    // As root the workers would switch to "nobody", who cannot read a 0700 temp directory.
    if (::geteuid() == 0)
        text += "user root;\n";
    text += "pid " + dir.filePath(QStringLiteral("nginx.pid")).toUtf8() + ";\n";
    text += "error_log " + dir.filePath(QStringLiteral("error.log")).toUtf8() + " warn;\n";
    text += "events { worker_connections 256; }\n";
    text += "http {\n    access_log off;\n    sendfile on;\n    tcp_nopush on;\n";
    text += "    default_type application/octet-stream;\n";
    for (const char *kind : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
        text += "    " + QByteArray(kind) + "_temp_path " +
                dir.filePath(QString::fromLatin1(kind)).toUtf8() + ";\n";
    }
    text += "    server {\n        listen 127.0.0.1:" + QByteArray::number(port) + ";\n";
    text += "        root " + root.toUtf8() + ";\n        location / { }\n    }\n}\n";
    return text;
}

Expected<bool> NginxServer::start(const QString &nginxBinary, const QString &root,
                                  const QString &prefix)
{
    Error last{QStringLiteral("nginx: no free port found")};
    for (int attempt = 0; attempt < 5; ++attempt) {
        const quint16 port = freeLoopbackPort();
        if (port == 0)
            continue;
        auto started = startOnce(nginxBinary, root, prefix, port);
        if (started)
            return true;
        last = Error{started.error()};
    }
    return last;
}

Expected<bool> NginxServer::startOnce(const QString &nginxBinary, const QString &root,
                                      const QString &prefix, quint16 port)
{
    const QString configPath = QDir(prefix).filePath(QStringLiteral("nginx.conf"));
    QFile file(configPath);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write(config(root, prefix, port)) < 0)
        return Error{QStringLiteral("%1: cannot write: %2").arg(configPath, file.errorString())};
    file.close();

    // -e: the startup error log, before the config is read, also stays in the prefix.
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start(nginxBinary,
                    {QStringLiteral("-p"), prefix, QStringLiteral("-c"), configPath,
                     QStringLiteral("-e"), QDir(prefix).filePath(QStringLiteral("error.log"))});
    if (!m_process.waitForStarted(10000))
        return Error{
            QStringLiteral("%1: cannot start: %2").arg(nginxBinary, m_process.errorString())};

    const QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        if (m_process.state() == QProcess::NotRunning || m_process.waitForFinished(0)) {
            QFile log(QDir(prefix).filePath(QStringLiteral("error.log")));
            const QByteArray why = log.open(QIODevice::ReadOnly) ? log.readAll().trimmed() : "";
            return Error{QStringLiteral("nginx exited at start: %1")
                             .arg(QString::fromUtf8(why + m_process.readAll()).trimmed())};
        }
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        if (probe.waitForConnected(200)) {
            m_url = QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(port));
            return true;
        }
        QThread::msleep(50);
    }
    stop();
    return Error{QStringLiteral("nginx did not accept connections within 10 s")};
}

void NginxServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    ::kill(pid_t(m_process.processId()), SIGTERM);
    if (!m_process.waitForFinished(10000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
    m_url.clear();
}

qint64 NginxServer::pid() const
{
    return m_process.state() == QProcess::NotRunning ? 0 : m_process.processId();
}

} // namespace starling::bench
