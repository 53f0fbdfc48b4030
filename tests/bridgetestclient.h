#pragma once

// A raw line-level bridge peer for tests: a QTcpSocket that records every JSON line it reads, so
// tests can speak the protocol byte for byte (including garbage) and see exactly what came back.
#include <QByteArray>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QTcpSocket>
#include <QTest>

#include <memory>

class RawBridgeClient
{
public:
    RawBridgeClient() : m_socket(std::make_unique<QTcpSocket>())
    {
        QObject::connect(m_socket.get(), &QTcpSocket::readyRead, m_socket.get(),
                         [this] { readAvailable(); });
        QObject::connect(m_socket.get(), &QTcpSocket::disconnected, m_socket.get(), [this] {
            readAvailable();
            m_closed = true;
        });
    }
    ~RawBridgeClient() { QObject::disconnect(m_socket.get(), nullptr, nullptr, nullptr); }
    RawBridgeClient(const RawBridgeClient &) = delete;
    RawBridgeClient &operator=(const RawBridgeClient &) = delete;

    QTcpSocket &socket() { return *m_socket; }

    // Stops taking bytes off the socket (and lets Qt buffer at most one byte), like a client
    // that has hung: whatever the server writes piles up in the kernel and then in the server.
    void stopReading()
    {
        m_reading = false;
        m_socket->setReadBufferSize(1);
    }

    bool connectTo(quint16 port)
    {
        m_socket->connectToHost(QHostAddress::LocalHost, port);
        return QTest::qWaitFor(
            [this] { return m_socket->state() == QAbstractSocket::ConnectedState; }, 5000);
    }

    void send(const QByteArray &bytes) { m_socket->write(bytes); }
    void sendHello(const QByteArray &token, const QString &name = QStringLiteral("test-client"))
    {
        send(QJsonDocument(QJsonObject{{QLatin1String("type"), QLatin1String("hello")},
                                       {QLatin1String("protocol"), 1},
                                       {QLatin1String("client"), name},
                                       {QLatin1String("token"), QString::fromLatin1(token)}})
                 .toJson(QJsonDocument::Compact) +
             '\n');
    }

    // Connects, says hello and waits for the welcome; returns the client id, 0 on failure.
    quint64 handshake(quint16 port, const QByteArray &token,
                      const QString &name = QStringLiteral("test-client"))
    {
        if (!connectTo(port))
            return 0;
        sendHello(token, name);
        if (!waitFor("welcome"))
            return 0;
        return quint64(ofType("welcome").constFirst().value(QLatin1String("client_id")).toDouble());
    }

    bool waitFor(const char *type, qsizetype count = 1, int timeoutMs = 5000)
    {
        return QTest::qWaitFor([&] { return ofType(type).size() >= count; }, timeoutMs);
    }
    bool waitForClose(int timeoutMs = 5000)
    {
        return QTest::qWaitFor([this] { return m_closed; }, timeoutMs);
    }

    QList<QJsonObject> ofType(const char *type) const
    {
        QList<QJsonObject> matching;
        for (const QJsonObject &m : m_messages) {
            if (m.value(QLatin1String("type")).toString() == QLatin1String(type))
                matching.append(m);
        }
        return matching;
    }
    const QList<QJsonObject> &messages() const { return m_messages; }
    const QByteArray &received() const { return m_received; } // every byte, as sent
    bool isClosed() const { return m_closed; }
    qsizetype unparsedLines() const { return m_unparsed; }

private:
    void readAvailable()
    {
        if (!m_reading || !m_socket->isOpen())
            return;
        const QByteArray bytes = m_socket->readAll();
        m_received += bytes;
        m_partial += bytes;
        qsizetype newline;
        while ((newline = m_partial.indexOf('\n')) >= 0) {
            const QByteArray line = m_partial.left(newline);
            m_partial.remove(0, newline + 1);
            const QJsonDocument document = QJsonDocument::fromJson(line);
            if (document.isObject())
                m_messages.append(document.object());
            else
                ++m_unparsed;
        }
    }

    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_received;
    QByteArray m_partial;
    QList<QJsonObject> m_messages;
    qsizetype m_unparsed = 0;
    bool m_reading = true;
    bool m_closed = false;
};
