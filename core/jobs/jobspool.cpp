#include "jobspool.h"

#include "jobs/submittername.h"
#include "util/jsonfile.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>

#include <algorithm>

namespace starling::jobs {

namespace {

constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

bool isJobId(const QString &id)
{
    static const QRegularExpression kId(QStringLiteral("^[A-Za-z0-9._-]{1,128}$"));
    return kId.match(id).hasMatch();
}

Expected<bool> writeOwnerOnly(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(kOwnerOnly) ||
        file.write(bytes) != bytes.size() || !file.commit())
        return Error{QStringLiteral("cannot write %1: %2").arg(path, file.errorString())};
    return true;
}

} // namespace

JobSpool::JobSpool(QString directory) : m_directory(std::move(directory)) {}

QString JobSpool::path(const QString &id, const char *suffix) const
{
    return QDir(m_directory).filePath(id + QLatin1String(suffix));
}

Expected<bool> JobSpool::save(const QString &id, const JobSpec &spec,
                              const image::ImageBuffer &input, qint64 submittedAtMs,
                              qint64 sequence, const QString &submitter) const
{
    if (!enabled())
        return true;
    if (!isJobId(id))
        return Error{QStringLiteral("job id \"%1\" cannot name a file").arg(id.left(64))};
    if (!QDir().mkpath(m_directory) ||
        !QFile::setPermissions(m_directory, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                QFileDevice::ExeOwner))
        return Error{QStringLiteral("cannot create the job spool %1").arg(m_directory)};
    // Pixels first: a record only ever names pixels that are complete.
    if (auto written = writeOwnerOnly(path(id, ".pixels"), input.pixels); !written)
        return written;
    const QJsonObject record{{QLatin1String("id"), id},
                             {QLatin1String("spec"), spec.toJson()},
                             {QLatin1String("width"), input.width},
                             {QLatin1String("height"), input.height},
                             {QLatin1String("channels"), input.channels},
                             {QLatin1String("submitted_at_ms"), double(submittedAtMs)},
                             {QLatin1String("sequence"), double(sequence)},
                             {QLatin1String("submitter"), submitter}};
    return writeOwnerOnly(path(id, ".json"), QJsonDocument(record).toJson(QJsonDocument::Compact));
}

void JobSpool::remove(const QString &id) const
{
    if (!enabled() || !isJobId(id))
        return;
    QFile::remove(path(id, ".json"));
    QFile::remove(path(id, ".pixels"));
}

Expected<JobSpool::Entry> JobSpool::read(const QString &id) const
{
    const QString recordPath = path(id, ".json");
    const auto bytes = util::readSmallFile(recordPath, kMaxRecordBytes);
    if (!bytes)
        return Error{bytes.error()};
    const auto record = util::parseJsonObject(*bytes, recordPath, kMaxRecordBytes);
    if (!record)
        return Error{record.error()};
    if (record->value(QLatin1String("id")).toString() != id)
        return Error{QStringLiteral("%1: the id does not match the file name").arg(recordPath)};
    auto spec = JobSpec::fromJson(record->value(QLatin1String("spec")).toObject());
    if (!spec)
        return Error{QStringLiteral("%1: %2").arg(recordPath, spec.error())};
    Entry entry{id, *spec, {}, qint64(record->value(QLatin1String("submitted_at_ms")).toDouble())};
    entry.sequence = qint64(record->value(QLatin1String("sequence")).toDouble());
    entry.submitter = record->value(QLatin1String("submitter")).toString();
    if (!SubmitterName::isStorable(entry.submitter))
        return Error{QStringLiteral("%1: not a valid submitter").arg(recordPath)};
    entry.input.width = record->value(QLatin1String("width")).toInt();
    entry.input.height = record->value(QLatin1String("height")).toInt();
    entry.input.channels = record->value(QLatin1String("channels")).toInt();
    const qint64 expected = qint64(entry.input.width) * entry.input.height * entry.input.channels;
    QFile pixels(path(id, ".pixels"));
    if (expected <= 0 || !pixels.open(QIODevice::ReadOnly) || pixels.size() != expected)
        return Error{QStringLiteral("%1: the pixels are missing or not %2 bytes")
                         .arg(pixels.fileName())
                         .arg(expected)};
    entry.input.pixels = pixels.readAll();
    if (!entry.input.isValid())
        return Error{QStringLiteral("%1: not a valid image").arg(recordPath)};
    return entry;
}

std::vector<JobSpool::Entry> JobSpool::load(QStringList &warnings) const
{
    std::vector<Entry> entries;
    if (!enabled())
        return entries;
    const QStringList records =
        QDir(m_directory).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (const QString &name : records) {
        const QString id = name.chopped(5);
        auto entry =
            isJobId(id)
                ? read(id)
                : Expected<Entry>(Error{QStringLiteral("%1: not a job id").arg(path(id, ".json"))});
        if (!entry) {
            warnings << entry.error();
            QFile::rename(path(id, ".json"), path(id, ".json.bad"));
            QFile::rename(path(id, ".pixels"), path(id, ".pixels.bad"));
            continue;
        }
        entries.push_back(std::move(entry).value());
    }
    std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
        if (a.sequence != b.sequence)
            return a.sequence < b.sequence;
        return a.submittedAtMs != b.submittedAtMs ? a.submittedAtMs < b.submittedAtMs : a.id < b.id;
    });
    return entries;
}

} // namespace starling::jobs
