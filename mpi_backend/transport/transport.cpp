#include "transport.h"

#include <QJsonDocument>

namespace starling::mpi {

void Transport::send(int destination, Tag tag, const QJsonObject &payload)
{
    send(destination, tag, QJsonDocument(payload).toJson(QJsonDocument::Compact));
}

} // namespace starling::mpi
