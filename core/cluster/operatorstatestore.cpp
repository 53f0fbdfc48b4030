#include "operatorstatestore.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSaveFile>

namespace starling::cluster {

OperatorStateStore::OperatorStateStore(QString runDir)
    : m_path(QDir(runDir).filePath(QStringLiteral("operator-state.json")))
{}

Expected<QJsonObject> OperatorStateStore::load() const
{
    QFile file(m_path);
    if (!file.exists())
        return QJsonObject{};
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("%1: %2").arg(m_path, file.errorString())};
    if (file.size() > kMaxBytes)
        return Error{QStringLiteral("%1: larger than %2 bytes").arg(m_path).arg(kMaxBytes)};
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        return Error{QStringLiteral("%1: not valid JSON (%2 at offset %3)")
                         .arg(m_path, error.errorString())
                         .arg(error.offset)};
    if (!doc.isObject())
        return Error{QStringLiteral("%1: not a JSON object").arg(m_path)};
    return doc.object();
}

Expected<bool> OperatorStateStore::save(const QJsonObject &state) const
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QSaveFile file(m_path);
    // The audit trail names operators and their reasons: owner-only whatever the umask (a new
    // QSaveFile is created 0666 minus the umask, and otherwise copies the old file's mode).
    if (!file.open(QIODevice::WriteOnly) ||
        !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return Error{QStringLiteral("%1: %2").arg(m_path, file.errorString())};
    file.write(QJsonDocument(state).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return Error{QStringLiteral("%1: %2").arg(m_path, file.errorString())};
    return true;
}

} // namespace starling::cluster
