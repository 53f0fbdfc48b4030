// The console's main window opens (offscreen) and says that no cluster is connected.
#include "windows/mainwindow.h"

#include <QLabel>
#include <QTest>

class TestMainWindow final : public QObject
{
    Q_OBJECT

private slots:
    void opensAndShowsConnectionState()
    {
        starling::ui::MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.windowTitle().contains(QStringLiteral("Starling")));
        const auto *state = window.findChild<QLabel *>(QStringLiteral("connectionState"));
        QVERIFY(state);
        QVERIFY(state->isVisible());
        QCOMPARE(state->text(), QStringLiteral("No cluster connected"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
