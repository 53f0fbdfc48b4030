#pragma once

#include "sched/timeline.h"

#include <QStringList>
#include <QWidget>

namespace starling::ui {

// A job's task stream: one row per slave, time across, and for every chunk its send (the
// master's port busy sending it), compute and return phases as bars, so the one-port
// schedule and who waited for whom can be seen at a glance; the makespan is marked.
// Drawn with QPainter: a Gantt chart is not something Qt Charts has.
class TaskStreamChart final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TaskStreamChart)

public:
    explicit TaskStreamChart(QWidget *parent = nullptr);

    // `slaves` names the timeline's slave indices (platform order).
    void setTimeline(const QString &title, const sched::Timeline &timeline,
                     const QStringList &slaves);

    static QColor sendColour();
    static QColor computeColour();
    static QColor returnColour();

    QSize sizeHint() const override { return {1200, 500}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_title;
    sched::Timeline m_timeline;
    QStringList m_slaves;
};

} // namespace starling::ui
