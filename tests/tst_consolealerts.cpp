// Alerts and keyboard in the console (issue 17): fed by a scripted cluster through the main
// window, each alert (SUSPECT, DOWN, a stuck drain, a failed job, a dropped link) shows in the
// banner with its reason, the Events tab counts the unacknowledged ones, and acknowledging
// (one, or all) hides them. The drain, resume, weight, strategy, find, pause and tab shortcuts
// trigger their actions, are shown in the menus and are none of Qt's standard keys.
// STARLING_SCREENSHOT_DIR=dir saves the banner on a light and a dark palette to look at.
#include "charts/pngexport.h"
#include "fakeclustersource.h"
#include "renderchecks.h"
#include "windows/alertbanner.h"
#include "windows/desktopnotifier.h"
#include "windows/draindialog.h"
#include "windows/mainwindow.h"
#include "windows/strategydialog.h"
#include "windows/weightdialog.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMetaEnum>
#include <QPushButton>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTest>

using namespace starling;
using starling::testing::FakeClusterSource;
using starling::testing::fakeSnapshot;

namespace {

constexpr int kSlaves = 4;
constexpr qint64 kT0 = 1700000000000;

cluster::ClusterSnapshot snapshotAt(qint64 seq)
{
    return fakeSnapshot(kSlaves, seq, kT0 + 500 * seq);
}

QString eventsTabText(const ui::MainWindow &window)
{
    for (int i = 0; i < window.tabs()->count(); ++i) {
        if (window.tabs()->tabText(i).startsWith(QLatin1String("Events")))
            return window.tabs()->tabText(i);
    }
    return {};
}

QList<QFrame *> visibleRows(const ui::AlertBanner *banner)
{
    QList<QFrame *> rows;
    for (QFrame *row : banner->findChildren<QFrame *>(QStringLiteral("alertRow"))) {
        if (row->isVisibleTo(const_cast<ui::AlertBanner *>(banner)))
            rows << row;
    }
    return rows;
}

template<typename Dialog> Dialog *openedDialog(QWidget *parent)
{
    Dialog *dialog = nullptr;
    const bool open = QTest::qWaitFor([&] {
        dialog = parent->findChild<Dialog *>();
        return dialog && dialog->isVisible();
    });
    return open ? dialog : nullptr;
}

// A key as the operator presses it: into the window, made active again (a closed dialog
// leaves no active window on the offscreen platform).
bool press(QWidget *window, Qt::Key key, Qt::KeyboardModifiers modifiers)
{
    window->activateWindow();
    if (!QTest::qWaitForWindowActive(window))
        return false;
    QTest::keyClick(window, key, modifiers);
    return true;
}

// Every key sequence bound to a Qt standard key on this platform.
QList<QKeySequence> standardKeys()
{
    QList<QKeySequence> keys;
    const QMetaEnum e = QMetaEnum::fromType<QKeySequence::StandardKey>();
    for (int i = 0; i < e.keyCount(); ++i)
        keys << QKeySequence::keyBindings(QKeySequence::StandardKey(e.value(i)));
    return keys;
}

} // namespace

