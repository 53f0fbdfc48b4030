#include "labrecord.h"

#include "util/jsonfile.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace starling::cli::lab {

namespace {

constexpr QFile::Permissions kOwnerReadWrite = QFile::ReadOwner | QFile::WriteOwner;

struct KindName
{
    LabResource::Kind kind;
    QLatin1String name;
};

constexpr KindName kKindNames[] = {
    {LabResource::Kind::Bridge, QLatin1String("bridge")},
    {LabResource::Kind::Netns, QLatin1String("netns")},
    {LabResource::Kind::Veth, QLatin1String("veth")},
    {LabResource::Kind::Qdisc, QLatin1String("qdisc")},
    {LabResource::Kind::Cgroup, QLatin1String("cgroup")},
};

QJsonObject processToJson(const LabProcess &process)
{
    return {{QLatin1String("pid"), process.pid},
            {QLatin1String("program"), process.program},
            {QLatin1String("role"), process.role}};
}

QJsonObject faultToJson(const LabFault &fault)
{
    return {{QLatin1String("at_ms"), fault.atMs},
            {QLatin1String("node"), fault.node},
            {QLatin1String("action"), fault.action},
            {QLatin1String("detail"), fault.detail}};
}

} // namespace

QJsonObject LabResource::toJson() const
{
    QJsonObject object{{QLatin1String("name"), name}};
    for (const KindName &entry : kKindNames) {
        if (entry.kind == kind)
            object.insert(QLatin1String("kind"), entry.name);
    }
    if (!netns.isEmpty())
        object.insert(QLatin1String("netns"), netns);
    return object;
}

std::optional<LabResource> LabResource::fromJson(const QJsonObject &object)
{
    const QString kind = object.value(QLatin1String("kind")).toString();
    for (const KindName &entry : kKindNames) {
        if (kind == entry.name)
            return LabResource{entry.kind, object.value(QLatin1String("name")).toString(),
                               object.value(QLatin1String("netns")).toString()};
    }
    return std::nullopt;
}

LabRecord::LabRecord(QString path, LabPlan plan)
    : m_path(std::move(path)), m_plan(std::move(plan)),
      m_createdAtMs(QDateTime::currentMSecsSinceEpoch())
{}

QString LabRecord::pathIn(const QString &runDir)
{
    return QDir(runDir).filePath(QStringLiteral("lab.json"));
}

Expected<std::optional<LabRecord>> LabRecord::load(const QString &path)
{
    if (!QFileInfo::exists(path))
        return std::optional<LabRecord>();
    const auto bytes = util::readSmallFile(path, kMaxFileBytes);
    if (!bytes)
        return Error{bytes.error()};
    const auto object = util::parseJsonObject(*bytes, path, kMaxFileBytes);
    if (!object)
        return Error{object.error()};
    auto plan = LabPlan::fromJson(object->value(QLatin1String("plan")).toObject(), path);
    if (!plan)
        return Error{plan.error()};
    LabRecord record(path, std::move(plan).value());
    record.m_createdAtMs = object->value(QLatin1String("created_at_ms")).toInteger();
    for (const QJsonValue &value : object->value(QLatin1String("resources")).toArray()) {
        const auto resource = LabResource::fromJson(value.toObject());
        if (!resource)
            return Error{path + QStringLiteral(": a resource of unknown kind")};
        record.m_resources.push_back(*resource);
    }
    for (const QJsonValue &value : object->value(QLatin1String("processes")).toArray()) {
        const QJsonObject p = value.toObject();
        record.m_processes.push_back({p.value(QLatin1String("pid")).toInteger(),
                                      p.value(QLatin1String("program")).toString(),
                                      p.value(QLatin1String("role")).toString()});
    }
    for (const QJsonValue &value : object->value(QLatin1String("faults")).toArray()) {
        const QJsonObject f = value.toObject();
        record.m_faults.push_back({f.value(QLatin1String("at_ms")).toInteger(),
                                   f.value(QLatin1String("node")).toString(),
                                   f.value(QLatin1String("action")).toString(),
                                   f.value(QLatin1String("detail")).toString()});
    }
    return std::optional<LabRecord>(std::move(record));
}

Expected<bool> LabRecord::addResource(const LabResource &resource)
{
    m_resources.push_back(resource);
    return save();
}

Expected<bool> LabRecord::addProcess(const LabProcess &process)
{
    m_processes.push_back(process);
    return save();
}

Expected<bool> LabRecord::addFault(const LabFault &fault)
{
    m_faults.push_back(fault);
    return save();
}

QJsonObject LabRecord::toJson() const
{
    QJsonArray resources;
    for (const LabResource &resource : m_resources)
        resources.append(resource.toJson());
    QJsonArray processes;
    for (const LabProcess &process : m_processes)
        processes.append(processToJson(process));
    QJsonArray faults;
    for (const LabFault &fault : m_faults)
        faults.append(faultToJson(fault));
    return {{QLatin1String("version"), 1},
            {QLatin1String("created_at_ms"), m_createdAtMs},
            {QLatin1String("plan"), m_plan.toJson()},
            {QLatin1String("resources"), resources},
            {QLatin1String("processes"), processes},
            {QLatin1String("faults"), faults}};
}

Expected<bool> LabRecord::save() const
{
    const QString dir = QFileInfo(m_path).absolutePath();
    if (!QDir().mkpath(dir))
        return Error{dir + QStringLiteral(": cannot create the run directory")};
    // An empty private file first: QSaveFile then keeps its mode (0600) for the new contents,
    // whatever the umask.
    if (!QFileInfo::exists(m_path)) {
        QFile placeholder(m_path);
        placeholder.open(QIODevice::WriteOnly | QIODevice::NewOnly, kOwnerReadWrite);
    }
    QSaveFile file(m_path);
    const QByteArray bytes = QJsonDocument(toJson()).toJson(QJsonDocument::Indented);
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(kOwnerReadWrite) ||
        file.write(bytes) != bytes.size() || !file.commit())
        return Error{m_path + QStringLiteral(": cannot write: ") + file.errorString()};
    return true;
}

bool LabRecord::remove() const
{
    return QFile::remove(m_path) || !QFileInfo::exists(m_path);
}

} // namespace starling::cli::lab
