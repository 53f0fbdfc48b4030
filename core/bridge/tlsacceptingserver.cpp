#include "tlsacceptingserver.h"

#include <QSslSocket>

namespace starling::bridge {

TlsAcceptingServer::TlsAcceptingServer(QObject *parent) : QTcpServer(parent) {}

void TlsAcceptingServer::setSslConfiguration(const QSslConfiguration &configuration)
{
    m_configuration = configuration;
}

void TlsAcceptingServer::incomingConnection(qintptr descriptor)
{
    auto *socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket; // closes the descriptor
        return;
    }
    socket->setSslConfiguration(m_configuration);
    addPendingConnection(socket);
}

} // namespace starling::bridge
