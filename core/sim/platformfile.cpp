#include "platformfile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <cmath>

namespace starling::sim {

namespace {

Error fail(const QString &source, const QString &what)
{
    return Error{source + QStringLiteral(": ") + what};
}

// Reads an optional or required positive/non-negative finite number.
bool readNumber(const QJsonObject &object, const QString &key, bool required, bool allowZero,
                double &out, QString &problem)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined()) {
        if (required)
            problem = key + QStringLiteral(" is missing");
        return !required;
    }
    const double number = value.toDouble(std::nan(""));
    if (!value.isDouble() || !std::isfinite(number) || number < 0 || (!allowZero && number == 0)) {
        problem = key + (allowZero ? QStringLiteral(" must be a number >= 0")
                                   : QStringLiteral(" must be a number > 0"));
        return false;
    }
    out = number;
    return true;
}

} // namespace

Expected<sched::Platform> PlatformFile::parse(const QByteArray &json, const QString &source)
{
    if (json.size() > kMaxBytes)
        return fail(source, QStringLiteral("larger than %1 bytes").arg(kMaxBytes));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return fail(source, QStringLiteral("not valid JSON at byte %1: %2")
                                .arg(parseError.offset)
                                .arg(parseError.errorString()));
    }
    if (!doc.isObject())
        return fail(source, QStringLiteral("the top level must be a JSON object"));
    const QJsonObject root = doc.object();

    sched::Platform platform;
    QString problem;
    if (!readNumber(root, QStringLiteral("unit_MB"), true, false, platform.unitMB, problem) ||
        !readNumber(root, QStringLiteral("startup_s"), false, true, platform.startupS, problem) ||
        !readNumber(root, QStringLiteral("return_ratio"), false, true, platform.returnRatio,
                    problem))
        return fail(source, problem);

    const QJsonValue slavesValue = root.value(QStringLiteral("slaves"));
    if (!slavesValue.isArray())
        return fail(source, QStringLiteral("slaves must be an array of slave objects"));
    const QJsonArray slaves = slavesValue.toArray();
    if (slaves.isEmpty())
        return fail(source, QStringLiteral("slaves is empty; a platform needs at least one"));
    if (slaves.size() > kMaxSlaves)
        return fail(source, QStringLiteral("more than %1 slaves").arg(kMaxSlaves));

    QSet<QString> names;
    for (qsizetype i = 0; i < slaves.size(); ++i) {
        const QString where = QStringLiteral("slaves[%1]").arg(i);
        if (!slaves.at(i).isObject())
            return fail(source, where + QStringLiteral(" must be an object"));
        const QJsonObject object = slaves.at(i).toObject();
        sched::SlaveSpec slave;
        const QJsonValue name = object.value(QStringLiteral("name"));
        if (name.isUndefined())
            slave.name = QStringLiteral("s%1").arg(i + 1);
        else if (!name.isString() || name.toString().trimmed().isEmpty() ||
                 name.toString().size() > 64)
            return fail(source,
                        where + QStringLiteral(".name must be a string of 1-64 characters"));
        else
            slave.name = name.toString();
        if (names.contains(slave.name))
            return fail(source, where + QStringLiteral(".name '%1' is used twice").arg(slave.name));
        names.insert(slave.name);
        if (!readNumber(object, QStringLiteral("unit_compute_s"), true, false, slave.unitComputeS,
                        problem) ||
            !readNumber(object, QStringLiteral("bandwidth_MBps"), true, false, slave.bandwidthMBps,
                        problem))
            return fail(source, where + QLatin1Char('.') + problem);
        platform.slaves.push_back(slave);
    }
    return platform;
}

Expected<sched::Platform> PlatformFile::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(path, file.errorString());
    // Read one byte past the limit so an oversized file is reported as such, not cut short.
    return parse(file.read(kMaxBytes + 1), path);
}

QByteArray PlatformFile::serialise(const sched::Platform &platform)
{
    QJsonArray slaves;
    for (const sched::SlaveSpec &s : platform.slaves) {
        slaves.append(QJsonObject{{QStringLiteral("name"), s.name},
                                  {QStringLiteral("unit_compute_s"), s.unitComputeS},
                                  {QStringLiteral("bandwidth_MBps"), s.bandwidthMBps}});
    }
    const QJsonObject root{{QStringLiteral("unit_MB"), platform.unitMB},
                           {QStringLiteral("startup_s"), platform.startupS},
                           {QStringLiteral("return_ratio"), platform.returnRatio},
                           {QStringLiteral("slaves"), slaves}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

} // namespace starling::sim
