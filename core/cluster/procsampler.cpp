#include "procsampler.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QFile>
#include <QList>
#include <QSet>
#include <QtNumeric>

#include <charconv>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace starling::cluster {

namespace {

// /proc files are small, but /proc/net/tcp grows with the machine's socket count; the bounds
// keep a runaway (or hostile fake) file from costing the heartbeat more than a few megabytes.
constexpr qint64 kSmallFileLimit = 1 << 20;
constexpr qint64 kSocketTableLimit = 64 << 20;

// Reads a whole file. /proc files report size 0, so read until EOF instead of trusting size().
std::optional<QByteArray> readFile(const QString &path, qint64 limit)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return std::nullopt;
    QByteArray data;
    char buffer[16384];
    while (data.size() < limit) {
        const qint64 n = file.read(buffer, qMin<qint64>(sizeof buffer, limit - data.size()));
        if (n < 0)
            return std::nullopt;
        if (n == 0)
            break;
        data.append(buffer, n);
    }
    return data;
}

bool isBlank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Whitespace-separated fields, without copying.
QList<QByteArrayView> fields(QByteArrayView line)
{
    QList<QByteArrayView> out;
    qsizetype i = 0;
    while (i < line.size()) {
        while (i < line.size() && isBlank(line[i]))
            ++i;
        const qsizetype start = i;
        while (i < line.size() && !isBlank(line[i]))
            ++i;
        if (i > start)
            out.append(line.sliced(start, i - start));
    }
    return out;
}

// Lines without their '\n'; a last line without '\n' is still returned (callers validate it).
QList<QByteArrayView> lines(QByteArrayView text)
{
    QList<QByteArrayView> out;
    qsizetype start = 0;
    while (start < text.size()) {
        qsizetype end = text.indexOf('\n', start);
        if (end < 0)
            end = text.size();
        out.append(text.sliced(start, end - start));
        start = end + 1;
    }
    return out;
}

// A non-negative decimal that fits in qint64, the whole view and nothing else.
std::optional<qint64> count(QByteArrayView text)
{
    if (text.isEmpty() || text.front() == '-')
        return std::nullopt;
    qint64 value = 0;
    const char *end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end)
        return std::nullopt;
    return value;
}

std::optional<qint64> sum(std::initializer_list<qint64> values)
{
    qint64 total = 0;
    for (qint64 v : values) {
        if (qAddOverflow(total, v, &total))
            return std::nullopt;
    }
    return total;
}

// "Key:   123 kB" lines of /proc/meminfo and /proc/<pid>/status, in bytes.
std::optional<qint64> kilobyteField(QByteArrayView text, QByteArrayView key)
{
    for (QByteArrayView line : lines(text)) {
        const qsizetype colon = line.indexOf(':');
        if (colon < 0 || line.first(colon) != key)
            continue;
        const QList<QByteArrayView> f = fields(line.sliced(colon + 1));
        if (f.size() != 2 || f[1] != "kB")
            return std::nullopt;
        const std::optional<qint64> kb = count(f[0]);
        qint64 bytes = 0;
        if (!kb || qMulOverflow(*kb, qint64(1024), &bytes))
            return std::nullopt;
        return bytes;
    }
    return std::nullopt;
}

struct CpuSample
{
    qint64 busy = 0;
    qint64 idle = 0;
};

// The aggregate "cpu" line: user nice system idle iowait irq softirq steal [guest guest_nice].
// guest and guest_nice are already inside user and nice, so they are not added again. Kernels
// older than 2.6.11 stop after idle; missing trailing columns count as 0.
std::optional<CpuSample> parseProcStat(QByteArrayView text)
{
    for (QByteArrayView line : lines(text)) {
        const QList<QByteArrayView> f = fields(line);
        if (f.isEmpty() || f[0] != "cpu")
            continue;
        if (f.size() < 5)
            return std::nullopt;
        qint64 v[8] = {};
        for (qsizetype i = 1; i < f.size() && i <= 8; ++i) {
            const std::optional<qint64> n = count(f[i]);
            if (!n)
                return std::nullopt;
            v[i - 1] = *n;
        }
        const std::optional<qint64> busy = sum({v[0], v[1], v[2], v[5], v[6], v[7]});
        const std::optional<qint64> idle = sum({v[3], v[4]});
        if (!busy || !idle)
            return std::nullopt;
        return CpuSample{*busy, *idle};
    }
    return std::nullopt;
}

