#include "stopsignals.h"

#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace starling::util {

namespace {

int g_pipe[2] = {-1, -1};

void onSignal(int signalNumber)
{
    // async-signal-safe: write(2) only, errno kept for the code this interrupted.
    const int saved = errno;
    const char byte = char(signalNumber);
    [[maybe_unused]] const ssize_t written = ::write(g_pipe[1], &byte, 1);
    errno = saved;
}

} // namespace

StopSignals::StopSignals(std::initializer_list<int> numbers, QObject *parent)
    : QObject(parent), m_numbers(numbers)
{
    if (g_pipe[0] < 0 && ::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return;
    m_notifier = new QSocketNotifier(g_pipe[0], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &StopSignals::drain);
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART; // blocking calls elsewhere go on; the loop sees the byte
    for (int s : m_numbers)
        ::sigaction(s, &action, nullptr);
}

StopSignals::~StopSignals()
{
    for (int s : m_numbers)
        std::signal(s, SIG_DFL);
}

void StopSignals::drain()
{
    char bytes[16];
    ssize_t got = 0;
    while ((got = ::read(g_pipe[0], bytes, sizeof bytes)) > 0) {
        for (ssize_t i = 0; i < got; ++i)
            emit received(int(bytes[i]));
    }
}

} // namespace starling::util
