#pragma once

// Shared by the AdminStateTable tests: the test cluster's size and operator commands written
// as JSON.
#include "cluster/adminstatetable.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace adminstatetest {

using namespace starling::cluster;

constexpr int kWorld = 6; // master, monitor, slave-2 .. slave-5
const QString kAlice = QStringLiteral("alice");

OperatorCommand command(const QByteArray &json, const QString &client = kAlice)
{
    const auto c = OperatorCommand::fromJson(QJsonDocument::fromJson(json).object(), client);
    if (!c)
        qFatal("bad test command %s: %s", json.constData(), qPrintable(c.error()));
    return *c;
}

QByteArray dump(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace adminstatetest