// utime + stime of /proc/<pid>/stat in ticks. Field 2 (comm) is the executable name in
// parentheses and may itself contain spaces and ')' — so fields are counted from the last ')'.
std::optional<qint64> parsePidStat(QByteArrayView text)
{
    const qsizetype close = text.lastIndexOf(')');
    if (close < 0)
        return std::nullopt;
    // After ')': state(3) ppid(4) pgrp(5) session(6) tty_nr(7) tpgid(8) flags(9) minflt(10)
    // cminflt(11) majflt(12) cmajflt(13) utime(14) stime(15).
    const QList<QByteArrayView> f = fields(text.sliced(close + 1));
    if (f.size() < 13)
        return std::nullopt;
    const std::optional<qint64> utime = count(f[11]);
    const std::optional<qint64> stime = count(f[12]);
    if (!utime || !stime)
        return std::nullopt;
    return sum({*utime, *stime});
}

struct NetSample
{
    qint64 rx = 0;
    qint64 tx = 0;
};

// Sum of every interface's receive and transmit bytes. `lo` is included on purpose: a cluster
// on one machine moves all its traffic (clients <-> slaves, ranks <-> ranks) over loopback, and
// leaving lo out would show an idle network while blocks stream. On a real multi-machine cluster
// it also counts traffic between ranks on the same host, which is load the node really carries.
// One malformed interface line rejects the whole file: a partial sum would turn into a bogus
// delta the moment the line parses again.
// With `only` set, just that interface's line counts (a host's own link), and its absence is
// "no reading".
std::optional<NetSample> parseNetDev(QByteArrayView text, const QByteArray &only)
{
    NetSample totals;
    bool any = false;
    for (QByteArrayView line : lines(text)) {
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            continue; // the two header lines
        if (!only.isEmpty() && line.first(colon).trimmed() != only)
            continue;
        // Receive: bytes packets errs drop fifo frame compressed multicast; Transmit: bytes ...
        const QList<QByteArrayView> f = fields(line.sliced(colon + 1));
        if (f.size() < 16)
            return std::nullopt;
        const std::optional<qint64> rx = count(f[0]);
        const std::optional<qint64> tx = count(f[8]);
        if (!rx || !tx || qAddOverflow(totals.rx, *rx, &totals.rx) ||
            qAddOverflow(totals.tx, *tx, &totals.tx))
            return std::nullopt;
        any = true;
    }
    if (!any)
        return std::nullopt;
    return totals;
}

// Inodes of ESTABLISHED (state 01) sockets in /proc/net/tcp or tcp6:
//   sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
void establishedInodes(QByteArrayView text, QSet<qint64> &inodes)
{
    for (QByteArrayView line : lines(text)) {
        const QList<QByteArrayView> f = fields(line);
        if (f.size() < 10 || f[3] != "01")
            continue; // header, other states, malformed
        if (const std::optional<qint64> inode = count(f[9]))
            inodes.insert(*inode);
    }
}

// Socket inodes of the process's open descriptors: each /proc/<pid>/fd/N is a symlink whose
// target reads "socket:[INODE]" for a socket.
QSet<qint64> socketInodes(const QString &fdDir)
{
    QSet<qint64> inodes;
    DIR *dir = ::opendir(QFile::encodeName(fdDir).constData());
    if (!dir)
        return inodes;
    const int dirFd = ::dirfd(dir);
    while (const dirent *entry = ::readdir(dir)) {
        if (entry->d_name[0] == '.')
            continue;
        char target[128];
        const ssize_t n = ::readlinkat(dirFd, entry->d_name, target, sizeof target);
        if (n <= 0 || n == ssize_t(sizeof target))
            continue; // not a link, vanished, or too long to be a socket link
        const QByteArrayView link(target, n);
        constexpr QByteArrayView prefix("socket:[");
        if (!link.startsWith(prefix) || !link.endsWith(']'))
            continue;
        if (const std::optional<qint64> inode =
                count(link.sliced(prefix.size(), link.size() - prefix.size() - 1)))
            inodes.insert(*inode);
    }
    ::closedir(dir);
    return inodes;
}

