// ConsoleSettings (issue 17, "settings saved and restored"): a window the operator arranged
// (size, splitters, column order and widths, time window, tab, thresholds, fixed scale), saved
// and restored into a new window, comes back the same, and stays so while rows come and go;
// forget() (--reset-layout) gives the defaults; a corrupt, foreign or out-of-range file is
// ignored key by key with the defaults kept. Every QSettings here is a file in a temporary
// directory, never the user's.
#include "charts/metrichistorychart.h"
#include "fakeclustersource.h"
#include "windows/consolesettings.h"
#include "windows/mainwindow.h"
#include "windows/nodetablefit.h"

#include <QFile>
#include <QFileInfo>
#include <QHeaderView>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <utility>

using namespace starling;
using starling::testing::FakeClusterSource;
using starling::ui::ConsoleSettings;
using starling::ui::MainWindow;
using starling::ui::NodeTableModel;

namespace {

constexpr int kSlaves = 6;
constexpr qint64 kT0 = 1700000000000;
// Around the node table; the views' splitters are compared with their tab shown.
const char *const kSplitterNames[] = {"mainSplitter", "nodeSplitter"};

QSplitter *splitter(const MainWindow &window, const char *name)
{
    return window.findChild<QSplitter *>(QLatin1String(name));
}

// What a window shows that the settings are about, to compare two windows.
struct Picture
{
    QSize size;
    QList<QList<int>> splitters;
    QList<int> logicalByVisual;
    QList<int> widths; // by logical column, the stretched last one left out
    qint64 timeWindow = 0;
    QString tab;
    NodeTableModel::Thresholds thresholds;
    bool fixedScale = false;
};

Picture pictureOf(const MainWindow &window)
{
    Picture p;
    p.size = window.size();
    for (const char *name : kSplitterNames)
        p.splitters.append(splitter(window, name)->sizes());
    const QHeaderView *header = window.nodeView()->horizontalHeader();
    for (int v = 0; v < header->count(); ++v)
        p.logicalByVisual.append(header->logicalIndex(v));
    for (int c = 0; c + 1 < header->count(); ++c)
        p.widths.append(header->sectionSize(c));
    p.timeWindow = window.timeWindow();
    p.tab = window.tabs()->tabText(window.tabs()->currentIndex());
    p.thresholds = window.nodeModel().thresholds();
    p.fixedScale = window.chart(consolemodel::Metric::Cpu)->isFixedScale() &&
                   window.chart(consolemodel::Metric::Memory)->isFixedScale();
    return p;
}

// Field by field, so a failure names what differs.
void comparePictures(const Picture &actual, const Picture &expected)
{
    QCOMPARE(actual.size, expected.size);
    QCOMPARE(actual.splitters, expected.splitters);
    QCOMPARE(actual.logicalByVisual, expected.logicalByVisual);
    QCOMPARE(actual.widths, expected.widths);
    QCOMPARE(actual.timeWindow, expected.timeWindow);
    QCOMPARE(actual.tab, expected.tab);
    QCOMPARE(actual.thresholds.cpuWarn, expected.thresholds.cpuWarn);
    QCOMPARE(actual.thresholds.cpuCritical, expected.thresholds.cpuCritical);
    QCOMPARE(actual.thresholds.memWarnBytes, expected.thresholds.memWarnBytes);
    QCOMPARE(actual.thresholds.memCriticalBytes, expected.thresholds.memCriticalBytes);
    QCOMPARE(actual.fixedScale, expected.fixedScale);
}

void feed(FakeClusterSource &source, int slaves, int snapshots)
{
    for (int seq = 1; seq <= snapshots; ++seq)
        source.push(starling::testing::fakeSnapshot(slaves, seq, kT0 + 500 * seq));
}

// The task and strategy views' splitters as the operator sees them: with their tab shown (a
// page never shown has not been laid out). Shows the tab that was current again.
QList<QList<int>> viewSplitters(MainWindow &window)
{
    const int current = window.tabs()->currentIndex();
    QList<QList<int>> sizes;
    for (const auto &[tab, name] :
         {std::pair{"Task", "taskSplitter"}, std::pair{"Strategies", "strategySplitter"}}) {
        window.showTab(QLatin1String(tab));
        QCoreApplication::processEvents(); // the page's layout
        sizes.append(splitter(window, name)->sizes());
    }
    window.tabs()->setCurrentIndex(current);
    return sizes;
}

bool showWindow(MainWindow &window)
{
    window.show();
    return QTest::qWaitForWindowExposed(&window);
}

// What an operator does in a session: every remembered thing moved off its default.
void arrangeAsAnOperator(MainWindow &window)
{
    window.showTab(QStringLiteral("Task"));
    splitter(window, "taskSplitter")->setSizes({120, 240});
    window.showTab(QStringLiteral("Strategies"));
    splitter(window, "strategySplitter")->setSizes({250, 90});
    QSplitter *main = splitter(window, "mainSplitter");
    const int total = main->sizes().value(0) + main->sizes().value(1);
    main->setSizes({310, total - 310});
    QSplitter *beside = splitter(window, "nodeSplitter");
    const int wide = beside->sizes().value(0) + beside->sizes().value(1);
    beside->setSizes({wide - 560, 560});
    window.setSplittersByOperator(true); // setSizes is no drag: say it as a drag would
    QHeaderView *header = window.nodeView()->horizontalHeader();
    header->moveSection(header->visualIndex(NodeTableModel::Name), 3);
    header->resizeSection(NodeTableModel::State, 171); // not the fit's: the operator's
    window.setTimeWindow(900'000);
    window.showTab(QStringLiteral("Events"));
    NodeTableModel::Thresholds t;
    t.cpuWarn = 0.5;
    t.cpuCritical = 0.8;
    t.memWarnBytes = 300.0 * 1048576;
    t.memCriticalBytes = 600.0 * 1048576;
    window.setThresholds(t);
    for (consolemodel::Metric m : {consolemodel::Metric::Cpu, consolemodel::Metric::Memory})
        window.chart(m)->setFixedScale(true);
}

} // namespace

class TestConsoleSettings final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QSettings> m_store;

