#pragma once

#include <QColor>
#include <QList>
#include <QPointF>
#include <QPolygonF>
#include <QStringList>
#include <QWidget>

#include <functional>

namespace starling::ui {

// One node's metric over a time window, drawn small: one or two lines (sent and received)
// from zero to a round top, the window's span, the top value and the latest values in words.
// The node panel has four of them; a full chart per metric would not fit beside the numbers.
// QPainter on SeriesPalette::chartBackground/chartText.
class NodeSparkline final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NodeSparkline)

public:
    using Formatter = std::function<QString(double)>;

    NodeSparkline(const QString &title, Formatter format, QWidget *parent = nullptr);

    // Points are (ms since the epoch, raw value); `second` may be empty. The x axis spans
    // fromMs..toMs; `names` label the lines in the latest-value text when there are two.
    void setSeries(const QList<QPointF> &first, const QList<QPointF> &second, qint64 fromMs,
                   qint64 toMs, const QStringList &names = {});
    void setColour(const QColor &colour);

    // For tests: what is drawn.
    QString title() const { return m_title; }
    QString latestText() const; // "12%" or "sent 1.2 MiB/s · received 30 KiB/s"; "-" if empty
    int pointCount() const { return int(m_first.size() + m_second.size()); }
    double top() const { return m_top; } // the y axis's top, raw units

    QSize sizeHint() const override { return {280, 74}; }
    QSize minimumSizeHint() const override { return {160, 56}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QPolygonF polyline(const QList<QPointF> &points, const QRectF &plot) const;

    QString m_title;
    Formatter m_format;
    QList<QPointF> m_first;
    QList<QPointF> m_second;
    QStringList m_names;
    qint64 m_fromMs = 0;
    qint64 m_toMs = 1;
    double m_top = 1;
    QColor m_colour;
};

} // namespace starling::ui