// This process's ESTABLISHED TCP sockets, asked of the sockets themselves. Reading
// /proc/net/tcp instead makes the kernel walk its whole established hash for every page of
// output, which on a large-memory machine cost a slave ~3% of a core at 2 samples a second.
int establishedTcpOfSelf()
{
    DIR *dir = ::opendir("/proc/self/fd");
    if (!dir)
        return 0;
    const int dirFd = ::dirfd(dir);
    int established = 0;
    while (const dirent *entry = ::readdir(dir)) {
        bool isNumber = false;
        const int fd = QByteArray(entry->d_name).toInt(&isNumber);
        if (!isNumber || fd == dirFd)
            continue;
        int domain = 0, type = 0;
        socklen_t length = sizeof domain;
        if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) != 0 ||
            (domain != AF_INET && domain != AF_INET6))
            continue; // not a socket, or not IP
        length = sizeof type;
        if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0 || type != SOCK_STREAM)
            continue;
        tcp_info info{};
        length = sizeof info;
        if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) == 0 &&
            info.tcpi_state == TCP_ESTABLISHED)
            ++established;
    }
    ::closedir(dir);
    return established;
}

} // namespace

ProcSampler::ProcSampler(QString procRoot, qint64 pid)
    : m_root(std::move(procRoot)), m_pid(pid > 0 ? pid : qint64(::getpid()))
{
    const long ticks = ::sysconf(_SC_CLK_TCK);
    if (ticks > 0)
        m_ticksPerSecond = ticks;
}

void ProcSampler::setLink(const HostLink &link)
{
    m_link = link;
    m_interface = link.interfaceName.toLocal8Bit();
    m_lastNet.reset(); // the next sample starts a new baseline
}

void ProcSampler::sample(NodeStats &stats, qint64 nowMs)
{
    const QString pidDir = m_root + u'/' + QString::number(m_pid);
    // Rates need a previous sample and time moving forward; a clock step backwards gives one
    // sample of zero rates rather than negative or huge ones.
    const qint64 elapsedMs = m_lastNowMs ? nowMs - *m_lastNowMs : 0;
    const double elapsedS = elapsedMs > 0 ? double(elapsedMs) / 1000.0 : 0.0;
    m_lastNowMs = nowMs;

    stats.pid = m_pid;
    stats.sampledAtMs = nowMs;
    sampleNodeCpu(stats, elapsedS);
    sampleProcessCpu(stats, pidDir, elapsedS);
    sampleMemory(stats, pidDir);
    sampleNetwork(stats, elapsedS);
    sampleConnections(stats, pidDir);
}

// Node CPU: share of non-idle ticks over all cores since the last sample.
void ProcSampler::sampleNodeCpu(NodeStats &stats, double elapsedS)
{
    stats.nodeCpu = 0;
    std::optional<CpuTimes> cpu;
    if (const auto text = readFile(m_root + QLatin1String("/stat"), kSmallFileLimit)) {
        if (const std::optional<CpuSample> parsed = parseProcStat(*text))
            cpu = CpuTimes{parsed->busy, parsed->idle};
    }
    if (cpu && m_lastNodeCpu && elapsedS > 0) {
        const qint64 busy = cpu->busy - m_lastNodeCpu->busy;
        const qint64 idle = cpu->idle - m_lastNodeCpu->idle;
        if (busy >= 0 && idle >= 0 && busy + idle > 0)
            stats.nodeCpu = double(busy) / double(busy + idle);
    }
    m_lastNodeCpu = cpu;
}

