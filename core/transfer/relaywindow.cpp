#include "relaywindow.h"

#include <algorithm>

namespace starling::transfer {

RelayWindow::RelayWindow(qint64 offset, qint64 length, qint64 chunkSize, int window)
    : m_offset(offset), m_length(std::max<qint64>(0, length)),
      m_chunkSize(std::max<qint64>(1, chunkSize)), m_window(std::max(1, window)),
      m_chunkCount(m_length == 0 ? 0 : (m_length - 1) / m_chunkSize + 1)
{}

qint64 RelayWindow::chunkLength(std::int64_t seq) const
{
    return std::min(m_chunkSize, m_length - seq * m_chunkSize);
}

int RelayWindow::inWindow() const
{
    return int(m_nextAsk - m_nextOut);
}

RelayWindow::Request RelayWindow::makeRequest(std::int64_t seq, int attempt, int source,
                                              std::int64_t nowMs)
{
    m_asked[seq] = Asked{attempt, source, nowMs};
    return Request{seq, attempt, m_offset + seq * m_chunkSize, chunkLength(seq), source};
}

std::vector<RelayWindow::Request> RelayWindow::nextRequests(const std::vector<int> &sources,
                                                            std::int64_t nowMs)
{
    std::vector<Request> requests;
    if (sources.empty())
        return requests;
    // Each source holds at most its fair part of the window, so one slow slave cannot hold
    // the whole window while the others idle.
    const int perSource = std::max(1, (m_window + int(sources.size()) - 1) / int(sources.size()));
    std::map<int, int> held;
    for (const auto &[seq, asked] : m_asked)
        ++held[asked.source];
    while (m_nextAsk < m_chunkCount && inWindow() < m_window) {
        int chosen = -1;
        for (std::size_t i = 0; i < sources.size(); ++i) {
            const int candidate = sources[(m_roundRobin + i) % sources.size()];
            if (held[candidate] < perSource) {
                chosen = candidate;
                m_roundRobin = (m_roundRobin + i + 1) % sources.size();
                break;
            }
        }
        if (chosen < 0)
            break;
        ++held[chosen];
        requests.push_back(makeRequest(m_nextAsk++, 1, chosen, nowMs));
    }
    return requests;
}

bool RelayWindow::deliver(std::int64_t seq, int attempt, ByteSlice data)
{
    const auto it = m_asked.find(seq);
    if (it == m_asked.end() || it->second.attempt != attempt || data.size() != chunkLength(seq))
        return false;
    m_asked.erase(it);
    m_ready.emplace(seq, std::move(data));
    return true;
}

std::vector<RelayWindow::Request> RelayWindow::reassign(const std::vector<int> &sources,
                                                        std::int64_t nowMs, std::int64_t timeoutMs,
                                                        const std::vector<int> &lostSources)
{
    std::vector<Request> requests;
    std::vector<int> usable;
    for (const int source : sources) {
        if (std::find(lostSources.begin(), lostSources.end(), source) == lostSources.end())
            usable.push_back(source);
    }
    for (auto &[seq, asked] : m_asked) {
        const bool lost =
            std::find(lostSources.begin(), lostSources.end(), asked.source) != lostSources.end();
        if (!lost && nowMs - asked.sinceMs < timeoutMs)
            continue;
        // Prefer a source other than the one that failed to answer; with none, ask it again.
        int chosen = asked.source;
        for (std::size_t i = 0; i < usable.size(); ++i) {
            const int candidate = usable[(m_roundRobin + i) % usable.size()];
            if (candidate != asked.source) {
                chosen = candidate;
                m_roundRobin = (m_roundRobin + i + 1) % usable.size();
                break;
            }
        }
        if (lost && chosen == asked.source)
            continue; // nobody to ask now; the next call retries
        ++m_reassignments;
        const int attempt = asked.attempt + 1;
        requests.push_back(
            Request{seq, attempt, m_offset + seq * m_chunkSize, chunkLength(seq), chosen});
        asked = Asked{attempt, chosen, nowMs};
    }
    return requests;
}

std::vector<ByteSlice> RelayWindow::takeReady(qint64 maxBytes)
{
    std::vector<ByteSlice> out;
    qint64 taken = 0;
    for (auto it = m_ready.begin();
         it != m_ready.end() && it->first == m_nextOut && taken < maxBytes;
         it = m_ready.erase(it)) {
        taken += it->second.size();
        m_bytesOut += it->second.size();
        out.push_back(std::move(it->second));
        ++m_nextOut;
    }
    return out;
}

} // namespace starling::transfer
