#pragma once

// A raw, blocking-free TCP client for flood tests: connects from a chosen loopback address (all
// of 127/8 is loopback, so one machine can play many client hosts), sends a request, reads only
// when told to, and says whether the server has closed its end. RAII: the descriptor is closed
// with the object, also when a test fails midway.
#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

class FloodSocket
{
public:
    FloodSocket() = default;
    ~FloodSocket()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FloodSocket(const FloodSocket &) = delete;
    FloodSocket &operator=(const FloodSocket &) = delete;

    // Connects from `from` (port chosen by the kernel) to 127.0.0.1:port; false on failure.
    bool connectTo(quint16 port, const char *from = "127.0.0.1", const char *to = "127.0.0.1")
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0)
            return false;
        // A small receive buffer: a client that reads nothing stops the server's writes sooner.
        const int small = 16 * 1024;
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        ::inet_pton(AF_INET, from, &local.sin_addr);
        if (::bind(m_fd, reinterpret_cast<sockaddr *>(&local), sizeof local) != 0)
            return false;
        sockaddr_in remote{};
        remote.sin_family = AF_INET;
        remote.sin_port = htons(port);
        ::inet_pton(AF_INET, to, &remote.sin_addr);
        if (::connect(m_fd, reinterpret_cast<sockaddr *>(&remote), sizeof remote) != 0)
            return false;
        ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
        return true;
    }

    bool send(const QByteArray &bytes)
    {
        return ::send(m_fd, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL) ==
               ssize_t(bytes.size());
    }

    // Reads what has arrived, without waiting. False once the server has closed (EOF or reset).
    bool readAvailable()
    {
        char buffer[65536];
        for (;;) {
            const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                // Keeps the head (status and headers) and counts the rest: a flood test may
                // read a large body it does not need.
                const qsizetype keep =
                    qMin<qsizetype>(qsizetype(n), kKeptBytes - m_received.size());
                if (keep > 0)
                    m_received.append(buffer, keep);
                m_total += n;
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
                m_closed = true;
            return !m_closed;
        }
    }

    // Reads until the status line and headers are in (or the deadline); the status, 0 if none.
    int readStatus(int timeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        while (!m_received.contains("\r\n\r\n") && !m_closed && timer.elapsed() < timeoutMs) {
            pollIn(50);
            readAvailable();
        }
        const qsizetype space = m_received.indexOf(' ');
        return m_received.startsWith("HTTP/1.") && space > 0 ? m_received.mid(space + 1, 3).toInt()
                                                             : 0;
    }

    // Reads everything until the server closes or the deadline; true when it closed.
    bool drainToEnd(int timeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        while (!m_closed && timer.elapsed() < timeoutMs) {
            pollIn(50);
            readAvailable();
        }
        return m_closed;
    }

    const QByteArray &received() const { return m_received; }
    // Body bytes read so far (everything after the headers, kept or not).
    qint64 bodyBytes() const
    {
        const qsizetype end = m_received.indexOf("\r\n\r\n");
        return end < 0 ? 0 : m_total - end - 4;
    }
    bool isClosed() const { return m_closed; }
    int fd() const { return m_fd; }

private:
    void pollIn(int ms)
    {
        pollfd p{m_fd, POLLIN, 0};
        ::poll(&p, 1, ms);
    }

    static constexpr qsizetype kKeptBytes = 64 * 1024;
    int m_fd = -1;
    QByteArray m_received; // the first kKeptBytes
    qint64 m_total = 0;
    bool m_closed = false;
};
