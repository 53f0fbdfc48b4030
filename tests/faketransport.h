#pragma once

// A Transport without MPI for driving one role in a test: it records what the role sends,
// delivers what the test says another rank sent, and loses peers on request, as MpiTransport
// does when a send to a dead process fails.
#include "mpi_backend/transport/transport.h"

#include <QJsonDocument>

#include <set>
#include <vector>

namespace starling::testing {

class FakeTransport final : public mpi::Transport
{
public:
    struct Sent
    {
        int destination = 0;
        mpi::Tag tag = mpi::Tag::Hello;
        QByteArray payload;
        QJsonObject json() const { return QJsonDocument::fromJson(payload).object(); }
    };

    FakeTransport(int rank, int size) : m_rank(rank), m_size(size) {}

    int rank() const override { return m_rank; }
    int size() const override { return m_size; }
    using Transport::send;
    void send(int destination, mpi::Tag tag, const QByteArray &payload) override
    {
        if (!isLost(destination))
            m_sent.push_back({destination, tag, payload});
    }
    void stayEager(int) override {}
    void watchPeers(std::vector<int> ranks, int intervalMs) override
    {
        m_watched = std::move(ranks);
        m_probeMs = intervalMs;
    }
    bool isLost(int rank) const override { return m_lost.count(rank) > 0; }

    // What MpiTransport does when a send to `rank` fails.
    void lose(int rank)
    {
        m_lost.insert(rank);
        emit peerLost(rank, QStringLiteral("MPIDI_UCX_send: Endpoint timeout"));
    }
    void deliver(int source, mpi::Tag tag, const QJsonObject &payload)
    {
        emit received(source, tag, QJsonDocument(payload).toJson(QJsonDocument::Compact));
    }

    const std::vector<Sent> &sent() const { return m_sent; }
    std::vector<Sent> sentWith(mpi::Tag tag, int destination = -1) const
    {
        std::vector<Sent> out;
        for (const Sent &s : m_sent) {
            if (s.tag == tag && (destination < 0 || s.destination == destination))
                out.push_back(s);
        }
        return out;
    }
    // Events the role sent to the monitor, of one kind.
    std::vector<QJsonObject> events(const QString &kind) const
    {
        std::vector<QJsonObject> out;
        for (const Sent &s : sentWith(mpi::Tag::Event)) {
            if (s.json().value(QLatin1String("kind")).toString() == kind)
                out.push_back(s.json());
        }
        return out;
    }
    void clearSent() { m_sent.clear(); }
    const std::vector<int> &watched() const { return m_watched; }
    int probeMs() const { return m_probeMs; }

private:
    int m_rank;
    int m_size;
    std::vector<Sent> m_sent;
    std::set<int> m_lost;
    std::vector<int> m_watched;
    int m_probeMs = 0;
};

} // namespace starling::testing
