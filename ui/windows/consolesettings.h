#pragma once

#include <QStringList>
#include <QtGlobal>

QT_BEGIN_NAMESPACE
class QSettings;
QT_END_NAMESPACE

namespace starling::ui {

class MainWindow;

// What the console remembers between runs (issue 17): the window's geometry and tool bars,
// every splitter, the node table's column order and widths, the time window, the tab on show,
// the CPU and memory thresholds and the charts' fixed scale, in the QSettings it is handed:
// the app's is ~/.config/Starling/starling-console.conf (QSettings' own place for "Starling",
// "starling-console" on Linux), a test's a file of its own.
//
// The splitters beside and above the node table and its column widths are restored only when
// the operator had set them (dragged, or restored as theirs before): otherwise the console goes
// on fitting them to the rows and columns of the cluster it shows, as on a first start. The
// order of the columns, the views' splitters and the rest are always restored.
//
// Everything read is checked before it is used: a value that is corrupt, out of range or from
// another program is skipped (the window keeps its default) and named in restore()'s answer,
// so the app can say it in one line. A file that is not ours at all is skipped whole.
class ConsoleSettings final
{
    Q_DISABLE_COPY_MOVE(ConsoleSettings)

public:
    explicit ConsoleSettings(QSettings &store) : m_store(store) {}

    // Applies what was saved to `window`, before it is shown. The keys of the values that were
    // ignored; empty when every value was good or nothing was saved.
    QStringList restore(MainWindow &window) const;
    // withThresholds false: this run's thresholds came from the command line and are not the
    // operator's lasting choice; the saved ones stay as they were. False if it could not be
    // written (a read-only or full disk).
    bool save(const MainWindow &window, bool withThresholds = true);
    // --reset-layout: forgets everything saved, so the next restore leaves the defaults.
    void forget();

private:
    void restoreWindow(MainWindow &window, QStringList &ignored) const;
    void restoreSplitters(MainWindow &window, QStringList &ignored) const;
    void restoreColumns(MainWindow &window, QStringList &ignored) const;
    void restoreViews(MainWindow &window, QStringList &ignored) const;
    void restoreThresholds(MainWindow &window, QStringList &ignored) const;
    // The saved bytes under `key`, empty when absent; empty with `key` added to `ignored`
    // when it is there but not a byte array of a sane size.
    QByteArray blob(const QString &key, QStringList &ignored) const;

    QSettings &m_store;
};

} // namespace starling::ui
