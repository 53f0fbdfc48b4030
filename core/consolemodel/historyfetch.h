#pragma once

#include "bridge/historypage.h"
#include "cluster/historysample.h"

#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QString>

#include <functional>
#include <map>
#include <vector>

namespace starling::consolemodel {

// Fetches the monitor's history of every slave (bridge op `history_page`), page by page, a few
// requests in flight so the monitor's queue for this client stays small. Answers come back
// through take(); the whole hour is delivered at once by finished(), so the charts are redrawn
// once. A monitor without the op (`unknown_op`) ends the fetch with one line in failed(); a
// node whose page is refused or malformed is left out and named in failed(), the rest still
// arrive.
class HistoryFetch final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryFetch)

public:
    // Sends a command ("op" and its fields), returns its id.
    using Send = std::function<QString(const QJsonObject &command)>;
    static constexpr int kInFlight = bridge::HistoryRequest::kMaxInFlight;
    // Bounds a server that never says done. The monitor cuts pages to fit a client's buffer:
    // 20000 points (history_points' maximum) at the smallest buffer (53 a page) are 378 pages.
    static constexpr int kMaxPagesPerNode = 1024;

    explicit HistoryFetch(Send send, QObject *parent = nullptr);
    ~HistoryFetch() override;

    // Starts over for these slaves (rank, name); a fetch under way is abandoned.
    void start(const std::vector<std::pair<int, QString>> &slaves);
    void cancel();
    bool isRunning() const { return !m_pending.empty(); }
    // True when `id` was one of this fetch's requests (then nobody else needs the answer).
    bool take(const QString &id, bool ok, const QJsonObject &result, const QString &code,
              const QString &message);

signals:
    void finished(const std::vector<starling::cluster::NodeHistorySamples> &history);
    void failed(const QString &message);

private:
    struct Node
    {
        cluster::NodeHistorySamples history;
        int pages = 0;
    };
    void request(size_t index);
    void fillPipeline();
    void accept(size_t index, const QJsonObject &result);
    void finishIfDone();

    Send m_send;
    std::vector<Node> m_nodes;
    size_t m_next = 0;
    std::map<QString, size_t> m_pending; // command id -> node
    QSet<QString> m_abandoned;           // ids of a cancelled fetch, answered later
    QStringList m_problems;
};

} // namespace starling::consolemodel
