#pragma once

#include <QSslConfiguration>
#include <QTcpServer>

namespace starling::bridge {

// A TCP server whose connections are QSslSockets that have not started their handshake yet.
// QSslServer would keep handshaking connections to itself (counted as pending, up to
// maxPendingConnections, then it stops accepting), outside the bridge's pre-hello quotas; here
// the bridge gets every connection at once, counts it as pre-hello, and starts the handshake
// itself (startServerEncryption), so a flood of silent TLS connections is evicted like any other.
class TlsAcceptingServer final : public QTcpServer
{
    Q_OBJECT

public:
    explicit TlsAcceptingServer(QObject *parent = nullptr);
    void setSslConfiguration(const QSslConfiguration &configuration);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    QSslConfiguration m_configuration;
};

} // namespace starling::bridge
