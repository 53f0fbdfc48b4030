#pragma once

// A raw HTTP/1.1 peer for tests: sends bytes exactly as given over a QTcpSocket and reads until
// the server closes, so tests can send hostile requests byte for byte and see exactly what came
// back. Requests should carry "Connection: close" so a reply ends when the server closes.
#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QTcpSocket>

namespace httptest {

constexpr int kTimeoutMs = 20000;

struct Reply
{
    bool connected = false;
    bool closedByServer = false;
    QByteArray raw;
    int status = 0; // 0 = no status line
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
};

inline void parseReply(Reply &reply)
{
    const qsizetype end = reply.raw.indexOf("\r\n\r\n");
    if (end < 0)
        return;
    const QList<QByteArray> lines = reply.raw.left(end).split('\n');
    const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
    if (statusLine.size() >= 2 && statusLine[0].startsWith("HTTP/1."))
        reply.status = statusLine[1].toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            reply.headers.append(
                qMakePair(lines[i].left(colon), lines[i].mid(colon + 1).trimmed()));
    }
    reply.body = reply.raw.mid(end + 4);
}

// Sends `request` and reads until the server closes the connection (or the deadline passes).
inline Reply exchange(quint16 port, const QByteArray &request,
                      const QHostAddress &host = QHostAddress::LocalHost)
{
    Reply reply;
    QTcpSocket socket;
    socket.connectToHost(host, port);
    if (!socket.waitForConnected(kTimeoutMs))
        return reply;
    reply.connected = true;
    socket.write(request);
    QElapsedTimer deadline;
    deadline.start();
    while (socket.state() == QAbstractSocket::ConnectedState && deadline.elapsed() < kTimeoutMs) {
        socket.waitForReadyRead(int(kTimeoutMs - deadline.elapsed())); // returns on data or close
        reply.raw += socket.readAll();
    }
    reply.raw += socket.readAll();
    reply.closedByServer = socket.state() != QAbstractSocket::ConnectedState;
    parseReply(reply);
    return reply;
}

// A GET (or `method`) of `target` with "Connection: close" and any `extraHeaders` (each line
// ending in "\r\n").
inline Reply get(quint16 port, const QByteArray &target, const QByteArray &method = "GET",
                 const QByteArray &extraHeaders = {})
{
    return exchange(port, method + ' ' + target +
                              " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: starling-tests\r\n" +
                              extraHeaders + "Connection: close\r\n\r\n");
}

} // namespace httptest
