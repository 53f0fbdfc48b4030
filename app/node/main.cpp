// starling-node: the MPI program. One job is one cluster: rank 0 master, rank 1 monitor,
// ranks 2.. slaves. Normally started by `starling up`; by hand:
//   mpiexec -n 6 build/bin/starling-node --run-dir DIR [--config FILE] [--profile FILE]
#include "cluster/endpointaddress.h"
#include "cluster/noderole.h"
#include "cluster/statefile.h"
#include "cluster/statereport.h"
#include "mpi_backend/mpienvironment.h"
#include "mpi_backend/mpierror.h"
#include "mpi_backend/roles/masterrole.h"
#include "mpi_backend/roles/monitorrole.h"
#include "mpi_backend/roles/nodeoptions.h"
#include "mpi_backend/roles/slaverole.h"
#include "mpi_backend/transport/mpitransport.h"
#include "tls/tlsidentity.h"
#include "util/openfilelimit.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QHostAddress>
#include <QHostInfo>

#include <cstdio>
#include <memory>
#include <optional>
#include <unistd.h>

using namespace starling;

namespace {

// Reads the options every rank needs. Every rank parses the same argv, so every rank reaches
// the same verdict; rank 0 alone prints it.
// The address of the host Hydra started this rank for: the entry itself when it is an
// address, else the first address its name resolves to. Empty when unknown.
QString addressOfHost(const QString &host)
{
    if (host.isEmpty() || !QHostAddress(host).isNull())
        return host;
    const QHostInfo info = QHostInfo::fromName(host);
    return info.addresses().isEmpty() ? QString() : info.addresses().constFirst().toString();
}

// This rank's host as `starling up` placed it (--rank-hosts, one entry per rank), else as Hydra
// says (not set when mpiexec ran with -iface), else unknown.
QString rankHostOf(const QCommandLineParser &parser, int rank)
{
    const QStringList hosts = parser.value(QStringLiteral("rank-hosts")).split(u',');
    if (parser.isSet(QStringLiteral("rank-hosts")) && rank < hosts.size())
        return hosts.at(rank).left(253);
    return cluster::hydraRankHost();
}

// The cluster token `starling up` hands every rank: the master API and the data servers check
// it, and block tags are signed with a key derived from it. Without it a rank would serve jobs
// to anyone, so it does not start.
Expected<QByteArray> readClusterToken()
{
    const QByteArray token = qgetenv(cluster::StateReport::kTokenVariable);
    bool wellFormed = token.size() == 64;
    for (const char c : token)
        wellFormed = wellFormed && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (!wellFormed)
        return Error{QStringLiteral("%1 must hold the cluster token (64 lower-case hex "
                                    "characters); start the cluster with `starling up`, which "
                                    "makes one")
                         .arg(QLatin1String(cluster::StateReport::kTokenVariable))};
    return token;
}

Expected<mpi::NodeOptions> readOptions(const QCommandLineParser &parser, const QString &host,
                                       int rank)
{
    mpi::NodeOptions options;
    // A lab or multi-host rank is known by its host entry; on one machine the loopback
    // entries that only give each rank its own proxy would say nothing, so the name stays.
    const QString rankHost = rankHostOf(parser, rank);
    options.hostName =
        rankHost.isEmpty() || rankHost.startsWith(QLatin1String("127.")) ? host : rankHost;
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
    if (parser.isSet(QStringLiteral("bind-host")))
        options.config.bindHost = parser.value(QStringLiteral("bind-host"));
    options.emulate = !parser.isSet(QStringLiteral("no-emulation"));
    if (options.config.tlsEnabled()) {
        const auto identity = tls::TlsIdentity::load(options.config.tlsCert, options.config.tlsKey);
        if (!identity)
            return Error{identity.error()};
        options.tls = {identity->certificatePem, identity->privateKeyPem};
    }
    auto endpoint = cluster::resolveEndpoint(options.config, cluster::roleForRank(rank), rankHost,
                                             addressOfHost(rankHost));
    if (!endpoint)
        return Error{endpoint.error()};
    options.endpoint = *endpoint;
    options.link = cluster::HostLink::forAddress(endpoint->advertise);
    options.runDir = cluster::resolveRunDir(parser.value(QStringLiteral("run-dir")));
    if (const auto runDir = cluster::ensureRunDirectory(options.runDir); !runDir)
        return Error{runDir.error()};
    auto token = readClusterToken();
    if (!token)
        return Error{token.error()};
    options.clusterToken = *token;
    return options;
}

void describeNodeOptions(QCommandLineParser &parser)
{
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
    parser.addOption({QStringLiteral("profile"), QStringLiteral("Heterogeneity profile (JSON)."),
                      QStringLiteral("file")});
    parser.addOption({QStringLiteral("export"),
                      QStringLiteral("Export root (overrides the config)."),
                      QStringLiteral("dir")});
    parser.addOption({QStringLiteral("bind-host"),
                      QStringLiteral("Address the master API and data servers bind (an IP, "
                                     "or \"host\" for this rank's host; overrides the "
                                     "config)."),
                      QStringLiteral("address")});
    parser.addOption({QStringLiteral("rank-hosts"),
                      QStringLiteral("Every rank's host, comma-separated in rank order (starling "
                                     "up passes it): where \"host\" addresses come from."),
                      QStringLiteral("list")});
    parser.addOption({QStringLiteral("no-emulation"),
                      QStringLiteral("Do not emulate the profile's links and CPU factors "
                                     "(something else shapes them, as in starling lab).")});
}

// The exit code when the command line ends the job before any role starts: a parse error
// (exit code 2 on every rank), --help or --version, or too few ranks.
std::optional<int> endsBeforeStart(QCommandLineParser &parser, const mpi::MpiEnvironment &mpi,
                                   const QStringList &arguments)
{
    if (!parser.parse(arguments)) {
        if (mpi.rank() == 0)
            std::fprintf(stderr, "starling-node: %s\n", qPrintable(parser.errorText()));
        // Every rank has the same command line, so every rank ends here: the job ends cleanly
        // (an MPI_Abort could kill the launcher before it forwarded the line; tst_nodelaunch
        // lost it once in ~30 runs).
        return 2;
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
    return std::nullopt;
}

template<typename Role> int runRole(QCoreApplication &app, mpi::MpiTransport &transport, Role &role)
{
    QObject::connect(&role, &Role::finished, &app, [&] {
        transport.stop();
        app.quit();
    });
    transport.start();
    const int code = app.exec();
    // Let the last messages (shutdown orders, final events) leave, then go without
    // MPI_Finalize: it waits at a barrier for every rank, so a dead or hung one would hold the
    // rest for ever, and with UCX over TCP (what `starling up` uses) this MPICH hangs in it even
    // when all are alive (measured). Hydra, run with -disable-auto-cleanup, takes an exit
    // without it as a normal end. The roles have already stopped their servers and saved
    // their state.
    transport.flush(2000);
    std::fflush(nullptr);
    ::_exit(code);
}

// Starts the role (a failure is one line and MPI_Abort(1)) and runs it until it finishes.
template<typename Role>
int startAndRun(QCoreApplication &app, const mpi::MpiEnvironment &mpi, mpi::MpiTransport &transport,
                Role &role, const QString &who)
{
    if (const auto started = role.start(); !started) {
        std::fprintf(stderr, "starling-node %s: %s\n", qPrintable(who),
                     qPrintable(started.error()));
        mpi.abort(1);
    }
    return runRole(app, transport, role);
}

int runRank(QCoreApplication &app, const mpi::MpiEnvironment &mpi, const mpi::NodeOptions &options)
{
    const cluster::NodeRole role = cluster::roleForRank(mpi.rank());
    std::printf("starling-node rank %d of %d on %s: %s\n", mpi.rank(), mpi.size(),
                qPrintable(mpi.processorName()), qPrintable(cluster::toString(role)));
    std::fflush(stdout);

    mpi::MpiTransport transport;
    switch (role) {
    case cluster::NodeRole::Master: {
        mpi::MasterRole master(transport, options);
        return startAndRun(app, mpi, transport, master, QStringLiteral("master"));
    }
    case cluster::NodeRole::Monitor: {
        mpi::MonitorRole monitor(transport, options);
        return startAndRun(app, mpi, transport, monitor, QStringLiteral("monitor"));
    }
    case cluster::NodeRole::Slave: {
        mpi::SlaveRole slave(transport, options);
        return startAndRun(app, mpi, transport, slave, QStringLiteral("slave %1").arg(mpi.rank()));
    }
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    // Before anything opens sockets: the bridge and the HTTP servers hold one descriptor per
    // client, and a distribution's soft default (1024) would make accept() fail long before
    // the hard limit. Not fatal: the servers resume accepting once descriptors free up.
    if (const auto limit = util::raiseOpenFileLimit(); !limit)
        std::fprintf(stderr, "starling-node: %s\n", qPrintable(limit.error()));
    try {
        mpi::MpiEnvironment mpi(argc, argv);
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("starling-node"));
        QCoreApplication::setApplicationVersion(QStringLiteral(STARLING_VERSION));

        QCommandLineParser parser;
        describeNodeOptions(parser);
        if (const auto exit = endsBeforeStart(parser, mpi, app.arguments()))
            return *exit;
        const auto options = readOptions(parser, mpi.processorName(), mpi.rank());
        if (!options) {
            if (mpi.rank() == 0)
                std::fprintf(stderr, "starling-node: %s\n", qPrintable(options.error()));
            mpi.abortFromRankZero(2);
        }
        return runRank(app, mpi, *options);
    } catch (const mpi::MpiError &error) {
        std::fprintf(stderr, "starling-node: %s\n", error.what());
        return 1;
    }
}