    // A default window, shown and fed: what a first start looks like.
    static void showDefault(MainWindow &window, FakeClusterSource &source)
    {
        window.setSource(&source);
        QVERIFY(showWindow(window));
        feed(source, kSlaves, 3);
        QTRY_COMPARE(window.nodeView()->model()->rowCount(), kSlaves + 2);
    }

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        QFile::remove(m_dir.filePath(QStringLiteral("console.conf")));
        m_store = std::make_unique<QSettings>(m_dir.filePath(QStringLiteral("console.conf")),
                                              QSettings::IniFormat);
    }

    void savedLayoutComesBack()
    {
        Picture saved;
        QList<QList<int>> savedViews;
        {
            FakeClusterSource source;
            MainWindow window;
            window.resize(1300, 820);
            showDefault(window, source);
            arrangeAsAnOperator(window);
            QVERIFY(window.nodeView()->findChild<ui::NodeTableFit *>()->isOperatorSized());
            saved = pictureOf(window);
            savedViews = viewSplitters(window);
            QVERIFY(ConsoleSettings(*m_store).save(window));
        }
        FakeClusterSource source;
        MainWindow window;
        QCOMPARE(ConsoleSettings(*m_store).restore(window), QStringList());
        window.setSource(&source);
        QVERIFY(showWindow(window));
        // More rows than before: the fit would move the splitters and columns, had the
        // operator not set them.
        feed(source, kSlaves + 4, 3);
        QTRY_COMPARE(window.nodeView()->model()->rowCount(), kSlaves + 6);
        QCoreApplication::processEvents(); // the fit's zero-delay refit for the new rows
        QVERIFY(window.splittersByOperator());
        comparePictures(pictureOf(window), saved);
        QCOMPARE(viewSplitters(window), savedViews);
    }

    // Closed on the Events tab while alerts were open: its title counted them ("Events (2)").
    void tabWithACountComesBack()
    {
        {
            FakeClusterSource source;
            MainWindow window;
            showDefault(window, source);
            QVERIFY(window.showTab(QStringLiteral("Events")));
            QTabWidget *tabs = window.tabs();
            tabs->setTabText(tabs->currentIndex(), QStringLiteral("Events (2)"));
            QVERIFY(ConsoleSettings(*m_store).save(window));
        }
        QCOMPARE(m_store->value(QStringLiteral("views/tab")).toString(), QStringLiteral("Events"));
        MainWindow window;
        QCOMPARE(ConsoleSettings(*m_store).restore(window), QStringList());
        QCOMPARE(window.tabs()->tabText(window.tabs()->currentIndex()), QStringLiteral("Events"));
    }

    // Splitters and widths the console fitted are not frozen by a restart.
    void fittedLayoutStaysFitted()
    {
        {
            FakeClusterSource source;
            MainWindow window;
            showDefault(window, source);
            QVERIFY(ConsoleSettings(*m_store).save(window));
        }
        FakeClusterSource source;
        MainWindow window;
        QCOMPARE(ConsoleSettings(*m_store).restore(window), QStringList());
        QVERIFY(!window.splittersByOperator());
        QVERIFY(!window.nodeView()->findChild<ui::NodeTableFit *>()->isOperatorSized());
    }

    void forgetGivesTheDefaults()
    {
        {
            FakeClusterSource source;
            MainWindow window;
            showDefault(window, source);
            arrangeAsAnOperator(window);
            QVERIFY(ConsoleSettings(*m_store).save(window));
        }
        ConsoleSettings(*m_store).forget();
        QVERIFY(m_store->allKeys().isEmpty());
        FakeClusterSource source, defaultSource;
        MainWindow window, untouched;
        QCOMPARE(ConsoleSettings(*m_store).restore(window), QStringList());
        showDefault(window, source);
        showDefault(untouched, defaultSource);
        QVERIFY(!window.splittersByOperator());
        comparePictures(pictureOf(window), pictureOf(untouched));
        QCOMPARE(viewSplitters(window), viewSplitters(untouched));
    }

    // The run's thresholds from the command line do not replace the operator's saved ones.
    void thresholdsLeftOutStayAsSaved()
    {
        MainWindow window;
        NodeTableModel::Thresholds t;
        t.cpuWarn = 0.4;
        t.cpuCritical = 0.6;
        window.setThresholds(t);
        QVERIFY(ConsoleSettings(*m_store).save(window));
        t.cpuWarn = 0.1;
        window.setThresholds(t);
        QVERIFY(ConsoleSettings(*m_store).save(window, false));
        MainWindow restored;
        QCOMPARE(ConsoleSettings(*m_store).restore(restored), QStringList());
        QCOMPARE(restored.nodeModel().thresholds().cpuWarn, 0.4);
        QCOMPARE(restored.nodeModel().thresholds().cpuCritical, 0.6);
    }

    // What remembering costs at start and close (run with -tickcounter or plain walltime to
    // see it; nothing is asserted on speed).
    void restoreAndSaveCost()
    {
        FakeClusterSource source;
        MainWindow window;
        showDefault(window, source);
        arrangeAsAnOperator(window);
        ConsoleSettings settings(*m_store);
        QVERIFY(settings.save(window));
        QBENCHMARK
        {
            settings.restore(window);
            settings.save(window);
        }
        QVERIFY(QFileInfo(m_store->fileName()).size() > 0);
    }

    void corruptValuesAreIgnored_data()
    {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<QStringList>("ignored");
        QByteArray garbage(4096, '\0');
        for (int i = 0; i < garbage.size(); ++i)
            garbage[i] = char((i * 7919 + 13) % 256);
        QTest::newRow("no file yet") << QByteArray() << QStringList();
        QTest::newRow("binary garbage") << garbage << QStringList{QStringLiteral("format")};
        QTest::newRow("another program's")
            << QByteArray("[General]\nformat=7\n[views]\ntimeWindowMs=900000\n")
            << QStringList{QStringLiteral("format")};
        QTest::newRow("no format")
            << QByteArray("[views]\ntab=Events\n") << QStringList{QStringLiteral("format")};
        QTest::newRow("every value bad")
            << QByteArray("[General]\nformat=1\n"
                          "[window]\ngeometry=@ByteArray(not a geometry)\nstate=hello\n"
                          "[layout]\nsplittersByOperator=true\nmain=@ByteArray(junk)\n"
                          "[nodeTable]\nheader=@ByteArray(junk)\ncolumns=3\n"
                          "widthsByOperator=true\n"
                          "[views]\ntimeWindowMs=12345\ntab=Nowhere\nfixedScale=maybe\n"
                          "[thresholds]\ncpuWarnPct=hot\ncpuCriticalPct=90\nmemWarnMiB=1\n"
                          "memCriticalMiB=2\n")
            << QStringList{QStringLiteral("window/geometry"),    QStringLiteral("window/state"),
                           QStringLiteral("layout/main"),        QStringLiteral("nodeTable/header"),
                           QStringLiteral("views/timeWindowMs"), QStringLiteral("views/tab"),
                           QStringLiteral("views/fixedScale"),   QStringLiteral("thresholds")};
        QTest::newRow("warn above critical")
            << QByteArray("[General]\nformat=1\n[thresholds]\ncpuWarnPct=90\ncpuCriticalPct=80\n"
                          "memWarnMiB=1\nmemCriticalMiB=2\n")
            << QStringList{QStringLiteral("thresholds")};
        QTest::newRow("thresholds beyond the command line's bounds")
            << QByteArray("[General]\nformat=1\n[thresholds]\ncpuWarnPct=10\ncpuCriticalPct=inf\n"
                          "memWarnMiB=-1\nmemCriticalMiB=2\n")
            << QStringList{QStringLiteral("thresholds")};
        QTest::newRow("oversized blob")
            << QByteArray("[General]\nformat=1\n[window]\ngeometry=@ByteArray(" +
                          QByteArray(100'000, 'x') + ")\n")
            << QStringList{QStringLiteral("window/geometry")};
    }

    void corruptValuesAreIgnored()
    {
        QFETCH(QByteArray, file);
        QFETCH(QStringList, ignored);
        m_store.reset();
        const QString path = m_dir.filePath(QStringLiteral("console.conf"));
        if (!file.isEmpty()) {
            QFile out(path);
            QVERIFY(out.open(QIODevice::WriteOnly));
            QCOMPARE(out.write(file), file.size());
        }
        QSettings store(path, QSettings::IniFormat);
        FakeClusterSource source, defaultSource;
        MainWindow window, untouched;
        const Picture defaults = pictureOf(untouched);
        QStringList answer = ConsoleSettings(store).restore(window);
        answer.sort();
        ignored.sort();
        QCOMPARE(answer, ignored);
        comparePictures(pictureOf(window), defaults);
        QVERIFY(!window.splittersByOperator());
        // Shown and fed, it lays out as a first start does.
        showDefault(window, source);
        showDefault(untouched, defaultSource);
        comparePictures(pictureOf(window), pictureOf(untouched));
        // The next save replaces what could not be read: the start after that is clean.
        QVERIFY(ConsoleSettings(store).save(window));
        QSettings rewritten(path, QSettings::IniFormat);
        MainWindow next;
        QCOMPARE(ConsoleSettings(rewritten).restore(next), QStringList());
    }
};

QTEST_MAIN(TestConsoleSettings)
#include "tst_consolesettings.moc"