// Process CPU: seconds of CPU per second of wall clock, as a fraction of one core (a
// multi-threaded process can exceed 1).
void ProcSampler::sampleProcessCpu(NodeStats &stats, const QString &pidDir, double elapsedS)
{
    stats.processCpu = 0;
    std::optional<qint64> ticks;
    if (const auto text = readFile(pidDir + QLatin1String("/stat"), kSmallFileLimit))
        ticks = parsePidStat(*text);
    if (ticks && m_lastProcessTicks && elapsedS > 0 && *ticks >= *m_lastProcessTicks) {
        stats.processCpu =
            double(*ticks - *m_lastProcessTicks) / double(m_ticksPerSecond) / elapsedS;
    }
    m_lastProcessTicks = ticks;
}

// "Used" is what the kernel could not hand to a new program without swapping
// (MemTotal - MemAvailable), not MemTotal - MemFree, which counts the page cache as used.
void ProcSampler::sampleMemory(NodeStats &stats, const QString &pidDir) const
{
    stats.nodeMemUsedBytes = 0;
    stats.nodeMemTotalBytes = 0;
    if (const auto text = readFile(m_root + QLatin1String("/meminfo"), kSmallFileLimit)) {
        const std::optional<qint64> total = kilobyteField(*text, "MemTotal");
        const std::optional<qint64> available = kilobyteField(*text, "MemAvailable");
        if (total) {
            stats.nodeMemTotalBytes = *total;
            if (available && *available <= *total)
                stats.nodeMemUsedBytes = *total - *available;
        }
    }

    stats.processRssBytes = 0;
    if (const auto text = readFile(pidDir + QLatin1String("/status"), kSmallFileLimit))
        stats.processRssBytes = kilobyteField(*text, "VmRSS").value_or(0);
}

// Bytes per second over the host's link, or over all interfaces, loopback included, when none
// is set (see parseNetDev). A counter that went down (interface removed, counter reset) gives a
// zero rate.
void ProcSampler::sampleNetwork(NodeStats &stats, double elapsedS)
{
    stats.txBytesPerS = 0;
    stats.rxBytesPerS = 0;
    stats.linkInterface = m_link.interfaceName;
    stats.linkShared = m_link.shared;
    std::optional<NetTotals> net;
    if (const auto text = readFile(m_root + QLatin1String("/net/dev"), kSmallFileLimit)) {
        if (const std::optional<NetSample> parsed = parseNetDev(*text, m_interface))
            net = NetTotals{parsed->rx, parsed->tx};
    }
    if (net && m_lastNet && elapsedS > 0) {
        stats.rxBytesPerS = qMax<qint64>(0, net->rx - m_lastNet->rx) / elapsedS;
        stats.txBytesPerS = qMax<qint64>(0, net->tx - m_lastNet->tx) / elapsedS;
    }
    m_lastNet = net;
}

// The process's socket inodes that the kernel's TCP tables list as ESTABLISHED. /proc/net is
// the reading process's network namespace, which is the slave's own (the sampler runs inside
// the process it samples).
void ProcSampler::sampleConnections(NodeStats &stats, const QString &pidDir) const
{
    stats.connections = 0;
    if (m_root == QLatin1String("/proc") && m_pid == qint64(::getpid())) {
        stats.connections = establishedTcpOfSelf();
        return;
    }
    const QSet<qint64> sockets = socketInodes(pidDir + QLatin1String("/fd"));
    if (sockets.isEmpty())
        return;
    QSet<qint64> established;
    for (const char *table : {"/net/tcp", "/net/tcp6"}) {
        if (const auto text = readFile(m_root + QLatin1String(table), kSocketTableLimit))
            establishedInodes(*text, established);
    }
    int n = 0;
    for (qint64 inode : sockets)
        n += established.contains(inode) ? 1 : 0;
    stats.connections = n;
}

} // namespace starling::cluster
