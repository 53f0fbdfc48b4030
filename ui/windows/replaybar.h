#pragma once

#include <QToolBar>

QT_BEGIN_NAMESPACE
class QAction;
class QComboBox;
class QLabel;
class QSlider;
QT_END_NAMESPACE

namespace starling::consolemodel {
class ReplayClusterSource;
}

namespace starling::ui {

class MainWindow;

// The controls of a replay (`starling-console --replay FILE`): play/pause, a seek slider with
// the position and length, and the speed (1x-60x); shown only for a replay. It shows `replay`
// in `window` and rewinds the window's views when the replay seeks back.
class ReplayBar final : public QToolBar
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReplayBar)

public:
    static constexpr int kSpeeds[] = {1, 2, 5, 10, 30, 60};

    ReplayBar(consolemodel::ReplayClusterSource *replay, MainWindow *window);

    QAction *playAction() const { return m_play; }
    QSlider *slider() const { return m_slider; }
    QComboBox *speedBox() const { return m_speed; }
    QString positionText() const;

    // "1:05" or "1:02:03": a position in the recording.
    static QString clockText(qint64 ms);

private:
    void follow(MainWindow *window);
    void showPosition(qint64 ms);
    void showPaused(bool paused);

    consolemodel::ReplayClusterSource *m_replay;
    QAction *m_play = nullptr;
    QSlider *m_slider = nullptr;
    QLabel *m_position = nullptr;
    QComboBox *m_speed = nullptr;
    bool m_showing = false; // the slider moves with the replay, not by the operator
};

} // namespace starling::ui