class TestConsoleAlerts final : public QObject
{
    Q_OBJECT

private slots:
    void eachAlertRaisedShownAndAcknowledged()
    {
        FakeClusterSource source;
        ui::MainWindow window;
        window.alerts().setDrainLimitMs(60 * 1000);
        window.setSource(&source);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *banner = window.findChild<ui::AlertBanner *>(QStringLiteral("alertBanner"));
        QVERIFY(banner);
        source.push(snapshotAt(1));
        QVERIFY(!banner->isVisible()); // a quiet cluster: no room taken
        QCOMPARE(eventsTabText(window), QStringLiteral("Events"));

        // A node turns SUSPECT: one row, with its reason, however many snapshots say so.
        for (qint64 seq = 2; seq < 6; ++seq) {
            cluster::ClusterSnapshot s = snapshotAt(seq);
            s.nodes[3].state = cluster::NodeState::Suspect;
            s.nodes[3].stateReason = QStringLiteral("no heartbeat for 3.0 s");
            source.push(s);
        }
        QTRY_VERIFY(banner->isVisible());
        QCOMPARE(visibleRows(banner).size(), 1);
        const auto *reason =
            visibleRows(banner)[0]->findChild<QLabel *>(QStringLiteral("alertReason"));
        QCOMPARE(reason->text(), QStringLiteral("slave-3 is SUSPECT: no heartbeat for 3.0 s"));
        QCOMPARE(eventsTabText(window), QStringLiteral("Events (1)"));
        auto *ack =
            visibleRows(banner)[0]->findChild<QPushButton *>(QStringLiteral("acknowledgeAlert"));
        QTest::mouseClick(ack, Qt::LeftButton);
        QTRY_VERIFY(!banner->isVisible());
        QCOMPARE(eventsTabText(window), QStringLiteral("Events"));
        QCOMPARE(window.alerts().openCount(), 0);

        // DOWN, a drain past its limit, a failed job and the link dropping: four more.
        cluster::ClusterSnapshot s = snapshotAt(10);
        s.nodes[3].state = cluster::NodeState::Down;
        s.nodes[3].stateReason = QStringLiteral("exited");
        s.nodes[4].state = cluster::NodeState::Draining;
        s.nodes[4].stateSinceMs = s.timeMs - 2 * 60 * 1000;
        s.nodes[4].assigned = 3;
        source.push(s);
        source.pushEvent({{QStringLiteral("kind"), QStringLiteral("job_failed")},
                          {QStringLiteral("job"), QStringLiteral("job-7")},
                          {QStringLiteral("error"), QStringLiteral("no slave left")},
                          {QStringLiteral("time_ms"), double(kT0 + 5000)}});
        source.setLink(consolemodel::LinkState::Disconnected,
                       QStringLiteral("the monitor closed the connection"));
        QCOMPARE(window.alerts().openCount(), 4);
        QTRY_VERIFY(banner->isVisible());
        QCOMPARE(eventsTabText(window), QStringLiteral("Events (4)"));
        QCOMPARE(visibleRows(banner).size(), ui::AlertBanner::kMaxRows);
        const auto *summary = banner->findChild<QLabel *>(QStringLiteral("alertSummary"));
        QVERIFY(summary && summary->isVisibleTo(banner));
        QVERIFY2(summary->text().startsWith(QLatin1String("4 alerts")),
                 qPrintable(summary->text()));
        QStringList reasons;
        for (QFrame *row : visibleRows(banner))
            reasons << row->findChild<QLabel *>(QStringLiteral("alertReason"))->text();
        // Newest first: the link, the job, then the drain (the DOWN row is past kMaxRows).
        QVERIFY2(reasons[0].startsWith(QLatin1String("link to the monitor lost")),
                 qPrintable(reasons[0]));
        QVERIFY2(reasons[1].contains(QLatin1String("job-7")), qPrintable(reasons[1]));
        QVERIFY2(reasons[1].contains(QLatin1String("no slave left")), qPrintable(reasons[1]));
        QVERIFY2(reasons[2].startsWith(QLatin1String("slave-4 still DRAINING after 2 m")),
                 qPrintable(reasons[2]));
        QVERIFY(std::any_of(window.alerts().alerts().begin(), window.alerts().alerts().end(),
                            [](const consolemodel::Alert &a) {
                                return a.reason == QLatin1String("slave-3 is DOWN: exited");
                            }));

        saveBanner(window, QStringLiteral("alert-banner"));

        auto *all = banner->findChild<QPushButton *>(QStringLiteral("acknowledgeAllAlerts"));
        QVERIFY(all);
        QTest::mouseClick(all, Qt::LeftButton);
        QTRY_VERIFY(!banner->isVisible());
        QCOMPARE(window.alerts().openCount(), 0);
        QCOMPARE(eventsTabText(window), QStringLiteral("Events"));
    }

