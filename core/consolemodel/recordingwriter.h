#pragma once

#include "consolemodel/recordingformat.h"
#include "util/expected.h"

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>

namespace starling::consolemodel {

class ClusterSource;

// Writes what a ClusterSource delivers (snapshots, events, answers, link changes) to a
// recording (recordingformat.h). Records gather in memory and go to disk as one compressed
// block every few seconds, so a console killed at any moment leaves a file that plays up to
// the last block written.
class RecordingWriter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RecordingWriter)

public:
    static constexpr int kFlushMs = 5000;
    static constexpr qsizetype kFlushBytes = 1 << 20; // raw bytes that flush early

    // Creates `path`, which must not exist yet (a recording is evidence: never overwritten),
    // and writes its header.
    static Expected<std::unique_ptr<RecordingWriter>> create(const QString &path,
                                                             RecordingHeader header);
    ~RecordingWriter() override;

    // Records `source` from now on (and its link state now); replaces any earlier one.
    void attach(ClusterSource *source);
    // Milliseconds since the recording's start; a test sets its own clock.
    void setClock(std::function<qint64()> elapsedMs);
    // Writes what is gathered as a block; false (and failed()) when the disk refuses.
    bool flush();
    qint64 bytesWritten() const { return m_written; }

signals:
    void failed(const QString &message);

private:
    RecordingWriter(std::unique_ptr<QFile> file, RecordingHeader header);
    void add(RecordKind kind, const QJsonObject &payload);

    std::unique_ptr<QFile> m_file;
    RecordingHeader m_header;
    QPointer<ClusterSource> m_source;
    QByteArray m_pending;
    QTimer m_flushTimer;
    QElapsedTimer m_since;
    std::function<qint64()> m_clock;
    qint64 m_lastMs = 0;
    qint64 m_written = 0;
    bool m_failed = false;
};

} // namespace starling::consolemodel
