#include "jsonobjectreader.h"

#include <QJsonDocument>

#include <cmath>

namespace starling::util {

namespace {

constexpr qsizetype kMaxDescribedChars = 40;

QString quoted(const QString &key)
{
    return describeJsonValue(QJsonValue(key));
}

QString mustBe(const QString &key, const QString &expectation, const QString &got)
{
    return quoted(key) + QStringLiteral(" must be ") + expectation + QStringLiteral(", got ") + got;
}

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

QString formatNumber(double value)
{
    return describeJsonValue(QJsonValue(value));
}

} // namespace

QString describeJsonValue(const QJsonValue &value)
{
    if (value.isUndefined())
        return QStringLiteral("nothing");
    // Wrapping in an array lets QJsonDocument encode scalars with JSON's own escaping.
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    QString text = QString::fromUtf8(array.mid(1, array.size() - 2));
    if (text.size() > kMaxDescribedChars)
        text = text.left(kMaxDescribedChars - 3) + QStringLiteral("...");
    return text;
}

bool NumberRange::contains(double value) const
{
    if (!std::isfinite(value))
        return false;
    const bool aboveMin = minExclusive ? value > min : value >= min;
    return aboveMin && (unbounded || value <= max);
}

QString NumberRange::expectation() const
{
    if (unbounded) {
        return (minExclusive ? QStringLiteral("a finite number greater than ")
                             : QStringLiteral("a finite number of at least ")) +
               formatNumber(min);
    }
    if (minExclusive) {
        return QStringLiteral("a number greater than ") + formatNumber(min) +
               QStringLiteral(" and at most ") + formatNumber(max);
    }
    return QStringLiteral("a number from ") + formatNumber(min) + QStringLiteral(" to ") +
           formatNumber(max);
}

JsonObjectReader::JsonObjectReader(QJsonObject object, QString context, MissingKey missing)
    : m_object(std::move(object)), m_context(std::move(context)), m_missing(missing)
{}

QString JsonObjectReader::error() const
{
    return m_context + QStringLiteral(": ") + m_problem;
}

QJsonValue JsonObjectReader::take(QLatin1String key)
{
    m_known.insert(key);
    if (!ok())
        return QJsonValue(QJsonValue::Undefined);
    const QJsonValue value = m_object.value(key);
    if (value.isUndefined() && m_missing == MissingKey::IsError)
        fail(QStringLiteral("missing key ") + quoted(key));
    return value;
}

void JsonObjectReader::readInteger(QLatin1String key, qint64 min, qint64 max, qint64 &out)
{
    const QJsonValue value = take(key);
    if (value.isUndefined())
        return;
    // Compare as double before converting: 1e300 has no fractional part but fits no qint64.
    const double number = value.toDouble(std::nan(""));
    if (!value.isDouble() || std::floor(number) != number || number < double(min) ||
        number > double(max)) {
        reject(key, QStringLiteral("an integer from %1 to %2").arg(min).arg(max));
        return;
    }
    out = qint64(number);
}

void JsonObjectReader::readBool(QLatin1String key, bool &out)
{
    const QJsonValue value = take(key);
    if (value.isUndefined())
        return;
    if (!value.isBool()) {
        reject(key, QStringLiteral("true or false"));
        return;
    }
    out = value.toBool();
}

void JsonObjectReader::readNumber(QLatin1String key, const NumberRange &range, double &out)
{
    const QJsonValue value = take(key);
    if (value.isUndefined())
        return;
    if (!value.isDouble() || !range.contains(value.toDouble())) {
        reject(key, range.expectation());
        return;
    }
    out = value.toDouble();
}

void JsonObjectReader::readString(QLatin1String key, QString &out, const StringRule &rule)
{
    const QJsonValue value = take(key);
    if (value.isUndefined())
        return;
    if (!value.isString() || !rule.accept(value.toString())) {
        if (rule.secret)
            fail(mustBe(key, rule.expectation, typeName(value)));
        else
            reject(key, rule.expectation);
        return;
    }
    out = value.toString();
}

QJsonArray JsonObjectReader::readArray(QLatin1String key, qsizetype maxSize)
{
    const QJsonValue value = take(key);
    if (value.isUndefined())
        return {};
    if (!value.isArray()) {
        reject(key, QStringLiteral("an array"));
        return {};
    }
    const QJsonArray array = value.toArray();
    if (array.size() > maxSize) {
        fail(quoted(key) + QStringLiteral(" has %1 elements, more than the limit of %2")
                               .arg(array.size())
                               .arg(maxSize));
        return {};
    }
    return array;
}

QJsonObject JsonObjectReader::readObject(QLatin1String key, qsizetype maxKeys)
{
    const QJsonValue value = take(key);
    if (value.isUndefined())
        return {};
    if (!value.isObject()) {
        reject(key, QStringLiteral("an object"));
        return {};
    }
    const QJsonObject object = value.toObject();
    if (object.size() > maxKeys) {
        fail(quoted(key) + QStringLiteral(" has %1 keys, more than the limit of %2")
                               .arg(object.size())
                               .arg(maxKeys));
        return {};
    }
    return object;
}

void JsonObjectReader::reject(QLatin1String key, const QString &expectation)
{
    fail(mustBe(key, expectation, describeJsonValue(m_object.value(key))));
}

void JsonObjectReader::fail(const QString &problem)
{
    if (ok())
        m_problem = problem;
}

void JsonObjectReader::rejectUnknownKeys()
{
    for (const QString &key : m_object.keys()) {
        if (!m_known.contains(key)) {
            fail(QStringLiteral("unknown key ") + quoted(key));
            return;
        }
    }
}

} // namespace starling::util
