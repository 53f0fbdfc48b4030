#pragma once

#include <QString>

namespace starling::cluster {

// The network interface a node's host reaches the cluster over: the one holding the address the
// node advertises. Its counters are the host's link (a lab host's veth, a machine's NIC). On one
// machine every node advertises a loopback address, so the link is `lo`, which every node
// shares: its rates say nothing about one node, and the console shows each process's own bytes
// instead.
struct HostLink
{
    QString interfaceName; // "" = not found: count every interface
    bool shared = true;

    static HostLink forAddress(const QString &address);
};

} // namespace starling::cluster
