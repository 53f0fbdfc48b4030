#include "heterogeneityprofile.h"

#include "util/jsonfile.h"
#include "util/jsonobjectreader.h"

#include <QJsonArray>

namespace starling::cluster {

namespace {

using util::JsonObjectReader;
using util::NumberRange;

const QLatin1String kName("name");
const QLatin1String kDescription("description");
const QLatin1String kSlaves("slaves");
const QLatin1String kCpuFactor("cpu_factor");
const QLatin1String kLinkMBps("link_MBps");
const QLatin1String kStripFixedMs("strip_fixed_ms");

// Reads slaves[index]; the entry's problems are reported under "<origin>: slaves[index]".
Expected<SlaveEmulation> readSlave(const QJsonValue &entry, const QString &origin, qsizetype index)
{
    const QString where = origin + QStringLiteral(": slaves[%1]").arg(index);
    if (!entry.isObject()) {
        return Error{where + QStringLiteral(" must be an object, got ") +
                     util::describeJsonValue(entry)};
    }
    JsonObjectReader reader(entry.toObject(), where);
    SlaveEmulation slave;
    slave.emulated = true;
    reader.readNumber(kCpuFactor, NumberRange{0, HeterogeneityProfile::kMaxCpuFactor, true},
                      slave.cpuFactor);
    reader.readNumber(kLinkMBps, NumberRange{0, HeterogeneityProfile::kMaxLinkMBps, true},
                      slave.linkMBps);
    double stripFixedMs = 0;
    reader.readNumber(kStripFixedMs, NumberRange{0, HeterogeneityProfile::kMaxStripFixedMs, true},
                      stripFixedMs);
    slave.stripFixedS = stripFixedMs / 1000;
    reader.rejectUnknownKeys();
    if (!reader.ok())
        return Error{reader.error()};
    return slave;
}

} // namespace

SlaveEmulation HeterogeneityProfile::forSlave(int slaveIndex) const
{
    if (slaveIndex < 0 || size_t(slaveIndex) >= slaves.size())
        return {};
    return slaves[size_t(slaveIndex)];
}

QJsonObject HeterogeneityProfile::toJson() const
{
    QJsonArray entries;
    for (const SlaveEmulation &slave : slaves) {
        QJsonObject entry{{kCpuFactor, slave.cpuFactor}};
        if (slave.linkMBps > 0)
            entry.insert(kLinkMBps, slave.linkMBps);
        if (slave.stripFixedS > 0)
            entry.insert(kStripFixedMs, slave.stripFixedS * 1000);
        entries.append(entry);
    }
    QJsonObject root{{kSlaves, entries}};
    if (!name.isEmpty())
        root.insert(kName, name);
    if (!description.isEmpty())
        root.insert(kDescription, description);
    return root;
}

Expected<HeterogeneityProfile> HeterogeneityProfile::fromJson(const QByteArray &json,
                                                              const QString &origin)
{
    const Expected<QJsonObject> root = util::parseJsonObject(json, origin, kMaxFileBytes);
    if (!root)
        return Error{root.error()};
    JsonObjectReader reader(*root, origin);
    HeterogeneityProfile profile;
    reader.readString(kName, profile.name);
    reader.readString(kDescription, profile.description);
    const QJsonArray entries = reader.readArray(kSlaves, kMaxSlaves);
    reader.rejectUnknownKeys(); // first: {"slave": []} is a typo, not a missing list
    // A profile without the list is almost certainly a mistake, not a request for no emulation.
    if (!root->contains(kSlaves))
        reader.fail(QStringLiteral("missing key \"slaves\" (a list of slave entries)"));
    if (!reader.ok())
        return Error{reader.error()};

    for (qsizetype i = 0; i < entries.size(); ++i) {
        Expected<SlaveEmulation> slave = readSlave(entries.at(i), origin, i);
        if (!slave)
            return Error{slave.error()};
        profile.slaves.push_back(*slave);
    }
    return profile;
}

Expected<HeterogeneityProfile> HeterogeneityProfile::load(const QString &path)
{
    const Expected<QByteArray> bytes = util::readSmallFile(path, kMaxFileBytes);
    if (!bytes)
        return Error{bytes.error()};
    return fromJson(*bytes, path);
}

} // namespace starling::cluster
