#include "localcluster.h"

#include "cluster/statefile.h"
#include "util/oneline.h"

#include <QDir>

namespace starling::consolemodel {

LocalCluster::LocalCluster(Options options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
    connect(&m_up, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        const QString err = QString::fromLocal8Bit(m_up.readAllStandardError()).trimmed();
        if (status == QProcess::NormalExit && code == 0) {
            m_running = true;
            emit started();
            return;
        }
        emit failed(QStringLiteral("starling up failed: %1")
                        .arg(err.isEmpty() ? QStringLiteral("exit code %1").arg(code)
                                           : util::oneLine(err.section(u'\n', -1), 300)));
    });
    connect(&m_up, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            emit failed(QStringLiteral("cannot run %1: %2").arg(m_options.cli, m_up.errorString()));
    });
}

LocalCluster::~LocalCluster()
{
    if (m_up.state() != QProcess::NotRunning) {
        // `up` is still starting the cluster: let it finish, so `down` finds what it started.
        m_up.waitForFinished(60000);
        m_running = m_up.exitStatus() == QProcess::NormalExit && m_up.exitCode() == 0;
    }
    stop();
}

QString LocalCluster::stateFilePath() const
{
    return cluster::stateFilePath(m_options.runDir);
}

void LocalCluster::start()
{
    if (m_running || m_up.state() != QProcess::NotRunning)
        return;
    // Owner-only before the export root inside it is made with the umask's mode (`up` would
    // refuse a group-writable one); a problem here is reported by `up`.
    cluster::ensureRunDirectory(m_options.runDir);
    QDir().mkpath(m_options.exportRoot);
    QStringList args{QStringLiteral("up"),        QStringLiteral("--detach"),
                     QStringLiteral("--slaves"),  QString::number(m_options.slaves),
                     QStringLiteral("--export"),  m_options.exportRoot,
                     QStringLiteral("--run-dir"), m_options.runDir};
    if (!m_options.profile.isEmpty())
        args << QStringLiteral("--profile") << m_options.profile;
    if (!m_options.config.isEmpty())
        args << QStringLiteral("--config") << m_options.config;
    m_up.start(m_options.cli, args);
}

bool LocalCluster::stop(int timeoutMs)
{
    if (!m_running)
        return true;
    QProcess down;
    down.start(m_options.cli,
               {QStringLiteral("down"), QStringLiteral("--run-dir"), m_options.runDir});
    const bool ok = down.waitForFinished(timeoutMs) && down.exitStatus() == QProcess::NormalExit &&
                    down.exitCode() == 0;
    m_running = !ok;
    return ok;
}

} // namespace starling::consolemodel
