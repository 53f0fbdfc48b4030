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
// slaves is ~13 MB of JSON in ~128 lines of ~110 KB each, well inside the server's 2 MiB
// per-client queue and the client's 16 MiB line limit. A monitor without the op answers
// `unknown_op`, and the console simply starts with empty charts.
struct HistoryRequest
{
    static constexpr QLatin1String kOp{"history_page"};
    static constexpr int kMaxLimit = 2000;

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

    QJsonObject toJson() const; // the ack's `result`
    // Rejects with one line anything but a well-formed page: columns of equal length (at
    // most kMaxLimit), integers where integers belong, times increasing, values finite and
    // within cluster::HistoryBounds.
    static Expected<HistoryPage> fromJson(const QJsonObject &result);
};

} // namespace starling::bridge
