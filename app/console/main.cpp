// starling-console: the operator GUI.
#include "windows/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("starling-console"));
    QApplication::setApplicationVersion(QStringLiteral(STARLING_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Starling operator console"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);

    starling::ui::MainWindow window;
    window.show();
    return app.exec();
}
