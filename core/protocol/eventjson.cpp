#include "eventjson.h"

#include <cmath>

namespace starling::protocol {

QJsonObject eventObject(EventKind kind, qint64 timeMs)
{
    QJsonObject event{{QLatin1String(eventkey::kKind), toString(kind)}};
    if (timeMs > 0)
        event.insert(QLatin1String(eventkey::kTimeMs), double(timeMs));
    return event;
}

QString EventFields::text(QLatin1String key) const
{
    return textOf(m_event.value(key));
}

QString EventFields::textOf(const QJsonValue &value)
{
    // A number where a name or message belongs (a bare rank, an error code) is still worth
    // showing.
    if (value.isDouble() && std::isfinite(value.toDouble())) {
        const double d = value.toDouble();
        return std::abs(d) < 1e15 && d == std::floor(d) ? QString::number(qint64(d))
                                                        : QString::number(d, 'g', 6);
    }
    return value.toString();
}

qint64 EventFields::count(QLatin1String key, qint64 max) const
{
    const std::optional<double> n = number(key);
    return n && *n >= 0 && *n <= double(max) ? qint64(*n) : -1;
}

std::optional<double> EventFields::number(QLatin1String key) const
{
    const QJsonValue value = m_event.value(key);
    if (!value.isDouble() || !std::isfinite(value.toDouble()))
        return std::nullopt;
    return value.toDouble();
}

QJsonArray EventFields::array(QLatin1String key, qsizetype maxSize) const
{
    const QJsonArray items = m_event.value(key).toArray();
    return items.size() <= maxSize ? items : QJsonArray();
}

QJsonObject EventFields::object(QLatin1String key, qsizetype maxKeys) const
{
    const QJsonObject items = m_event.value(key).toObject();
    return items.size() <= maxKeys ? items : QJsonObject();
}

qint64 EventFields::timeMs() const
{
    return std::max<qint64>(0, count(QLatin1String(eventkey::kTimeMs), qint64(1) << 53));
}

void insertOptional(QJsonObject &event, QLatin1String key, const std::optional<double> &value)
{
    if (value)
        event.insert(key, *value);
}

void insertCount(QJsonObject &event, QLatin1String key, qint64 value)
{
    if (value >= 0)
        event.insert(key, value);
}

std::optional<QString> wrongKind(const QJsonObject &event, EventKind kind)
{
    if (kindOf(event) == kind)
        return std::nullopt;
    return QStringLiteral("not a %1 event").arg(toString(kind));
}

} // namespace starling::protocol
