#pragma once

#include "labrecord.h"
#include "util/expected.h"

namespace starling::cli::lab {

// The lab's links: a bridge in the root namespace holding the master's and the monitor's
// addresses, and per slave a namespace joined to the bridge by a veth pair, shaped both ways.
// Every make step first adds its resource to the record (see LabRecord).
class LabNetwork
{
public:
    static constexpr const char *kSlaveInterface = "eth0"; // the namespace end of each veth

    explicit LabNetwork(LabRecord &record) : m_record(record) {}

    Expected<bool> create();

    // Link down/up of the slave's bridge-side veth: from outside, its host is unplugged.
    Expected<bool> setConnected(const LabHost &host, bool connected);
    // Both directions of the host's link, live.
    Expected<bool> setLinkRate(const LabHost &host, double linkMBps);

    // Removes one recorded resource; one that is already gone counts as removed.
    static Expected<bool> remove(const LabResource &resource);
    static bool linkExists(const QString &name, const QString &netns = {});
    static bool netnsExists(const QString &name);

private:
    Expected<bool> createBridge();
    Expected<bool> createSlaveHost(const LabHost &host);
    Expected<bool> shapeHost(const LabHost &host);
    Expected<bool> record(LabResource::Kind kind, const QString &name, const QString &netns = {});
    QString withPrefix(const QString &address) const;

    LabRecord &m_record;
};

} // namespace starling::cli::lab
