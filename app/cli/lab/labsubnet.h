#pragma once

#include "util/expected.h"

#include <QString>

#include <optional>

namespace starling::cli::lab {

// The private IPv4 network a lab lives in. Hosts are numbered from the network address:
// offset 1 is the bridge (the root namespace's first host), 11 the first slave, and so on.
class LabSubnet
{
public:
    static constexpr int kShortestPrefix = 16;
    static constexpr int kLongestPrefix = 24; // room for .1, .2 and .11 to .42

    // "10.77.0.0/24"; refuses public ranges, host bits set and prefixes outside /16../24.
    static Expected<LabSubnet> parse(const QString &cidr);

    QString toString() const;
    int prefixLength() const { return m_prefix; }
    QString address(int hostOffset) const;
    // True when [network, prefix] shares at least one address with this subnet.
    bool overlaps(quint32 network, int prefix) const;
    bool overlaps(const QString &cidrOrAddress) const;

    static std::optional<quint32> parseAddress(const QString &dotted);
    static QString formatAddress(quint32 address);

private:
    LabSubnet(quint32 network, int prefix) : m_network(network), m_prefix(prefix) {}

    quint32 m_network = 0;
    int m_prefix = 24;
};

} // namespace starling::cli::lab
