#pragma once

#include <QString>

#include <utility>
#include <variant>

namespace starling {

// Expected failures (a bad file, a bad argument) travel as values with a message a user can act
// on; C++20 has no std::expected, so this is the small subset Starling needs.
struct Error
{
    QString message;
    QString code = {}; // machine-readable kind where callers need one (e.g. "unknown_node")
};

template<typename T> class Expected
{
public:
    Expected(T value) : m_state(std::move(value)) {}
    Expected(Error error) : m_state(std::move(error)) {}

    bool hasValue() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return hasValue(); }
    const T &value() const & { return std::get<T>(m_state); }
    T &&value() && { return std::get<T>(std::move(m_state)); }
    const T &operator*() const & { return value(); }
    const T *operator->() const { return &std::get<T>(m_state); }
    // Empty when holding a value, so `QVERIFY2(result, qPrintable(result.error()))`, which
    // evaluates the message either way, is safe.
    const QString &error() const { return hasValue() ? empty() : std::get<Error>(m_state).message; }
    const QString &errorCode() const
    {
        return hasValue() ? empty() : std::get<Error>(m_state).code;
    }

private:
    static const QString &empty()
    {
        static const QString none;
        return none;
    }
    std::variant<T, Error> m_state;
};

} // namespace starling
