#include "alertbanner.h"

#include <QAction>
#include <QDateTime>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace starling::ui {

namespace {

const QColor kCritical(0xc6, 0x28, 0x28); // the status bar's alarm red
const QColor kWarning(0xf9, 0xa8, 0x25);  // its amber

QColor severityColour(consolemodel::Alert::Severity severity)
{
    return severity == consolemodel::Alert::Severity::Critical ? kCritical : kWarning;
}

// A tint of the severity over the window's own colour, so the palette's text stays readable on
// a light or a dark theme; a stripe on the left carries the full colour. Palettes, not style
// sheets: a style sheet would cut the row off from the window's palette (black text on dark).
QColor tintOver(const QColor &base, const QColor &colour)
{
    const float f = 0.22f;
    return QColor::fromRgbF(base.redF() * (1 - f) + colour.redF() * f,
                            base.greenF() * (1 - f) + colour.greenF() * f,
                            base.blueF() * (1 - f) + colour.blueF() * f);
}

void fill(QWidget *widget, const QColor &colour)
{
    QPalette p = widget->palette();
    p.setColor(QPalette::Window, colour);
    widget->setPalette(p);
    widget->setAutoFillBackground(true);
}

// "14:03:07", with the date when it is not today's.
QString timeText(qint64 ms)
{
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(ms);
    return at.date() == QDate::currentDate() ? at.toString(QStringLiteral("hh:mm:ss"))
                                             : at.toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"));
}

} // namespace

AlertBanner::AlertBanner(consolemodel::AlertTracker *tracker, QWidget *parent)
    : QFrame(parent), m_tracker(tracker),
      m_acknowledgeAll(new QAction(tr("&Acknowledge all alerts"), this)),
      m_layout(new QVBoxLayout(this))
{
    setObjectName(QStringLiteral("alertBanner"));
    m_layout->setContentsMargins(4, 4, 4, 2);
    m_acknowledgeAll->setEnabled(false);
    connect(m_acknowledgeAll, &QAction::triggered, tracker,
            [tracker] { tracker->acknowledgeAll(); });
    connect(tracker, &consolemodel::AlertTracker::changed, this, &AlertBanner::rebuild);
    rebuild();
}

void AlertBanner::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        rebuild();
}

// Alerts come a few at a time: the rows are made again on every change, simply. The old ones
// may hold the button being clicked, so they leave now and are deleted later.
void AlertBanner::rebuild()
{
    if (m_rows) {
        m_layout->removeWidget(m_rows);
        m_rows->setParent(nullptr);
        m_rows->deleteLater();
    }
    m_rows = new QWidget(this);
    auto *rows = new QVBoxLayout(m_rows);
    rows->setContentsMargins(0, 0, 0, 0);
    rows->setSpacing(2);
    const std::vector<consolemodel::Alert> open = m_tracker->openAlerts();
    if (open.size() > 1)
        rows->addWidget(summaryRow(int(open.size()), m_rows));
    m_rowsShown = int(std::min<size_t>(open.size(), kMaxRows));
    for (int i = 0; i < m_rowsShown; ++i)
        rows->addWidget(alertRow(open[size_t(i)], m_rows));
    m_layout->addWidget(m_rows);
    m_rows->show(); // at once, not when the layout would get round to it
    m_acknowledgeAll->setEnabled(!open.empty());
    setVisible(!open.empty());
}

QWidget *AlertBanner::summaryRow(int open, QWidget *parent)
{
    auto *row = new QWidget(parent);
    auto *line = new QHBoxLayout(row);
    line->setContentsMargins(4, 0, 0, 0);
    QString text = tr("%1 alerts").arg(open); // only shown for two or more
    if (open > kMaxRows)
        text += tr(", the newest %1 shown").arg(kMaxRows);
    auto *label = new QLabel(text, row);
    label->setObjectName(QStringLiteral("alertSummary"));
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    auto *all = new QPushButton(tr("Acknowledge all"), row);
    all->setObjectName(QStringLiteral("acknowledgeAllAlerts"));
    connect(all, &QPushButton::clicked, m_acknowledgeAll, &QAction::trigger);
    line->addWidget(label, 1);
    line->addWidget(all);
    return row;
}

QWidget *AlertBanner::alertRow(const consolemodel::Alert &alert, QWidget *parent)
{
    auto *row = new QFrame(parent);
    row->setObjectName(QStringLiteral("alertRow"));
    row->setProperty("alertId", alert.id);
    const QColor colour = severityColour(alert.severity);
    fill(row, tintOver(palette().color(QPalette::Window), colour));
    auto *line = new QHBoxLayout(row);
    line->setContentsMargins(0, 0, 4, 0);
    auto *stripe = new QWidget(row);
    stripe->setFixedWidth(5);
    fill(stripe, colour);
    line->addWidget(stripe);
    line->addSpacing(4);
    auto *time = new QLabel(timeText(alert.timeMs), row);
    QFont bold = time->font();
    bold.setBold(true);
    time->setFont(bold);
    auto *kind = new QLabel(consolemodel::toString(alert.kind).toUpper(), row);
    kind->setFont(bold);
    auto *reason = new QLabel(alert.reason, row);
    reason->setObjectName(QStringLiteral("alertReason"));
    reason->setTextFormat(Qt::PlainText);
    reason->setToolTip(alert.reason);
    reason->setMinimumWidth(0);
    reason->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto *ack = new QPushButton(tr("Acknowledge"), row);
    ack->setObjectName(QStringLiteral("acknowledgeAlert"));
    const qint64 id = alert.id;
    connect(ack, &QPushButton::clicked, m_tracker, [this, id] { m_tracker->acknowledge(id); });
    line->addWidget(time);
    line->addSpacing(6);
    line->addWidget(kind);
    line->addSpacing(6);
    line->addWidget(reason, 1);
    line->addWidget(ack);
    return row;
}

} // namespace starling::ui