    void aBurstOfAlertsIsOneDesktopNotificationWhenTheWindowIsNotActive()
    {
        FakeClusterSource source;
        ui::MainWindow window;
        window.setSource(&source);
        auto *notifier = window.findChild<ui::DesktopNotifier *>();
        QVERIFY(notifier);
        QCOMPARE(notifier->available(), QSystemTrayIcon::isSystemTrayAvailable());
        QSignalSpy told(notifier, &ui::DesktopNotifier::notified);
        QVERIFY(!window.isActiveWindow()); // never shown: the operator is elsewhere
        cluster::ClusterSnapshot s = snapshotAt(1);
        s.nodes[3].state = cluster::NodeState::Down;
        s.nodes[4].state = cluster::NodeState::Down;
        source.push(s);
        QVERIFY(told.wait(5000));
        QCOMPARE(told.size(), 1);
        QCOMPARE(told[0][0].toString(), QStringLiteral("Starling: 2 new alerts"));
        QCOMPARE(told[0][1].toString(),
                 QStringLiteral("slave-3 is DOWN\nslave-4 is DOWN")); // oldest first
        source.setLink(consolemodel::LinkState::Disconnected, QStringLiteral("gone"));
        QVERIFY(told.wait(5000));
        QCOMPARE(told[1][0].toString(), QStringLiteral("Starling: link dropped"));

        // Looking at the window: the banner is enough, nothing goes to the desktop.
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        source.start();
        source.setLink(consolemodel::LinkState::Disconnected, QStringLiteral("gone again"));
        QCOMPARE(window.alerts().openCount(), 4);
        // Another window takes the focus; the next alert alone goes out, so the one raised
        // while the console was active had not been queued.
        QWidget elsewhere;
        elsewhere.show();
        elsewhere.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&elsewhere));
        QVERIFY(!window.isActiveWindow());
        s = snapshotAt(2);
        s.nodes[5].state = cluster::NodeState::Down;
        source.push(s);
        QVERIFY(told.wait(5000));
        QCOMPARE(told.size(), 3);
        QCOMPARE(told[2][0].toString(), QStringLiteral("Starling: node down"));
        QCOMPARE(told[2][1].toString(), QStringLiteral("slave-5 is DOWN"));
    }

    void shortcutsTriggerTheirActions()
    {
        FakeClusterSource source;
        ui::MainWindow window;
        window.setSource(&source);
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        cluster::ClusterSnapshot s = snapshotAt(1);
        s.nodes[4].state = cluster::NodeState::Drained;
        source.push(s);

        window.selectNodes({QStringLiteral("slave-2")});
        QVERIFY(press(&window, Qt::Key_D, Qt::ControlModifier | Qt::ShiftModifier));
        auto *drain = openedDialog<ui::DrainDialog>(&window);
        QVERIFY(drain);
        QCOMPARE(drain->nodes(), QStringList{QStringLiteral("slave-2")});
        drain->reject();
        QTRY_VERIFY(!window.findChild<ui::DrainDialog *>());

        QVERIFY(press(&window, Qt::Key_W, Qt::ControlModifier | Qt::ShiftModifier));
        auto *weight = openedDialog<ui::WeightDialog>(&window);
        QVERIFY(weight);
        weight->reject();
        QTRY_VERIFY(!window.findChild<ui::WeightDialog *>());

        QVERIFY(press(&window, Qt::Key_T, Qt::ControlModifier | Qt::ShiftModifier));
        auto *strategy = openedDialog<ui::StrategyDialog>(&window);
        QVERIFY(strategy);
        strategy->reject();
        QTRY_VERIFY(!window.findChild<ui::StrategyDialog *>());

        window.selectNodes({QStringLiteral("slave-4")}); // DRAINED
        QVERIFY(press(&window, Qt::Key_R, Qt::ControlModifier | Qt::ShiftModifier));
        QCOMPARE(source.commands.size(), 1);
        QCOMPARE(source.commands[0].value(u"op").toString(), QStringLiteral("resume"));
        QCOMPARE(source.commands[0].value(u"node").toString(), QStringLiteral("slave-4"));

        window.tabs()->setCurrentIndex(0);
        const QKeyCombination find = QKeySequence(QKeySequence::Find)[0];
        QVERIFY(press(&window, find.key(), find.keyboardModifiers()));
        QTRY_VERIFY(eventsTabText(window) == window.tabs()->tabText(window.tabs()->currentIndex()));
        QTRY_VERIFY(qobject_cast<QLineEdit *>(QApplication::focusWidget()));

        QVERIFY(press(&window, Qt::Key_2, Qt::ControlModifier));
        QCOMPARE(window.tabs()->currentIndex(), 1);

        cluster::ClusterSnapshot down = snapshotAt(2);
        down.nodes[3].state = cluster::NodeState::Down;
        source.push(down);
        QCOMPARE(window.alerts().openCount(), 1);
        QVERIFY(press(&window, Qt::Key_K, Qt::ControlModifier | Qt::ShiftModifier));
        QCOMPARE(window.alerts().openCount(), 0);

        QVERIFY(!window.controls()->isPaused());
        QVERIFY(press(&window, Qt::Key_P, Qt::ControlModifier | Qt::ShiftModifier));
        QVERIFY(window.controls()->isPaused());
    }

    void aSourceThatTakesNoCommandsDisablesEveryClusterAction()
    {
        FakeClusterSource source;
        source.commandsAccepted = false; // a replay
        ui::MainWindow window;
        window.setSource(&source);
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        cluster::ClusterSnapshot s = snapshotAt(1);
        s.nodes[4].state = cluster::NodeState::Drained;
        source.push(s);
        window.selectNodes({QStringLiteral("slave-2"), QStringLiteral("slave-4")});
        QCOMPARE(window.selectedSlaves().size(), 2);
        for (QAction *action : {window.drainAction(), window.resumeAction(), window.weightAction(),
                                window.strategyAction()})
            QVERIFY2(!action->isEnabled(), qPrintable(action->text()));
        QVERIFY(press(&window, Qt::Key_R, Qt::ControlModifier | Qt::ShiftModifier));
        QVERIFY(press(&window, Qt::Key_D, Qt::ControlModifier | Qt::ShiftModifier));
        QVERIFY(!window.findChild<ui::DrainDialog *>());
        QVERIFY(source.commands.isEmpty());
        // The same window with a live source: enabled, so the check above could fail.
        FakeClusterSource live;
        window.setSource(&live);
        QCOMPARE(window.alerts().alerts().size(), size_t(0)); // a switch is not a dropped link
        live.push(s);
        window.selectNodes({QStringLiteral("slave-2"), QStringLiteral("slave-4")});
        QVERIFY(window.drainAction()->isEnabled());
        QVERIFY(window.resumeAction()->isEnabled());
    }

    void shortcutsShownInMenusAndNotStandardKeys()
    {
        ui::MainWindow window;
        QStringList titles;
        for (QAction *menu : window.menuBar()->actions())
            titles << menu->text().remove(u'&');
        QCOMPARE(titles, (QStringList{QStringLiteral("File"), QStringLiteral("Cluster"),
                                      QStringLiteral("View")}));
        QMenu *cluster = window.menuBar()->actions()[1]->menu();
        for (QAction *action : {window.drainAction(), window.resumeAction(), window.weightAction(),
                                window.strategyAction()}) {
            QVERIFY2(cluster->actions().contains(action), qPrintable(action->text()));
            QVERIFY2(!action->shortcut().isEmpty(), qPrintable(action->text()));
        }
        QVERIFY(window.controls()->viewMenu()->actions().contains(window.controls()->findAction()));
        QCOMPARE(window.controls()->findAction()->shortcut(), QKeySequence(QKeySequence::Find));
        // Ours are none of the platform's standard keys; those that are standard keys are
        // used for what they mean (Open: connect, Find, Save, Quit).
        const QList<QKeySequence> standard = standardKeys();
        QVERIFY(standard.contains(QKeySequence(Qt::CTRL | Qt::Key_C))); // the list is real
        QList<QKeySequence> seen;
        for (QAction *action : window.findChildren<QAction *>()) {
            const QKeySequence keys = action->shortcut();
            if (keys.isEmpty())
                continue;
            QVERIFY2(!seen.contains(keys), qPrintable(keys.toString())); // no two alike
            seen << keys;
            const bool meant = keys == QKeySequence(QKeySequence::Open) ||
                               keys == QKeySequence(QKeySequence::Find) ||
                               keys == QKeySequence(QKeySequence::Save) ||
                               keys == QKeySequence(QKeySequence::Quit);
            QVERIFY2(meant || !standard.contains(keys),
                     qPrintable(action->text() + u' ' + keys.toString()));
        }
        QVERIFY(seen.size() >= 10);
    }

