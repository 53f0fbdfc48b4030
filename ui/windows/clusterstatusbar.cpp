#include "clusterstatusbar.h"

#include "util/valueformat.h"

#include <QLabel>

#include <algorithm>

namespace starling::ui {

namespace {

const QString kAlarm = QStringLiteral("color: #c62828");

QString dot(const char *colour)
{
    return QStringLiteral("<span style='color:%1'>&#9679;</span> ").arg(QLatin1String(colour));
}

} // namespace

ClusterStatusBar::ClusterStatusBar(QWidget *parent)
    : QStatusBar(parent), m_link(new QLabel(tr("No cluster connected"), this)),
      m_age(new QLabel(this)), m_drains(new QLabel(this)), m_notice(new QLabel(this))
{
    m_link->setObjectName(QStringLiteral("connectionState"));
    m_age->setObjectName(QStringLiteral("snapshotAge"));
    m_drains->setObjectName(QStringLiteral("drainProgress"));
    m_notice->setObjectName(QStringLiteral("lastAnswer"));
    m_notice->setTextFormat(Qt::PlainText);
    // A gap between the items, which are plain text side by side.
    for (QLabel *label : {m_link, m_age, m_drains})
        label->setContentsMargins(0, 0, 10, 0);
    addWidget(m_link);
    addWidget(m_age);
    addWidget(m_drains);
    addPermanentWidget(m_notice, 1);
}

void ClusterStatusBar::setLink(consolemodel::LinkState state, const QString &detail,
                               bool haveSource)
{
    switch (state) {
    case consolemodel::LinkState::Connected:
        m_link->setText(dot("#2e7d32") + detail.toHtmlEscaped());
        break;
    case consolemodel::LinkState::Connecting:
        m_link->setText(dot("#f9a825") + detail.toHtmlEscaped());
        break;
    case consolemodel::LinkState::Disconnected:
        m_link->setText(
            dot("#c62828") +
            (haveSource ? detail : tr("No cluster connected: use Connect...")).toHtmlEscaped());
        break;
    }
}

void ClusterStatusBar::setSnapshotAge(qint64 snapshots, qint64 sequence, double ageS, qint64 rttMs,
                                      bool stale)
{
    QString age;
    if (snapshots > 0) {
        age = tr("snapshot #%1, %2 old").arg(sequence).arg(util::formatSeconds(ageS));
        if (rttMs >= 0)
            age += tr(" | round trip %1 ms").arg(rttMs);
        if (stale)
            age = tr("STALE: ") + age;
    }
    m_age->setText(age);
    m_age->setStyleSheet(stale && snapshots > 0 ? kAlarm : QString());
    // Only ever wider: the age changes 4 times a second ("56 ms", "0.41 s"), and the drains
    // beside it must not jump left and right with its digits.
    m_age->setMinimumWidth(std::max(m_age->minimumWidth(), m_age->sizeHint().width()));
}

void ClusterStatusBar::setDrains(const cluster::ClusterSnapshot &snapshot)
{
    QStringList parts;
    for (const cluster::NodeView &n : snapshot.nodes) {
        if (n.state != cluster::NodeState::Draining)
            continue;
        QString part = tr("%1 draining: %2 in flight").arg(n.name).arg(n.assigned);
        if (n.drainEtaS >= 0)
            part += tr(", ~%1").arg(util::formatSeconds(n.drainEtaS));
        parts.append(part);
    }
    m_drains->setText(parts.join(QStringLiteral(" | ")));
}

void ClusterStatusBar::showNotice(const QString &text, bool ok)
{
    m_notice->setText(text);
    m_notice->setStyleSheet(ok ? QString() : kAlarm + QStringLiteral("; font-weight: bold"));
    m_notice->setToolTip(text);
}

QString ClusterStatusBar::linkAndAge() const
{
    return m_link->text() + u' ' + m_age->text();
}

QString ClusterStatusBar::notice() const
{
    return m_notice->text();
}

} // namespace starling::ui
