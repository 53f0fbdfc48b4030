#include "benchcluster.h"

#include "cluster/clustersnapshot.h"
#include "client/planrequest.h"

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QProcess>
#include <QThread>

#include <utility>

namespace starling::bench {

BenchCluster::BenchCluster(QString cli, QString runDir)
    : m_cli(std::move(cli)), m_runDir(std::move(runDir))
{}

BenchCluster::~BenchCluster()
{
    down();
}

Expected<bool> BenchCluster::up(int slaves, const QString &profile, const QString &exportDir,
                                const QString &config, const QStringList &extraArguments)
{
    QStringList arguments{QStringLiteral("up"),        QStringLiteral("--detach"),
                          QStringLiteral("--slaves"),  QString::number(slaves),
                          QStringLiteral("--export"),  exportDir,
                          QStringLiteral("--config"),  config,
                          QStringLiteral("--run-dir"), m_runDir};
    if (!profile.isEmpty())
        arguments << QStringLiteral("--profile") << profile;
    arguments << extraArguments;
    return start(slaves, arguments);
}

Expected<bool> BenchCluster::upLab(int slaves, const QString &profile, const QString &exportDir,
                                   const QString &config)
{
    m_lab = true;
    return start(slaves, {QStringLiteral("lab"), QStringLiteral("up"), QStringLiteral("--slaves"),
                          QString::number(slaves), QStringLiteral("--profile"), profile,
                          QStringLiteral("--config"), config, QStringLiteral("--export"), exportDir,
                          QStringLiteral("--run-dir"), m_runDir});
}

Expected<bool> BenchCluster::start(int slaves, const QStringList &arguments)
{
    QProcess up;
    up.start(m_cli, arguments);
    // `up` itself is bounded by the config's startup_timeout_s; this only guards against a hang.
    const bool finished = up.waitForFinished(120000);
    // Set before checking, so down() runs even when `up` failed half-way.
    m_running = true;
    if (!finished || up.exitStatus() != QProcess::NormalExit || up.exitCode() != 0) {
        if (!finished)
            up.kill();
        up.waitForFinished(5000);
        return Error{QStringLiteral("starling up (%1 slaves) failed: %2")
                         .arg(slaves)
                         .arg(QString::fromLocal8Bit(up.readAllStandardError()).trimmed())};
    }
    auto state = cluster::readStateFile(cluster::stateFilePath(m_runDir));
    if (!state)
        return Error{state.error()};
    m_state = std::move(state).value();
    return true;
}

Expected<bool> BenchCluster::restart()
{
    QProcess restart;
    restart.start(m_cli, {QStringLiteral("restart"), QStringLiteral("--run-dir"), m_runDir});
    const bool finished = restart.waitForFinished(180000);
    m_running = true;
    if (!finished || restart.exitStatus() != QProcess::NormalExit || restart.exitCode() != 0) {
        if (!finished)
            restart.kill();
        restart.waitForFinished(5000);
        return Error{QStringLiteral("starling restart failed: %1")
                         .arg(QString::fromLocal8Bit(restart.readAllStandardError()).trimmed())};
    }
    auto state = cluster::readStateFile(cluster::stateFilePath(m_runDir));
    if (!state)
        return Error{state.error()};
    m_state = std::move(state).value();
    return true;
}

void BenchCluster::down()
{
    if (!m_running)
        return;
    m_running = false;
    QProcess down;
    QStringList arguments{QStringLiteral("down"), QStringLiteral("--run-dir"), m_runDir};
    if (m_lab)
        arguments.prepend(QStringLiteral("lab"));
    down.start(m_cli, arguments);
    if (!down.waitForFinished(60000))
        down.kill();
    down.waitForFinished(5000);
}

QUrl BenchCluster::masterUrl() const
{
    QString url = m_state.masterUrl;
    if (!url.endsWith(QLatin1Char('/')))
        url += QLatin1Char('/');
    return QUrl(url);
}

qint64 BenchCluster::slavePid(int slaveIndex) const
{
    const size_t rank = size_t(2 + slaveIndex);
    return rank < m_state.nodePids.size() ? m_state.nodePids[rank] : 0;
}

Expected<bool> BenchCluster::warmUp(const QString &relativePath) const
{
    const auto plan = client::requestPlan(masterUrl(), relativePath, {}, 120000);
    if (!plan)
        return Error{QStringLiteral("plan for %1: %2").arg(relativePath, plan.error())};
    return true;
}

bool BenchCluster::waitAllSlavesActive(int timeoutMs) const
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        QProcess status;
        status.start(m_cli, {QStringLiteral("status"), QStringLiteral("--json"),
                             QStringLiteral("--run-dir"), m_runDir});
        if (status.waitForFinished(20000) && status.exitCode() == 0) {
            const auto snapshot = cluster::ClusterSnapshot::fromJson(
                QJsonDocument::fromJson(status.readAllStandardOutput()).object());
            int slaves = 0, active = 0;
            for (const cluster::NodeView &node : snapshot.nodes) {
                if (node.role != cluster::NodeRole::Slave)
                    continue;
                ++slaves;
                active += node.state == cluster::NodeState::Active ? 1 : 0;
            }
            if (slaves == m_state.slaves && active == slaves)
                return true;
        } else {
            status.kill();
            status.waitForFinished(5000);
        }
        QThread::msleep(250); // the next snapshot is 500 ms away at the default rate
    }
    return false;
}

} // namespace starling::bench
