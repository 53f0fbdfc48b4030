#include "labsubnet.h"

#include <QStringList>

namespace starling::cli::lab {

namespace {

quint32 maskOf(int prefix)
{
    return prefix <= 0 ? 0 : ~quint32(0) << (32 - prefix);
}

// RFC 1918 only: a lab must never shadow an address the machine could need to reach.
bool isPrivate(quint32 network, int prefix)
{
    struct Range
    {
        quint32 network;
        int prefix;
    };
    for (const Range range : {Range{0x0A000000, 8}, Range{0xAC100000, 12}, Range{0xC0A80000, 16}}) {
        if (prefix >= range.prefix && (network & maskOf(range.prefix)) == range.network)
            return true;
    }
    return false;
}

} // namespace

std::optional<quint32> LabSubnet::parseAddress(const QString &dotted)
{
    const QStringList parts = dotted.split(QLatin1Char('.'));
    if (parts.size() != 4)
        return std::nullopt;
    quint32 address = 0;
    for (const QString &part : parts) {
        bool ok = false;
        const uint octet = part.toUInt(&ok);
        if (!ok || octet > 255 || part.isEmpty() || part.size() > 3)
            return std::nullopt;
        address = (address << 8) | octet;
    }
    return address;
}

QString LabSubnet::formatAddress(quint32 address)
{
    return QStringLiteral("%1.%2.%3.%4")
        .arg(address >> 24)
        .arg((address >> 16) & 0xFF)
        .arg((address >> 8) & 0xFF)
        .arg(address & 0xFF);
}

Expected<LabSubnet> LabSubnet::parse(const QString &cidr)
{
    const auto bad = [&cidr](const QString &why) {
        return Error{QStringLiteral("--subnet %1: %2").arg(cidr, why)};
    };
    const qsizetype slash = cidr.indexOf(QLatin1Char('/'));
    const auto network = parseAddress(cidr.left(slash));
    bool ok = false;
    const int prefix = slash < 0 ? -1 : cidr.mid(slash + 1).toInt(&ok);
    if (!network || !ok)
        return bad(QStringLiteral("not an IPv4 network such as 10.77.0.0/24"));
    if (prefix < kShortestPrefix || prefix > kLongestPrefix)
        return bad(QStringLiteral("the prefix must be /%1 to /%2")
                       .arg(kShortestPrefix)
                       .arg(kLongestPrefix));
    if ((*network & ~maskOf(prefix)) != 0)
        return bad(QStringLiteral("host bits are set; the network is %1/%2")
                       .arg(formatAddress(*network & maskOf(prefix)))
                       .arg(prefix));
    if (!isPrivate(*network, prefix))
        return bad(QStringLiteral("not a private network (10/8, 172.16/12, 192.168/16)"));
    return LabSubnet(*network, prefix);
}

QString LabSubnet::toString() const
{
    return formatAddress(m_network) + QLatin1Char('/') + QString::number(m_prefix);
}

QString LabSubnet::address(int hostOffset) const
{
    return formatAddress(m_network + quint32(hostOffset));
}

bool LabSubnet::overlaps(quint32 network, int prefix) const
{
    const quint32 mask = maskOf(std::min(prefix, m_prefix));
    return (network & mask) == (m_network & mask);
}

bool LabSubnet::overlaps(const QString &cidrOrAddress) const
{
    const qsizetype slash = cidrOrAddress.indexOf(QLatin1Char('/'));
    const auto network = parseAddress(cidrOrAddress.left(slash));
    bool ok = true;
    const int prefix = slash < 0 ? 32 : cidrOrAddress.mid(slash + 1).toInt(&ok);
    return network && ok && prefix >= 0 && prefix <= 32 && overlaps(*network, prefix);
}

} // namespace starling::cli::lab
