#pragma once

#include "labsubnet.h"
#include "util/expected.h"

namespace starling::cli::lab {

// What `starling lab up` checks before it makes anything, so a refusal leaves nothing behind.
class LabPreflight
{
public:
    // CAP_NET_ADMIN (links, qdiscs) and CAP_SYS_ADMIN (namespaces, cgroups), as root has them.
    static Expected<bool> checkPrivileges();
    // The kernel has network namespaces and iproute2's ip and tc are installed.
    static Expected<bool> checkNamespaceSupport();
    // No address of the machine and no route lies inside the subnet (or contains it).
    static Expected<bool> checkSubnetFree(const LabSubnet &subnet);
    // The bridge name is free (a random id can collide with a lab someone left behind).
    static Expected<bool> checkNameFree(const QString &bridge);

private:
    static bool hasCapabilities(quint64 wanted);
};

} // namespace starling::cli::lab
