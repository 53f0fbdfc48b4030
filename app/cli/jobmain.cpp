// starling-job: `starling job`, which `starling` execs (it needs the image codecs and OpenCV).
#include "jobcommand.h"
#include "subcommand.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    starling::cli::QtArguments qt("job");
    QCoreApplication app(qt.argc(), qt.argv());
    QCoreApplication::setApplicationName(QStringLiteral("starling"));
    QCoreApplication::setApplicationVersion(QStringLiteral(STARLING_VERSION));
    return starling::cli::runJobCommand(
        starling::cli::commandArguments(argc, argv, QStringLiteral("job")));
}
