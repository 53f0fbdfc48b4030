#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringView>

namespace starling::jobs {

// Who submitted a job, for the board's fair share (issue 16, "Fairness"). A label, not an
// identity that is checked: every client holds the same cluster token, so a client may name
// itself anything; what it cannot do is hold more than one submitter's share under one name.
// Explicit names are 1-64 of [A-Za-z0-9._@-]; without one a job is its client's address's.
class SubmitterName
{
public:
    static constexpr int kMaxLength = 64;

    static bool isValid(QByteArrayView name);
    // What the board and the spool keep: a valid name, or an address (also ':' and '%').
    static bool isStorable(QStringView name);
    // The query's `submitter` (at most once, valid; code "bad_request"), else `peerAddress`.
    static Expected<QString> fromQuery(const QList<QPair<QByteArray, QByteArray>> &query,
                                       const QString &peerAddress);
    // The query without `submitter`: JobSpec knows how to run a job, not who asked.
    static QList<QPair<QByteArray, QByteArray>>
    withoutSubmitter(const QList<QPair<QByteArray, QByteArray>> &query);
};

} // namespace starling::jobs
