#pragma once

#include "cluster/clusterconfig.h"
#include "mpi_backend/transport/transport.h"
#include "transfer/relaybudget.h"
#include "transfer/relaywindow.h"
#include "transfer/streampipe.h"

#include <QObject>
#include <QTimer>

#include <atomic>
#include <map>
#include <memory>
#include <vector>

namespace starling::mpi {

// The master's relay for plain one-connection clients (curl, a browser): the bytes of a
// requested range are read by the slaves in chunks over MPI, put back in file order by a
// RelayWindow and streamed into the client's HTTP connection through a StreamPipe. A chunk a
// slave does not answer in time, or that a lost slave held, is asked from another slave; a
// late answer is dropped by its attempt number. Lives on the master's MPI thread; open() may
// be called from any thread (the HTTP server's).
class RelayService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RelayService)

public:
    struct Settings
    {
        qint64 chunkBytes = 256 * 1024; // small chunks, many in flight: see mpi_backend/README
        int window = 64;                // chunks between "asked" and "in the pipe"
        qint64 pipeBytes = 4 << 20;     // buffered for the HTTP connection
        int chunkTimeoutMs = 3000;      // an unanswered chunk goes to another slave after this
        // Bytes all relays may hold at once; a relay reserves its worst case (window, pipe and
        // one chunk, or less for a short range) and waits at most busyWaitMs for room.
        qint64 budgetBytes = qint64(256) << 20;
        int busyWaitMs = 2000;
        // For the master's HTTP server, which carries the relays: connections per client
        // address, and the minimum rate a relayed body must be read at (0: none).
        unsigned connectionsPerAddress = 32;
        qint64 minRateBytesPerS = 16384;
        int minRateWindowS = 30;

        static Settings fromConfig(const cluster::ClusterConfig &config);
    };

    RelayService(Transport &transport, Settings settings, QObject *parent = nullptr);
    ~RelayService() override;

    // Any thread. Starts relaying [offset, offset + length) of `path` (relative to the export
    // root, as it was when its ETag was `etag`) and returns the pipe the connection reads.
    // Dropping every reference to the returned handle cancels the relay.
    struct Handle
    {
        std::shared_ptr<transfer::StreamPipe> pipe;
        std::function<void()> onRelease;                     // cancels the relay
        std::shared_ptr<transfer::RelayBudget::Lease> lease; // shared with the relay itself
        ~Handle();
    };
    // Blocks up to busyWaitMs for budget; nullptr when none came (the caller answers 503) or
    // the service is stopping.
    std::shared_ptr<Handle> open(const QString &path, const QByteArray &etag, qint64 offset,
                                 qint64 length);
    const Settings &settings() const { return m_settings; }
    // Bytes the running relays have reserved (any thread).
    qint64 reservedBytes() const { return m_budget.reserved(); }

    // MPI thread. Slaves that may serve chunks, preferred first (the current load ranking).
    void setSources(std::vector<int> ranks);
    void sourceLost(int rank);
    void onChunkAnswer(int source, const QByteArray &payload);
    // Ends every relay with an error (cluster shutdown).
    void stop();

    int activeRelays() const { return int(m_relays.size()); }
    std::int64_t reassignments() const { return m_reassignments; }
    std::int64_t bytesRelayed() const { return m_bytesRelayed; }

private:
    struct Relay
    {
        QString path;
        QByteArray etag;
        transfer::RelayWindow window;
        std::shared_ptr<transfer::StreamPipe> pipe;
        std::shared_ptr<transfer::RelayBudget::Lease> lease;
    };

    qint64 worstCaseBytes(qint64 length) const;

    void start(qint64 id, Relay relay);
    void pump(qint64 id);
    void drop(qint64 id);
    void send(qint64 id, const Relay &relay, const std::vector<transfer::RelayWindow::Request> &);
    void onTick();
    std::int64_t nowMs() const;

    Transport &m_transport;
    Settings m_settings;
    transfer::RelayBudget m_budget;
    std::map<qint64, Relay> m_relays;
    std::vector<int> m_sources;
    std::vector<int> m_lost; // sources lost since the last tick
    std::atomic<qint64> m_nextId{1};
    QTimer m_tick;
    std::int64_t m_reassignments = 0;
    std::int64_t m_bytesRelayed = 0;
};

} // namespace starling::mpi