private:
    // The banner (and the window, and its menus) on the window's palette and on a dark one, to
    // look at. grab(), not saveWidgetPng, which hides what it rendered.
    static void saveBanner(ui::MainWindow &window, const QString &name)
    {
        const QString dir = qEnvironmentVariable("STARLING_SCREENSHOT_DIR");
        if (dir.isEmpty())
            return;
        auto *banner = window.findChild<ui::AlertBanner *>(QStringLiteral("alertBanner"));
        QDir().mkpath(dir);
        const auto save = [&](QWidget *widget, const QString &file) {
            QVERIFY(widget->grab().save(dir + u'/' + file, "PNG"));
        };
        save(&window, name + u"-window.png");
        save(banner, name + u"-light.png");
        const QPalette light = window.palette();
        window.setPalette(starling::testing::darkPalette(light));
        QTRY_VERIFY(banner->isVisible() && banner->height() >= banner->sizeHint().height());
        save(banner, name + u"-dark.png");
        save(&window, name + u"-window-dark.png");
        window.setPalette(light);
        QTRY_VERIFY(banner->isVisible() && banner->height() >= banner->sizeHint().height());
        for (QAction *entry : window.menuBar()->actions()) {
            QMenu *menu = entry->menu();
            const QString file = dir + u"/menu-" + entry->text().remove(u'&') + u".png";
            QCOMPARE(ui::saveWidgetPng(menu, menu->sizeHint(), file), QString());
        }
    }
};

QTEST_MAIN(TestConsoleAlerts)
#include "tst_consolealerts.moc"
