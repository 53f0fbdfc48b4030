#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QLatin1String>
#include <QSet>
#include <QString>

#include <functional>

namespace starling::util {

// How a value appears in an error message: compact JSON, cut at 40 characters, never a line
// break (strings stay quoted and escaped), so a hostile value cannot forge a second log line.
QString describeJsonValue(const QJsonValue &value);

// The accepted range of a JSON number, worded for error messages.
struct NumberRange
{
    double min = 0;
    double max = 0;
    bool minExclusive = false; // (min, max] instead of [min, max]
    bool unbounded = false;    // no upper limit: [min, inf) or (min, inf)

    bool contains(double value) const;
    QString expectation() const; // "a number from 0.1 to 50", ...
};

// What a string field accepts. `secret` values never appear in error messages.
struct StringRule
{
    std::function<bool(const QString &)> accept = [](const QString &) {
        return true;
    };
    QString expectation = QStringLiteral("a string");
    bool secret = false;
};

// Reads the typed fields of one JSON object and keeps the first problem as one line
// `<context>: "<key>" must be <expectation>, got <value>`. After the first problem every read
// leaves its output alone, so a parser reads all its fields and asks ok() once; the order of
// the reads decides which problem is reported.
class JsonObjectReader
{
public:
    enum class MissingKey
    {
        KeepDefault,
        IsError
    };

    JsonObjectReader(QJsonObject object, QString context,
                     MissingKey missing = MissingKey::KeepDefault);

    bool ok() const { return m_problem.isEmpty(); }
    QString error() const;

    void readInteger(QLatin1String key, qint64 min, qint64 max, qint64 &out);
    template<typename Int> void readInteger(QLatin1String key, qint64 min, qint64 max, Int &out)
    {
        qint64 wide = out;
        readInteger(key, min, max, wide);
        out = Int(wide); // in range: min and max fit Int
    }
    void readNumber(QLatin1String key, const NumberRange &range, double &out);
    void readString(QLatin1String key, QString &out, const StringRule &rule = {});
    void readBool(QLatin1String key, bool &out); // JSON true or false only
    // An array of at most maxSize elements; an empty array when the key is missing or wrong.
    QJsonArray readArray(QLatin1String key, qsizetype maxSize);
    // An object of at most maxKeys keys; an empty object when the key is missing or wrong.
    QJsonObject readObject(QLatin1String key, qsizetype maxKeys);
    // Where this reader's errors start ("config.json"), for readers of nested objects.
    const QString &context() const { return m_context; }

    // Reports `"<key>" must be <expectation>, got <value>` for a value the caller judged.
    void reject(QLatin1String key, const QString &expectation);
    void fail(const QString &problem);
    // Call after every read: a key nobody read is most likely a typo, and silently ignoring it
    // would leave the user believing a setting took effect.
    void rejectUnknownKeys();

private:
    // The value to read, or Undefined when it is missing (reported if missing keys are errors)
    // or when an earlier problem stops the reading.
    QJsonValue take(QLatin1String key);

    QJsonObject m_object;
    QString m_context;
    MissingKey m_missing;
    QSet<QString> m_known;
    QString m_problem;
};

} // namespace starling::util
