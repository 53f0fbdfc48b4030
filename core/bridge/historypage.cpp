#include "historypage.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace starling::bridge {

namespace {

namespace Key {
inline constexpr QLatin1String Op{"op"};
inline constexpr QLatin1String Node{"node"};
inline constexpr QLatin1String AfterMs{"after_ms"};
inline constexpr QLatin1String Limit{"limit"};
inline constexpr QLatin1String Count{"count"};
inline constexpr QLatin1String T0{"t0"};
inline constexpr QLatin1String Dt{"dt"};
inline constexpr QLatin1String Cpu{"cpu"};
inline constexpr QLatin1String Rss{"rss"};
inline constexpr QLatin1String Tx{"tx"};
inline constexpr QLatin1String Rx{"rx"};
inline constexpr QLatin1String Load{"load"};
inline constexpr QLatin1String Assigned{"assigned"};
inline constexpr QLatin1String Done{"done"};
inline constexpr QLatin1String State{"state"};
inline constexpr QLatin1String More{"more"};
} // namespace Key

constexpr double kMaxExact = 9007199254740992.0; // 2^53
constexpr qsizetype kMaxNodeName = 64;

// Short decimal text on the wire: a chart needs no more than these digits.
double rounded(double v, double scale)
{
    return std::round(v * scale) / scale;
}

bool isInteger(const QJsonValue &v, double lo, double hi)
{
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    return std::isfinite(d) && d >= lo && d <= hi && d == std::floor(d);
}

Error pageError(const QString &node, const QString &what)
{
    return Error{QStringLiteral("history of %1 from the monitor rejected: %2")
                     .arg(node.isEmpty() ? QStringLiteral("a node") : node, what),
                 QStringLiteral("bad_history")};
}

// Integer columns carry a bound; the others are checked by checkHistory afterwards.
struct Column
{
    QLatin1String key;
    bool integer = false;
    double max = 0;
    QJsonArray values = {};
};
constexpr int kColumnCount = 9;

// Fills `columns` (in sample order: dt, cpu, rss, tx, rx, load, assigned, done, state), or
// says which one is not an array of n valid numbers.
QString readColumns(const QJsonObject &result, qsizetype n, Column (&columns)[kColumnCount])
{
    const Column shapes[kColumnCount] = {
        {Key::Dt, true, kMaxExact}, {Key::Cpu, false, 0},         {Key::Rss, true, kMaxExact},
        {Key::Tx, false, 0},        {Key::Rx, false, 0},          {Key::Load, false, 0},
        {Key::Assigned, true, 1e9}, {Key::Done, true, kMaxExact}, {Key::State, true, 4}};
    for (int k = 0; k < kColumnCount; ++k) {
        Column &c = columns[k];
        c = shapes[k];
        const QJsonValue v = result.value(c.key);
        c.values = v.toArray();
        if (!v.isArray() || c.values.size() != n)
            return QStringLiteral("\"%1\" is not an array of %2 numbers").arg(c.key).arg(n);
        for (qsizetype i = 0; i < n; ++i) {
            const QJsonValue x = c.values.at(i);
            if (c.integer ? !isInteger(x, 0, c.max) : !x.isDouble())
                return QStringLiteral("\"%1\"[%2] is not a valid number").arg(c.key).arg(i);
        }
    }
    return {};
}

} // namespace

QJsonObject HistoryRequest::toCommand() const
{
    return {
        {Key::Op, kOp}, {Key::Node, node}, {Key::AfterMs, double(afterMs)}, {Key::Limit, limit}};
}

bool HistoryRequest::isHistoryRequest(const QJsonObject &command)
{
    return command.value(Key::Op).toString() == kOp;
}

Expected<HistoryRequest> HistoryRequest::fromCommand(const QJsonObject &command)
{
    const QString code = QStringLiteral("bad_argument");
    HistoryRequest r;
    r.node = command.value(Key::Node).toString();
    if (r.node.isEmpty() || r.node.size() > kMaxNodeName)
        return Error{QStringLiteral("\"node\" must be a node name of 1-64 characters"), code};
    const QJsonValue after = command.value(Key::AfterMs);
    if (!after.isUndefined() && !isInteger(after, 0, kMaxExact))
        return Error{QStringLiteral("\"after_ms\" must be an integer 0..2^53"), code};
    r.afterMs = qint64(after.toDouble(0));
    const QJsonValue limit = command.value(Key::Limit);
    if (!limit.isUndefined() && !isInteger(limit, 1, kMaxLimit))
        return Error{QStringLiteral("\"limit\" must be an integer 1..%1").arg(kMaxLimit), code};
    r.limit = limit.isUndefined() ? kMaxLimit : limit.toInt();
    return r;
}

