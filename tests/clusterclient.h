#pragma once

// What the end-to-end cluster tests do as a client: one raw HTTP exchange with the master, the
// SHA-256 of a file, and `starling get --json` started and read like a script would.
// Header-only: each test executable compiles it once.
#include "cluster/statefile.h"
#include "transfer/sha256.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpSocket>
#include <QUrl>

namespace starling::testing {

struct HttpReply
{
    int status = 0; // 0 = no answer
    QByteArray body;
    QByteArray head; // the status line and headers, as received
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// The master's URL with the cluster token riding along as its password, which exchange() sends
// as "Authorization: Bearer <token>" (tests only: a real client never puts a token in a URL).
inline QUrl withToken(QUrl master, const QString &token)
{
    master.setUserName(QStringLiteral("token"));
    master.setPassword(token);
    return master;
}

// One HTTP/1.1 exchange with "Connection: close" over a raw socket; with the token of
// withToken() when the URL carries one.
inline HttpReply exchange(const QUrl &base, const QByteArray &method, const QByteArray &target,
                          const QByteArray &body = {}, int timeoutMs = 30000)
{
    QTcpSocket socket;
    socket.connectToHost(base.host(), quint16(base.port()));
    if (!socket.waitForConnected(5000))
        return {};
    QByteArray request = method + ' ' + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
    if (!base.password().isEmpty())
        request += "Authorization: Bearer " + base.password().toLatin1() + "\r\n";
    if (method == "POST")
        request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    socket.write(request + "\r\n" + body);
    QByteArray raw;
    QElapsedTimer clock;
    clock.start();
    while (socket.state() == QAbstractSocket::ConnectedState && clock.elapsed() < timeoutMs) {
        socket.waitForReadyRead(200);
        raw += socket.readAll();
    }
    raw += socket.readAll();
    HttpReply reply;
    const qsizetype end = raw.indexOf("\r\n\r\n");
    if (!raw.startsWith("HTTP/1.1 ") || end < 0)
        return reply;
    reply.status = raw.mid(9, 3).toInt();
    reply.head = raw.left(end);
    reply.body = raw.mid(end + 4);
    return reply;
}

// The running cluster's master, with its token, from its state file.
inline QUrl masterOf(const cluster::ClusterStateFile &state)
{
    return withToken(QUrl(state.masterUrl), state.token);
}

// How many nodes the master lists (0 when it does not answer).
inline int listedNodes(const QUrl &master)
{
    return int(exchange(master, "GET", "/api/v1/cluster").json().value(u"nodes").toArray().size());
}

inline QByteArray fileSha(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    transfer::Sha256 hasher;
    while (!file.atEnd())
        hasher.add(file.read(4 << 20));
    return hasher.hexResult();
}

// Starts `starling get ARGS --json --run-dir RUNDIR` and returns once its first progress line
// with bytes done is out (the download is under way), or false.
inline bool startGet(QProcess &process, const QStringList &arguments, const QString &runDir)
{
    process.start(QStringLiteral(STARLING_CLI),
                  QStringList{QStringLiteral("get")} + arguments +
                      QStringList{QStringLiteral("--json"), QStringLiteral("--run-dir"), runDir});
    if (!process.waitForStarted(10000))
        return false;
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 60000) {
        if (process.canReadLine()) {
            const QJsonObject line = QJsonDocument::fromJson(process.readLine()).object();
            if (line.value(QLatin1String("type")).toString() == QLatin1String("progress") &&
                line.value(QLatin1String("bytes_done")).toDouble() > 0)
                return true;
            continue;
        }
        if (process.state() != QProcess::Running)
            return false;
        process.waitForReadyRead(200);
    }
    return false;
}

// The summary line of `starling get --json` output.
inline QJsonObject summaryOf(const QByteArray &output)
{
    for (const QByteArray &line : output.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(QLatin1String("type")).toString() == QLatin1String("summary"))
            return o;
    }
    return {};
}

} // namespace starling::testing
