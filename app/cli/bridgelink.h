#pragma once

#include "bridge/bridgeclient.h"
#include "cluster/statefile.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QString>
#include <QUrl>

#include <memory>
#include <optional>

namespace starling::cli {

// A command-line tool's view of the bridge: connect, ask, wait for the answer, with timeouts.
// It runs a local event loop while it waits, so it needs only a QCoreApplication.
class BridgeLink
{
public:
    struct Reply
    {
        bool ok = false;
        QJsonObject result;
        QString code;
        QString message;
    };

    explicit BridgeLink(cluster::ClusterStateFile state);
    // Finds the cluster of --run-dir / STARLING_RUN_DIR / ./.starling and connects to it.
    static Expected<std::unique_ptr<BridgeLink>> open(const QString &runDirFlag);

    Expected<bool> connect(int timeoutMs = 5000);
    Expected<Reply> command(const QJsonObject &command, int timeoutMs = 10000);
    Expected<QJsonObject> nextSnapshot(int timeoutMs = 5000);
    bridge::BridgeClient &client() { return m_client; }
    const cluster::ClusterStateFile &state() const { return m_state; }

    // "<user>-cli", restricted to the characters a hello's client name allows.
    static QString clientName();

private:
    cluster::ClusterStateFile m_state;
    bridge::BridgeClient m_client;
    // The bridge sends the latest snapshot right after the welcome, possibly while we still
    // wait for the welcome: keep it rather than wait a whole period for the next.
    std::optional<QJsonObject> m_unreadSnapshot;
};

// The state file of the cluster in --run-dir / STARLING_RUN_DIR / ./.starling, or the one-line
// reason there is none.
Expected<cluster::ClusterStateFile> findCluster(const QString &runDirFlag);

// What to trust when talking to `master` (TLS slice): the `tls` of the state file in the run
// directory when that file names this master (same scheme, host and port), else nothing.
util::TlsTrust trustForMaster(const QUrl &master, const QString &runDirFlag);

} // namespace starling::cli
