#include "linkshaper.h"

#include "iproute2.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace starling::cli::lab {

namespace {

// 10 ms worth of tokens: small enough that a burst hardly shows in a rate, and never below ten
// full frames, or tbf would stall on a burst of maximum-size packets at low rates.
constexpr double kBurstSeconds = 0.010;
constexpr qint64 kMinBurstBytes = 10 * 1514;

} // namespace

QStringList LinkShaper::scope(const QString &netns)
{
    return netns.isEmpty() ? QStringList() : QStringList{QStringLiteral("-n"), netns};
}

QStringList LinkShaper::tbfParameters(double linkMBps)
{
    const double bytesPerSecond = linkMBps * 1e6;
    const qint64 bits = std::llround(bytesPerSecond * 8);
    const qint64 burst =
        std::max(kMinBurstBytes, qint64(std::llround(bytesPerSecond * kBurstSeconds)));
    return {QStringLiteral("tbf"),
            QStringLiteral("rate"),
            QString::number(bits) + QStringLiteral("bit"),
            QStringLiteral("burst"),
            QString::number(burst) + QStringLiteral("b"),
            QStringLiteral("latency"),
            QString::number(kLatencyMs) + QStringLiteral("ms")};
}

Expected<bool> LinkShaper::shape(const QString &device, const QString &netns, double linkMBps)
{
    const QStringList arguments =
        scope(netns) +
        QStringList{QStringLiteral("qdisc"), QStringLiteral("replace"), QStringLiteral("dev"),
                    device, QStringLiteral("root")} +
        tbfParameters(linkMBps);
    return Iproute2::apply(QStringLiteral("tc"), arguments);
}

void LinkShaper::unshape(const QString &device, const QString &netns)
{
    Iproute2::tc(scope(netns) + QStringList{QStringLiteral("qdisc"), QStringLiteral("del"),
                                            QStringLiteral("dev"), device, QStringLiteral("root")});
}

std::optional<double> LinkShaper::rateBytesPerSecond(const QString &device, const QString &netns)
{
    const Iproute2::Result result = Iproute2::tc(
        scope(netns) + QStringList{QStringLiteral("-j"), QStringLiteral("qdisc"),
                                   QStringLiteral("show"), QStringLiteral("dev"), device});
    if (!result.ok())
        return std::nullopt;
    for (const QJsonValue &value : QJsonDocument::fromJson(result.output).array()) {
        const QJsonObject qdisc = value.toObject();
        if (qdisc.value(QLatin1String("kind")).toString() == QLatin1String("tbf") &&
            qdisc.value(QLatin1String("root")).toBool())
            return qdisc.value(QLatin1String("options"))
                .toObject()
                .value(QLatin1String("rate"))
                .toDouble();
    }
    return std::nullopt;
}

} // namespace starling::cli::lab
