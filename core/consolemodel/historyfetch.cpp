#include "historyfetch.h"

#include "bridge/historypage.h"

namespace starling::consolemodel {

HistoryFetch::HistoryFetch(Send send, QObject *parent) : QObject(parent), m_send(std::move(send)) {}

HistoryFetch::~HistoryFetch() = default;

void HistoryFetch::start(const std::vector<std::pair<int, QString>> &slaves)
{
    cancel();
    m_problems.clear();
    m_nodes.clear();
    m_next = 0;
    for (const auto &[rank, name] : slaves)
        m_nodes.push_back({{rank, name, {}}, 0});
    fillPipeline();
    finishIfDone();
}

void HistoryFetch::cancel()
{
    for (const auto &[id, index] : m_pending)
        m_abandoned.insert(id);
    m_pending.clear();
    m_nodes.clear();
    m_next = 0;
}

void HistoryFetch::request(size_t index)
{
    bridge::HistoryRequest r;
    r.node = m_nodes[index].history.name;
    const auto &samples = m_nodes[index].history.samples;
    r.afterMs = samples.empty() ? 0 : samples.back().timeMs;
    ++m_nodes[index].pages;
    m_pending[m_send(r.toCommand())] = index;
}

void HistoryFetch::fillPipeline()
{
    while (m_pending.size() < size_t(kInFlight) && m_next < m_nodes.size())
        request(m_next++);
}

bool HistoryFetch::take(const QString &id, bool ok, const QJsonObject &result, const QString &code,
                        const QString &message)
{
    if (m_abandoned.remove(id))
        return true;
    const auto it = m_pending.find(id);
    if (it == m_pending.end())
        return false;
    const size_t index = it->second;
    m_pending.erase(it);
    if (!ok && code == QLatin1String("unknown_op")) {
        cancel();
        emit failed(tr("this monitor keeps no history for the console (an older version): the "
                       "charts start now"));
        return true;
    }
    if (!ok)
        m_problems.append(
            tr("history of %1 refused: %2").arg(m_nodes[index].history.name, message));
    else
        accept(index, result);
    fillPipeline();
    finishIfDone();
    return true;
}

void HistoryFetch::accept(size_t index, const QJsonObject &result)
{
    Node &node = m_nodes[index];
    auto page = bridge::HistoryPage::fromJson(result);
    if (page && page->node != node.history.name)
        page = Error{tr("history of %1 answered for %2").arg(node.history.name, page->node)};
    if (!page) {
        m_problems.append(page.error());
        node.history.samples.clear();
        return;
    }
    // Pages continue one another; an overlap would be the server's bug, and prefill rejects it.
    node.history.samples.insert(node.history.samples.end(), page->samples.begin(),
                                page->samples.end());
    if (page->more && !page->samples.empty()) {
        if (node.pages < kMaxPagesPerNode)
            request(index);
        else
            m_problems.append(
                tr("history of %1 cut at %2 pages").arg(node.history.name).arg(kMaxPagesPerNode));
    }
}

void HistoryFetch::finishIfDone()
{
    if (!m_pending.empty() || m_next < m_nodes.size() || m_nodes.empty())
        return;
    std::vector<cluster::NodeHistorySamples> history;
    history.reserve(m_nodes.size());
    for (Node &node : m_nodes) {
        if (!node.history.samples.empty())
            history.push_back(std::move(node.history));
    }
    m_nodes.clear();
    m_next = 0;
    const QStringList problems = m_problems;
    m_problems.clear();
    emit finished(history);
    if (!problems.isEmpty())
        emit failed(problems.size() == 1
                        ? problems.front()
                        : tr("%1 (and %2 more)").arg(problems.front()).arg(problems.size() - 1));
}

} // namespace starling::consolemodel