int HistoryPage::maxSamplesFor(qint64 clientBufferBytes)
{
    const qint64 perAnswer = clientBufferBytes / (HistoryRequest::kMaxInFlight + 1);
    const qint64 samples = (perAnswer - kMaxOverheadBytes) / kMaxSampleBytes;
    return int(std::clamp<qint64>(samples, 1, HistoryRequest::kMaxLimit));
}

QJsonObject HistoryPage::toJson() const
{
    QJsonArray dt, cpu, rss, tx, rx, load, assigned, done, state;
    const qint64 t0 = samples.empty() ? 0 : samples.front().timeMs;
    qint64 previous = t0;
    for (const cluster::HistorySample &s : samples) {
        dt.append(double(s.timeMs - previous));
        previous = s.timeMs;
        cpu.append(rounded(s.cpu, 1e4));
        rss.append(double(s.rssBytes));
        tx.append(rounded(s.txRate, 1));
        rx.append(rounded(s.rxRate, 1));
        load.append(rounded(s.load, 1e4));
        assigned.append(s.assigned);
        done.append(double(s.tasksDone));
        state.append(int(s.state));
    }
    return {{Key::Node, node},     {Key::Count, int(samples.size())},
            {Key::T0, double(t0)}, {Key::Dt, dt},
            {Key::Cpu, cpu},       {Key::Rss, rss},
            {Key::Tx, tx},         {Key::Rx, rx},
            {Key::Load, load},     {Key::Assigned, assigned},
            {Key::Done, done},     {Key::State, state},
            {Key::More, more}};
}

Expected<HistoryPage> HistoryPage::fromJson(const QJsonObject &result)
{
    HistoryPage page;
    page.node = result.value(Key::Node).toString();
    if (page.node.isEmpty() || page.node.size() > kMaxNodeName)
        return pageError({}, QStringLiteral("no node name of 1-64 characters"));
    const QJsonValue count = result.value(Key::Count);
    if (!isInteger(count, 0, HistoryRequest::kMaxLimit))
        return pageError(
            page.node,
            QStringLiteral("\"count\" is not an integer 0..%1").arg(HistoryRequest::kMaxLimit));
    const qsizetype n = count.toInt();
    if (!isInteger(result.value(Key::T0), 0, kMaxExact))
        return pageError(page.node, QStringLiteral("\"t0\" is not a time in ms"));
    Column columns[kColumnCount];
    if (const QString problem = readColumns(result, n, columns); !problem.isEmpty())
        return pageError(page.node, problem);
    page.samples.resize(size_t(n));
    qint64 t = qint64(result.value(Key::T0).toDouble());
    for (qsizetype i = 0; i < n; ++i) {
        cluster::HistorySample &s = page.samples[size_t(i)];
        t += qint64(columns[0].values.at(i).toDouble());
        if (double(t) > kMaxExact)
            return pageError(page.node, QStringLiteral("times run past 2^53 ms"));
        s.timeMs = t;
        s.cpu = columns[1].values.at(i).toDouble();
        s.rssBytes = qint64(columns[2].values.at(i).toDouble());
        s.txRate = columns[3].values.at(i).toDouble();
        s.rxRate = columns[4].values.at(i).toDouble();
        s.load = columns[5].values.at(i).toDouble();
        s.assigned = columns[6].values.at(i).toInt();
        s.tasksDone = qint64(columns[7].values.at(i).toDouble());
        s.state = cluster::NodeState(columns[8].values.at(i).toInt());
    }
    if (const QString problem = cluster::checkHistory(page.samples); !problem.isEmpty())
        return pageError(page.node, problem);
    page.more = result.value(Key::More).toBool();
    return page;
}

} // namespace starling::bridge
