#pragma once

#include <QImage>
#include <QString>

#include <vector>

namespace starling::bench {

// The job-stream benchmark's chart: one panel per measure (throughput, mean and p95 latency),
// in each a group of bars per load, one bar per mode (FIFO, overlap; predicted and measured).
// Drawn with QPainter into an image, so it needs no display.
class StreamChart
{
public:
    struct Bar
    {
        QString mode; // legend entry; the same modes in every group, same colours
        double value = 0;
    };
    struct Group
    {
        QString label; // "50%"
        std::vector<Bar> bars;
    };
    struct Panel
    {
        QString title;
        std::vector<Group> groups;
    };

    explicit StreamChart(QString title) : m_title(std::move(title)) {}
    void addPanel(Panel panel) { m_panels.push_back(std::move(panel)); }
    QImage render() const;

private:
    void drawPanel(class QPainter &painter, const Panel &panel, const QRectF &area) const;

    QString m_title;
    std::vector<Panel> m_panels;
};

} // namespace starling::bench
