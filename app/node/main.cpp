// starling-node: the MPI program. One job is one cluster: rank 0 master, rank 1 monitor,
// ranks 2.. slaves. For now each rank reports its role and leaves; the runtime issue adds the
// roles' loops.
#include "cluster/noderole.h"
#include "mpienvironment.h"
#include "mpierror.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

using namespace starling;

int main(int argc, char **argv)
{
    try {
        mpi::MpiEnvironment mpi(argc, argv);
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("starling-node"));
        QCoreApplication::setApplicationVersion(QStringLiteral(STARLING_VERSION));

        QCommandLineParser parser;
        parser.setApplicationDescription(
            QStringLiteral("Starling cluster node. Start under MPI: mpiexec -n 6 starling-node"));
        parser.addHelpOption();
        parser.addVersionOption();
        if (!parser.parse(app.arguments())) {
            if (mpi.rank() == 0)
                std::fprintf(stderr, "starling-node: %s\n", qPrintable(parser.errorText()));
            mpi.abortFromRankZero(2);
        }
        if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("version"))) {
            if (mpi.rank() == 0)
                std::printf("%s", qPrintable(parser.isSet(QStringLiteral("help"))
                                                 ? parser.helpText()
                                                 : QStringLiteral("starling-node %1\n")
                                                       .arg(QStringLiteral(STARLING_VERSION))));
            return 0;
        }
        if (mpi.size() < cluster::kMinimumRanks) {
            if (mpi.rank() == 0) {
                std::fprintf(stderr,
                             "starling-node: a cluster needs at least %d ranks (master, monitor, "
                             "one slave); got %d. Start with: mpiexec -n 6 starling-node\n",
                             cluster::kMinimumRanks, mpi.size());
            }
            mpi.abortFromRankZero(2);
        }
        const cluster::NodeRole role = cluster::roleForRank(mpi.rank());
        std::printf("starling-node rank %d of %d on %s: %s\n", mpi.rank(), mpi.size(),
                    qPrintable(mpi.processorName()), qPrintable(cluster::toString(role)));
        std::fflush(stdout);
        return 0;
    } catch (const mpi::MpiError &error) {
        std::fprintf(stderr, "starling-node: %s\n", error.what());
        return 1;
    }
}
