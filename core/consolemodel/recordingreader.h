#pragma once

#include "consolemodel/recordingformat.h"
#include "util/expected.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace starling::consolemodel {

// A recording read whole into memory (an hour of a 16-slave cluster is tens of MB), checked
// from its first byte to its last before anything plays.
struct Recording
{
    QString path;
    RecordingHeader header;
    std::vector<Record> records; // in time order
    // Set when the file ends inside a block (a console killed while writing): the blocks
    // before it are here, and this line says what was lost.
    QString warning;

    qint64 durationMs() const { return records.empty() ? 0 : records.back().atMs; }
};

// Past this a file is refused before it is read.
inline constexpr qint64 kMaxRecordingBytes = 512LL << 20;
// Past this many bytes of records (unpacked, what a replay holds in memory) a file is refused.
inline constexpr qint64 kMaxRecordedBytes = 1LL << 30;

// Reads `path`; a missing, damaged or foreign file is one line naming the file and the byte
// offset where it went wrong.
Expected<Recording> readRecording(const QString &path);
// The same for bytes already in memory; `name` stands for the file in messages.
Expected<Recording> parseRecording(const QByteArray &bytes, const QString &name);

} // namespace starling::consolemodel
