// starling-node: the MPI program. One job is one cluster: rank 0 master, rank 1 monitor,
// ranks 2.. slaves. Normally started by `starling up`; by hand:
//   mpiexec -n 6 build/bin/starling-node --run-dir DIR [--config FILE] [--profile FILE]
#include "cluster/noderole.h"
#include "cluster/statefile.h"
#include "mpienvironment.h"
#include "mpierror.h"
#include "roles/masterrole.h"
#include "roles/monitorrole.h"
#include "roles/nodeoptions.h"
#include "roles/slaverole.h"
#include "transport/mpitransport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>

#include <cstdio>
#include <memory>

using namespace starling;

namespace {

// Reads the options every rank needs. Every rank parses the same argv, so every rank reaches
// the same verdict; rank 0 alone prints it.
Expected<mpi::NodeOptions> readOptions(const QCommandLineParser &parser, const QString &host)
{
    mpi::NodeOptions options;
    options.hostName = host;
    if (parser.isSet(QStringLiteral("config"))) {
        auto config = cluster::ClusterConfig::load(parser.value(QStringLiteral("config")));
        if (!config)
            return Error{config.error()};
        options.config = std::move(config).value();
    }
    if (parser.isSet(QStringLiteral("export")))
        options.config.exportRoot = parser.value(QStringLiteral("export"));
    if (parser.isSet(QStringLiteral("profile"))) {
        options.profilePath = QFileInfo(parser.value(QStringLiteral("profile"))).absoluteFilePath();
        auto profile = cluster::HeterogeneityProfile::load(options.profilePath);
        if (!profile)
            return Error{profile.error()};
        options.profile = std::move(profile).value();
    }
    options.runDir = cluster::resolveRunDir(parser.value(QStringLiteral("run-dir")));
    if (!QDir().mkpath(options.runDir))
        return Error{QStringLiteral("cannot create run directory %1").arg(options.runDir)};
    return options;
}

template<typename Role> int runRole(QCoreApplication &app, mpi::MpiTransport &transport, Role &role)
{
    QObject::connect(&role, &Role::finished, &app, [&] {
        transport.stop();
        app.quit();
    });
    transport.start();
    const int code = app.exec();
    // Let the last messages (shutdown orders, final events) leave before MPI_Finalize.
    transport.flush(2000);
    return code;
}

} // namespace

int main(int argc, char **argv)
{
    try {
        mpi::MpiEnvironment mpi(argc, argv);
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("starling-node"));
        QCoreApplication::setApplicationVersion(QStringLiteral(STARLING_VERSION));

        QCommandLineParser parser;
        parser.setApplicationDescription(QStringLiteral(
            "Starling cluster node. Start under MPI: mpiexec -n 6 starling-node --run-dir DIR"));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addOption({QStringLiteral("run-dir"),
                          QStringLiteral("Run directory for the state file and operator state "
                                         "(default: $STARLING_RUN_DIR or ./.starling)."),
                          QStringLiteral("dir")});
        parser.addOption({QStringLiteral("config"), QStringLiteral("Cluster config (JSON)."),
                          QStringLiteral("file")});
        parser.addOption({QStringLiteral("profile"),
                          QStringLiteral("Heterogeneity profile (JSON)."), QStringLiteral("file")});
        parser.addOption({QStringLiteral("export"),
                          QStringLiteral("Export root (overrides the config)."),
                          QStringLiteral("dir")});
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
            // Every rank got here, so the job ends cleanly (MpiEnvironment finalizes) instead
            // of by MPI_Abort, which could kill the launcher before it forwarded the message.
            return 2;
        }
        const auto options = readOptions(parser, mpi.processorName());
        if (!options) {
            if (mpi.rank() == 0)
                std::fprintf(stderr, "starling-node: %s\n", qPrintable(options.error()));
            mpi.abortFromRankZero(2);
        }

        const cluster::NodeRole role = cluster::roleForRank(mpi.rank());
        std::printf("starling-node rank %d of %d on %s: %s\n", mpi.rank(), mpi.size(),
                    qPrintable(mpi.processorName()), qPrintable(cluster::toString(role)));
        std::fflush(stdout);

        mpi::MpiTransport transport;
        switch (role) {
        case cluster::NodeRole::Master: {
            mpi::MasterRole master(transport, *options);
            if (const auto started = master.start(); !started) {
                std::fprintf(stderr, "starling-node master: %s\n", qPrintable(started.error()));
                mpi.abort(1);
            }
            return runRole(app, transport, master);
        }
        case cluster::NodeRole::Monitor: {
            mpi::MonitorRole monitor(transport, *options);
            if (const auto started = monitor.start(); !started) {
                std::fprintf(stderr, "starling-node monitor: %s\n", qPrintable(started.error()));
                mpi.abort(1);
            }
            return runRole(app, transport, monitor);
        }
        case cluster::NodeRole::Slave: {
            mpi::SlaveRole slave(transport, *options);
            if (const auto started = slave.start(); !started) {
                std::fprintf(stderr, "starling-node slave %d: %s\n", mpi.rank(),
                             qPrintable(started.error()));
                mpi.abort(1);
            }
            return runRole(app, transport, slave);
        }
        }
        return 0;
    } catch (const mpi::MpiError &error) {
        std::fprintf(stderr, "starling-node: %s\n", error.what());
        return 1;
    }
}
