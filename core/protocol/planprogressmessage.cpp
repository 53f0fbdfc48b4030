#include "planprogressmessage.h"

#include "util/jsonobjectreader.h"

namespace starling::protocol {

namespace {

constexpr qint64 kMaxExactJsonInteger = qint64(1) << 53;

QLatin1String key(const char *name)
{
    return QLatin1String(name);
}

QString stateName(PlanProgressMessage::State state)
{
    return state == PlanProgressMessage::State::Queued ? QStringLiteral("queued")
                                                       : QStringLiteral("hashing");
}

} // namespace

QJsonObject PlanProgressMessage::toJson() const
{
    return {{key("state"), stateName(state)},
            {key("path"), path},
            {key("done_bytes"), doneBytes},
            {key("total_bytes"), totalBytes}};
}

Expected<PlanProgressMessage> PlanProgressMessage::fromJson(const QJsonObject &object)
{
    util::JsonObjectReader reader(object, QStringLiteral("plan progress"),
                                  util::JsonObjectReader::MissingKey::IsError);
    PlanProgressMessage progress;
    QString state;
    reader.readString(key("state"), state,
                      util::StringRule{[](const QString &s) {
                                           return s == QLatin1String("queued") ||
                                                  s == QLatin1String("hashing");
                                       },
                                       QStringLiteral("\"queued\" or \"hashing\"")});
    reader.readString(key("path"), progress.path);
    reader.readInteger(key("done_bytes"), 0, kMaxExactJsonInteger, progress.doneBytes);
    reader.readInteger(key("total_bytes"), 0, kMaxExactJsonInteger, progress.totalBytes);
    if (!reader.ok())
        return Error{reader.error()};
    if (progress.doneBytes > progress.totalBytes)
        return Error{QStringLiteral("plan progress: \"done_bytes\" exceeds \"total_bytes\"")};
    progress.state = state == QLatin1String("queued") ? State::Queued : State::Hashing;
    return progress;
}

} // namespace starling::protocol
