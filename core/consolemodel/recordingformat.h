#pragma once

#include "consolemodel/clustersource.h"
#include "util/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <cstdint>
#include <optional>

namespace starling::consolemodel {

// A console recording (`starling-console --record FILE`), the one definition of its layout:
//
//   "STARLREC" (8 bytes) | u32 format version | header block | data block ...
//   block = u32 length | u32 ~length | u32 CRC-32 of the stored bytes | stored bytes
//   stored bytes = qCompress(NDJSON): one record a line, {"t": ms, "k": kind, "p": payload}
// Integers are big-endian. The header block holds one JSON object (RecordingHeader). The length
// is written twice so a damaged length is a damaged file, never a block that seems to run past
// the end; only a file whose last block really is short reads as truncated (a console killed
// while writing), and then the intact blocks before it still play. Snapshots are stored whole:
// zlib over a 5 s block already finds what repeats between them (JSON deltas from one snapshot
// to the next were measured on a 16-slave recording at 2215 B/s against 2211 B/s whole).
namespace recording {

inline constexpr char kMagic[] = "STARLREC";
inline constexpr int kMagicBytes = 8;
inline constexpr std::uint32_t kVersion = 1;
inline constexpr int kBlockHeaderBytes = 12;
// A block holds a few seconds: 4 MiB stored, 32 MiB raw are far past any real one and bound
// what one damaged length can make a reader allocate.
inline constexpr std::uint32_t kMaxStoredBytes = 4u << 20;
inline constexpr std::uint32_t kMaxRawBytes = 32u << 20;
inline constexpr qint64 kMaxOffsetMs = 7LL * 24 * 3600 * 1000; // a week of recording

} // namespace recording

enum class RecordKind
{
    Snapshot, // payload: the snapshot as the bridge sends it (ClusterSnapshot::toJson)
    Event,    // payload: the bridge event
    Ack,      // payload: an answer to a command (RecordedAck)
    Link      // payload: a link state change (RecordedLink)
};

struct Record
{
    qint64 atMs = 0; // since the recording's start
    RecordKind kind = RecordKind::Event;
    // The payload as compact JSON: an hour of a 16-slave cluster held as parsed objects took
    // 800 MB; as text it is the size of the JSON.
    QByteArray payloadJson;

    static Record make(qint64 atMs, RecordKind kind, const QJsonObject &payload);
    QJsonObject payload() const;
};

// What the recording client was and looked at, so a replay can open the same view.
struct RecordingHeader
{
    qint64 startMs = 0;  // wall clock of the recording's first moment
    QString client;      // "starling-console 1.2.0"
    QString origin;      // where the data came from, for people
    QString tab;         // the view shown when recording started ("" = the default)
    qint64 windowMs = 0; // the charts' time window (0 = the default)

    QJsonObject toJson() const;
    static Expected<RecordingHeader> fromJson(const QJsonObject &object);
};

struct RecordedAck
{
    QString id;
    bool ok = false;
    QJsonObject result;
    QString code;
    QString message;

    QJsonObject toJson() const;
    static RecordedAck fromJson(const QJsonObject &object);
};

struct RecordedLink
{
    LinkState state = LinkState::Disconnected;
    QString detail;

    QJsonObject toJson() const;
    static std::optional<RecordedLink> fromJson(const QJsonObject &object);
};

namespace recording {

QByteArray fileStart(); // magic and version
QByteArray encodeBlock(const QByteArray &raw);
// One NDJSON line with its newline.
QByteArray encodeRecord(qint64 atMs, RecordKind kind, const QJsonObject &payload);
// One line back into a record; empty with `why` set when the line is not one.
std::optional<Record> decodeRecord(const QByteArray &line, QString &why);
std::uint32_t crc32(const QByteArray &bytes);

} // namespace recording

} // namespace starling::consolemodel
