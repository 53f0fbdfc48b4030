#pragma once

#include "cluster/historysample.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QLatin1String>
#include <QString>

#include <vector>

namespace starling::bridge {

// The console's hour of history on connect (PROTOCOL.md, "history_page"): a command answered
// by the monitor with one page of one slave's samples in columns of numbers, so an hour of 64
// slaves is ~13 MB of JSON in lines of at most ~110 KB each, inside the client's 16 MiB line
// limit. Answers go through the server's per-client queue, which closes a client past
// 2 x bridge_client_buffer_bytes (as little as 64 KiB): the monitor makes its pages no bigger
// than HistoryPage::maxSamplesFor(that buffer), so kMaxInFlight answers and a snapshot fit.
// A monitor without the op answers `unknown_op`, and the console simply starts with empty
// charts.
struct HistoryRequest
{
    static constexpr QLatin1String kOp{"history_page"};
    static constexpr int kMaxLimit = 2000;
    // A client keeps at most this many requests unanswered (the monitor sizes pages on it).
    static constexpr int kMaxInFlight = 4;

    QString node;
    qint64 afterMs = 0; // samples strictly newer than this
    int limit = kMaxLimit;

    QJsonObject toCommand() const; // "op" and its fields, without "type" and "id"
    static bool isHistoryRequest(const QJsonObject &command);
    // Checks every field (code `bad_argument`): node 1-64 characters, after_ms 0..2^53,
    // limit 1..kMaxLimit (absent: kMaxLimit).
    static Expected<HistoryRequest> fromCommand(const QJsonObject &command);
};

struct HistoryPage
{
    QString node;
    std::vector<cluster::HistorySample> samples; // oldest first
    bool more = false;                           // ask again with after_ms = the last time

    // Bytes of one sample in the columns, at most: 9 numbers of at most 24 characters
    // ("-1.2345678901234567e+308") and a comma each; tst_historypage checks the worst case.
    static constexpr int kMaxSampleBytes = 9 * 25;
    // The ack line around the columns, at most: keys, a 64-character node, a command id.
    static constexpr int kMaxOverheadBytes = 1024;
    // The most samples a page may carry so that HistoryRequest::kMaxInFlight answers and as
    // much again (a snapshot, events) fit in a client's buffer of `clientBufferBytes`:
    // 53 for the smallest (64 KiB), 927 for the default 1 MiB, never above kMaxLimit.
    static int maxSamplesFor(qint64 clientBufferBytes);

    QJsonObject toJson() const; // the ack's `result`
    // Rejects with one line anything but a well-formed page: columns of equal length (at
    // most kMaxLimit), integers where integers belong, times increasing, values finite and
    // within cluster::HistoryBounds.
    static Expected<HistoryPage> fromJson(const QJsonObject &result);
};

} // namespace starling::bridge
