#pragma once

#include <QObject>
#include <QTimer>

#include <vector>

QT_BEGIN_NAMESPACE
class QTableView;
QT_END_NAMESPACE

namespace starling::ui {

// Keeps the node table's columns inside its width: each column as wide as its header and
// cells need, and when they do not all fit, the widest ones (the estimate, a draining state
// with its ETA) are narrowed first, their text elided, down to their header's width; a cell
// whose text is cut shows it whole in its tooltip. A horizontal scroll bar appears only when
// even the headers do not fit. Refits when the table is resized, rows come or go, and (at most
// once a second, only growing, so columns do not jitter) as values change. Once the operator
// drags a column edge, the widths are theirs and are left alone.
class NodeTableFit final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NodeTableFit)

public:
    explicit NodeTableFit(QTableView *view);

    void fitNow();
    // The header and every row, plus the horizontal scroll bar if the columns need one: what
    // the table needs to show all its rows.
    int heightForRows() const;
    // Every column at the width its header and cells needed at the last fit, the frame, the
    // fit's slack and the vertical scroll bar if the rows outgrow the table's height now: the
    // width at which the table shows them all.
    int widthForColumns() const;
    // What the column's header needs to be read whole: its title and the style's margins, and
    // room for the sort arrow only on the sorted column (QHeaderView's own size hint keeps that
    // room on every column, some 26 px each: 400 px of a 16-column table).
    int headerWidth(int column) const;
    bool isOperatorSized() const { return m_operatorSized; }
    // Widths restored from the operator's saved layout stay theirs (true); false gives the
    // columns back to the fit, which refits them from what is shown.
    void setOperatorSized(bool sized);

signals:
    // The columns came to need more width than at the previous fit (values grew): whoever
    // sized the table's place from widthForColumns() may give it more.
    void columnsWidened();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void schedule(int delayMs, bool fresh);
    std::vector<int> measure() const;
    static std::vector<int> squeeze(const std::vector<int> &wanted, const std::vector<int> &least,
                                    int available);
    bool showFullText(QEvent *event) const;

    QTableView *m_view;
    QTimer m_due;
    std::vector<int> m_wanted; // natural widths, grown as values change
    bool m_fresh = true;       // next fit starts from the current contents, not m_wanted
    bool m_fitting = false;
    bool m_operatorSized = false;
};

} // namespace starling::ui
