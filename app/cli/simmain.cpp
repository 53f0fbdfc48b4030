// starling-sim: `starling sim`, which `starling` execs (it needs Qt Charts for --plot).
#include "simcommand.h"
#include "subcommand.h"

#include <QApplication>
#include <QCoreApplication>

#include <cstdio>
#include <cstring>
#include <memory>

namespace {

// The offscreen platform that renders charts for --plot warns about window features it lacks;
// those lines would only confuse a terminal user.
void quietOffscreenNoise(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    if (type == QtWarningMsg && (text.contains(QLatin1String("propagateSizeHints")) ||
                                 text.contains(QLatin1String("XDG_RUNTIME_DIR"))))
        return;
    std::fprintf(stderr, "%s\n", qPrintable(qFormatLogMessage(type, context, text)));
}

bool wantsPlot(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--plot") == 0 || std::strncmp(argv[i], "--plot=", 7) == 0)
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char **argv)
{
    // Charts need a QApplication; it renders them offscreen so it works without a display.
    starling::cli::QtArguments qt("sim");
    std::unique_ptr<QCoreApplication> app;
    if (wantsPlot(argc, argv)) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        qInstallMessageHandler(quietOffscreenNoise);
        app = std::make_unique<QApplication>(qt.argc(), qt.argv());
    } else {
        app = std::make_unique<QCoreApplication>(qt.argc(), qt.argv());
    }
    QCoreApplication::setApplicationName(QStringLiteral("starling"));
    QCoreApplication::setApplicationVersion(QStringLiteral(STARLING_VERSION));
    return starling::cli::runSimCommand(
        starling::cli::commandArguments(argc, argv, QStringLiteral("sim")));
}
