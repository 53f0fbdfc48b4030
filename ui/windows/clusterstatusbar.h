#pragma once

#include "cluster/clustersnapshot.h"
#include "consolemodel/clustersource.h"

#include <QStatusBar>

QT_BEGIN_NAMESPACE
class QLabel;
QT_END_NAMESPACE

namespace starling::ui {

// The console's status bar: the link (a coloured dot and what happened), the last snapshot's
// number and age and the bridge round trip (red and marked STALE when it is old), every
// draining node's progress, and the latest notice (an operator action's answer, red when the
// cluster refused).
class ClusterStatusBar final : public QStatusBar
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterStatusBar)

public:
    explicit ClusterStatusBar(QWidget *parent = nullptr);

    void setLink(consolemodel::LinkState state, const QString &detail, bool haveSource);
    // snapshots == 0: nothing received yet. rttMs < 0: not measured.
    void setSnapshotAge(qint64 snapshots, qint64 sequence, double ageS, qint64 rttMs, bool stale);
    void setDrains(const cluster::ClusterSnapshot &snapshot);
    void showNotice(const QString &text, bool ok);

    QString linkAndAge() const;
    QString notice() const;

private:
    QLabel *m_link;
    QLabel *m_age;
    QLabel *m_drains;
    QLabel *m_notice;
};

} // namespace starling::ui
