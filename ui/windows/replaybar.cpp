#include "replaybar.h"

#include "consolemodel/replayclustersource.h"
#include "windows/mainwindow.h"

#include <QAction>
#include <QComboBox>
#include <QDateTime>
#include <QFileInfo>
#include <QLabel>
#include <QSlider>

namespace starling::ui {

ReplayBar::ReplayBar(consolemodel::ReplayClusterSource *replay, MainWindow *window)
    : QToolBar(tr("Replay"), window), m_replay(replay)
{
    setObjectName(QStringLiteral("replayBar"));
    setMovable(false);
    const consolemodel::Recording &recording = replay->recording();
    auto *what = new QLabel(tr(" Replay of %1, recorded %2 (read-only) ")
                                .arg(QFileInfo(recording.path).fileName(),
                                     QDateTime::fromMSecsSinceEpoch(recording.header.startMs)
                                         .toString(QStringLiteral("yyyy-MM-dd hh:mm"))),
                            this);
    what->setToolTip(recording.header.origin.isEmpty()
                         ? recording.path
                         : tr("%1\nrecorded from %2").arg(recording.path, recording.header.origin));
    addWidget(what);
    m_play = addAction(tr("Pause"));
    m_play->setObjectName(QStringLiteral("replayPlay"));
    m_play->setToolTip(tr("Pause or play the replay"));
    connect(m_play, &QAction::triggered, this,
            [this] { m_replay->setPaused(!m_replay->isPaused()); });
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setObjectName(QStringLiteral("replaySeek"));
    m_slider->setRange(0, int(std::min<qint64>(replay->durationMs() / 1000, INT_MAX)));
    m_slider->setTracking(false); // seek where the operator lets go, not on every pixel
    m_slider->setMinimumWidth(240);
    m_slider->setToolTip(tr("Seek: every view shows the cluster as it was then"));
    connect(m_slider, &QSlider::valueChanged, this, [this](int seconds) {
        if (!m_showing)
            m_replay->seek(qint64(seconds) * 1000);
    });
    addWidget(m_slider);
    m_position = new QLabel(this);
    m_position->setObjectName(QStringLiteral("replayPosition"));
    addWidget(m_position);
    m_speed = new QComboBox(this);
    m_speed->setObjectName(QStringLiteral("replaySpeed"));
    m_speed->setToolTip(tr("Replay speed"));
    for (const int speed : kSpeeds)
        m_speed->addItem(QStringLiteral("%1x").arg(speed), speed);
    m_speed->setCurrentIndex(m_speed->findData(int(replay->speed())));
    connect(m_speed, &QComboBox::currentIndexChanged, this,
            [this] { m_replay->setSpeed(m_speed->currentData().toDouble()); });
    addWidget(m_speed);
    follow(window);
    showPosition(replay->positionMs());
    showPaused(replay->isPaused());
}

// The replay's position and pause on the bar; its rewinds and the window's source changes.
void ReplayBar::follow(MainWindow *window)
{
    connect(m_replay, &consolemodel::ReplayClusterSource::positionChanged, this,
            &ReplayBar::showPosition);
    connect(m_replay, &consolemodel::ReplayClusterSource::pausedChanged, this,
            &ReplayBar::showPaused);
    // The views cannot un-see records: showing the replay again clears them and delivers up
    // to the new position. (The bar is the context: the window drops every connection from its
    // source when it shows one.)
    connect(m_replay, &consolemodel::ReplayClusterSource::rewound, this,
            [window, replay = m_replay] {
                if (window->source() == replay)
                    window->setSource(replay);
            });
    // Once the window shows something else (Connect... to a live cluster), the bar would
    // only offer to throw that away: it goes, and comes back if the replay is shown again.
    connect(window, &MainWindow::sourceChanged, this,
            [this, window] { setVisible(window->source() == m_replay); });
}

QString ReplayBar::clockText(qint64 ms)
{
    const qint64 s = std::max<qint64>(0, ms) / 1000;
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(s / 3600)
            .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
            .arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QString ReplayBar::positionText() const
{
    return m_position->text();
}

void ReplayBar::showPosition(qint64 ms)
{
    m_showing = true;
    if (!m_slider->isSliderDown())
        m_slider->setValue(int(ms / 1000));
    m_showing = false;
    m_position->setText(
        QStringLiteral(" %1 / %2 ").arg(clockText(ms), clockText(m_replay->durationMs())));
}

void ReplayBar::showPaused(bool paused)
{
    m_play->setText(paused ? tr("Play") : tr("Pause"));
}

} // namespace starling::ui
