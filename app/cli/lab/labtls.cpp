#include "labtls.h"

#include "tls/throwawayca.h"
#include "util/jsonfile.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace starling::cli::lab {

namespace {

constexpr qint64 kMaxConfigBytes = 1 << 20;

Expected<QJsonObject> userConfigObject(const QString &path)
{
    if (path.isEmpty())
        return QJsonObject();
    const auto bytes = util::readSmallFile(path, kMaxConfigBytes);
    if (!bytes)
        return Error{bytes.error()};
    return util::parseJsonObject(*bytes, path, kMaxConfigBytes);
}

} // namespace

QString LabTls::directoryIn(const QString &runDir)
{
    return QDir(runDir).filePath(QStringLiteral("lab-tls"));
}

Expected<QString> LabTls::prepare(const LabPlan &plan, const QString &runDir,
                                  const QString &userConfig)
{
    QStringList addresses{QStringLiteral("127.0.0.1")};
    for (const LabHost &host : plan.hosts())
        addresses.append(host.address);
    const auto issued = tls::ThrowAwayCa::issue(addresses);
    if (!issued)
        return Error{issued.error()};
    const auto files = tls::ThrowAwayCa::writeTo(directoryIn(runDir), *issued);
    if (!files)
        return Error{files.error()};
    auto config = userConfigObject(userConfig);
    if (!config)
        return Error{config.error()};
    QJsonObject object = *config;
    object.insert(QLatin1String("tls_cert"), files->certificate);
    object.insert(QLatin1String("tls_key"), files->privateKey);
    object.insert(QLatin1String("tls_ca"), files->ca);
    const QString path = QDir(directoryIn(runDir)).filePath(QStringLiteral("config.json"));
    QSaveFile file(path);
    const QByteArray bytes = QJsonDocument(object).toJson();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return Error{QStringLiteral("%1: cannot write: %2").arg(path, file.errorString())};
    return path;
}

bool LabTls::remove(const QString &runDir)
{
    QDir directory(directoryIn(runDir));
    return !directory.exists() || directory.removeRecursively();
}

} // namespace starling::cli::lab
