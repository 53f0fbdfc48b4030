#include "recordingwriter.h"

#include "consolemodel/clustersource.h"
#include "consolemodel/recordingreader.h"

#include <QDateTime>
#include <QJsonDocument>

namespace starling::consolemodel {

Expected<std::unique_ptr<RecordingWriter>> RecordingWriter::create(const QString &path,
                                                                   RecordingHeader header)
{
    auto file = std::make_unique<QFile>(path);
    if (file->exists())
        return Error{QStringLiteral("%1 exists; a recording is never overwritten: remove it or "
                                    "pick another name")
                         .arg(path),
                     QStringLiteral("exists")};
    if (!file->open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return Error{QStringLiteral("cannot create %1: %2").arg(path, file->errorString()),
                     QStringLiteral("unwritable")};
    if (header.startMs == 0)
        header.startMs = QDateTime::currentMSecsSinceEpoch();
    const QByteArray start =
        recording::fileStart() +
        recording::encodeBlock(QJsonDocument(header.toJson()).toJson(QJsonDocument::Compact));
    if (file->write(start) != start.size() || !file->flush())
        return Error{QStringLiteral("cannot write %1: %2").arg(path, file->errorString()),
                     QStringLiteral("unwritable")};
    return std::unique_ptr<RecordingWriter>(new RecordingWriter(std::move(file), header));
}

RecordingWriter::RecordingWriter(std::unique_ptr<QFile> file, RecordingHeader header)
    : m_file(std::move(file)), m_header(std::move(header)), m_written(m_file->size())
{
    m_since.start();
    m_clock = [this] {
        return m_since.elapsed();
    };
    m_flushTimer.setInterval(kFlushMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &RecordingWriter::flush);
    m_flushTimer.start();
}

RecordingWriter::~RecordingWriter()
{
    flush();
}

void RecordingWriter::setClock(std::function<qint64()> elapsedMs)
{
    m_clock = std::move(elapsedMs);
}

void RecordingWriter::attach(ClusterSource *source)
{
    if (m_source)
        m_source->disconnect(this);
    m_source = source;
    if (!source)
        return;
    connect(source, &ClusterSource::snapshotReceived, this,
            [this](const cluster::ClusterSnapshot &s) { add(RecordKind::Snapshot, s.toJson()); });
    connect(source, &ClusterSource::eventReceived, this,
            [this](const QJsonObject &e) { add(RecordKind::Event, e); });
    connect(source, &ClusterSource::commandAnswered, this,
            [this](const QString &id, bool ok, const QJsonObject &result, const QString &code,
                   const QString &message) {
                add(RecordKind::Ack, RecordedAck{id, ok, result, code, message}.toJson());
            });
    connect(source, &ClusterSource::linkStateChanged, this,
            [this](LinkState state, const QString &detail) {
                add(RecordKind::Link, RecordedLink{state, detail}.toJson());
            });
    add(RecordKind::Link,
        RecordedLink{source->linkState(),
                     linkStateName(source->linkState()) + QStringLiteral(" when recording began")}
            .toJson());
}

void RecordingWriter::add(RecordKind kind, const QJsonObject &payload)
{
    if (m_failed)
        return;
    // Never back in time, whatever the clock does: the reader refuses that.
    const qint64 now = m_clock();
    // A file the reader would refuse is of no use: the recording ends at the reader's limits.
    if (now > recording::kMaxOffsetMs ||
        m_written + m_pending.size() + kFlushBytes > kMaxRecordingBytes) {
        flush();
        m_failed = true;
        emit failed(QStringLiteral("recording stopped: %1 reached a recording's limit (a week, "
                                   "%2 MiB)")
                        .arg(m_file->fileName())
                        .arg(kMaxRecordingBytes >> 20));
        return;
    }
    m_lastMs = std::max(m_lastMs, now);
    m_pending += recording::encodeRecord(m_lastMs, kind, payload);
    if (m_pending.size() >= kFlushBytes)
        flush();
}

bool RecordingWriter::flush()
{
    if (m_failed)
        return false;
    if (m_pending.isEmpty())
        return true;
    const QByteArray block = recording::encodeBlock(m_pending);
    m_pending.clear();
    if (m_file->write(block) != block.size() || !m_file->flush()) {
        m_failed = true;
        emit failed(QStringLiteral("recording stopped: cannot write %1: %2")
                        .arg(m_file->fileName(), m_file->errorString()));
        return false;
    }
    m_written += block.size();
    return true;
}

} // namespace starling::consolemodel
