#include "stripworker.h"

#include "image/imagebuffer.h"
#include "image/imageop.h"
#include "image/stripkernel.h"

#include <QPointer>

#include <algorithm>
#include <cmath>

namespace starling::mpi {

namespace {

// Runs on the worker thread: the kernel on one strip, timed.
jobs::StripResult compute(const jobs::StripAssignment &strip)
{
    jobs::StripResult result;
    result.jobId = strip.jobId;
    result.chunk = strip.chunk;
    result.width = strip.width;
    result.begin = strip.begin;
    result.end = strip.end;
    result.channels = strip.channels;
    QElapsedTimer clock;
    clock.start();
    const auto op = image::ImageOp::fromJson(strip.op);
    if (!op) {
        result.error = op.error();
        return result;
    }
    image::ImageBuffer rows;
    rows.width = strip.width;
    rows.height = strip.end - strip.begin + strip.haloTop + strip.haloBottom;
    rows.channels = strip.channels;
    rows.pixels = strip.pixels;
    auto out = image::applyToStrip(*op, rows, strip.haloTop, strip.haloBottom);
    result.kernelS = double(clock.nsecsElapsed()) / 1e9;
    if (!out) {
        result.error = out.error();
        return result;
    }
    result.channels = out->channels;
    result.pixels = std::move(out->pixels);
    return result;
}

} // namespace

StripWorker::StripWorker(bool emulated, double cpuFactor, QObject *parent, double stripFixedS)
    : QObject(parent), m_emulated(emulated),
      m_cpuFactor(std::isfinite(cpuFactor) && cpuFactor > 0 ? cpuFactor : 1.0),
      m_stripFixedS(std::isfinite(stripFixedS) && stripFixedS > 0 ? stripFixedS : 0.0)
{
    m_pool.setMaxThreadCount(1);
    m_waitTimer.setSingleShot(true);
    m_waitTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_waitTimer, &QTimer::timeout, this, &StripWorker::deliver);
}

StripWorker::~StripWorker()
{
    stop();
}

void StripWorker::stop()
{
    m_stopped = true;
    m_waitTimer.stop();
    m_queue.clear();
    m_pool.waitForDone();
}

void StripWorker::setSlowdown(double factor)
{
    if (!std::isfinite(factor) || factor <= 0)
        return;
    // A strip waiting out its time is stretched (or shrunk) from now on, as the simulator's
    // piecewise-constant speed does: the part already done stays done.
    if (m_ready && m_waitTimer.isActive()) {
        const double elapsedS = double(m_computeClock.nsecsElapsed()) / 1e9;
        const double leftS = std::max(0.0, m_computeS - elapsedS) * factor / m_slowdown;
        m_computeS = elapsedS + leftS;
        m_ready->computeS = m_computeS;
        m_waitTimer.start(int(std::ceil(leftS * 1000)));
    }
    m_slowdown = factor;
}

double StripWorker::pendingStandardS() const
{
    double sum = m_running ? m_running->strip.standardS : 0;
    for (const Item &item : m_queue)
        sum += item.strip.standardS;
    return sum;
}

void StripWorker::enqueue(int reply, jobs::StripAssignment strip)
{
    if (m_stopped)
        return;
    m_queue.push_back({reply, std::move(strip)});
    if (!m_running)
        startNext();
}

void StripWorker::startNext()
{
    if (m_stopped || m_running || m_queue.empty())
        return;
    // Earliest job first (the master's stream order), in arrival order within a job.
    const auto next =
        std::min_element(m_queue.begin(), m_queue.end(), [](const Item &a, const Item &b) {
            return a.strip.sequence < b.strip.sequence;
        });
    m_running = std::move(*next);
    m_queue.erase(next);
    m_computeClock.start();
    // The worker gets its own copy; the result comes back to this thread by a queued call.
    const jobs::StripAssignment strip = m_running->strip;
    const QPointer<StripWorker> self(this);
    m_pool.start([self, strip] {
        jobs::StripResult result = compute(strip);
        QMetaObject::invokeMethod(
            self.data(),
            [self, result = std::move(result)]() mutable {
                if (self)
                    self->onKernelDone(std::move(result));
            },
            Qt::QueuedConnection);
    });
}

void StripWorker::onKernelDone(jobs::StripResult result)
{
    if (m_stopped || !m_running)
        return;
    const double elapsedS = double(m_computeClock.nsecsElapsed()) / 1e9;
    const double emulatedS = m_stripFixedS + m_running->strip.standardS * m_cpuFactor;
    m_computeS = (m_emulated ? std::max(elapsedS, emulatedS) : elapsedS) * m_slowdown;
    result.computeS = m_computeS;
    m_ready = std::move(result);
    const double leftS = m_computeS - elapsedS;
    if (leftS <= 0) {
        deliver();
        return;
    }
    m_waitTimer.start(int(std::ceil(leftS * 1000)));
}

void StripWorker::deliver()
{
    if (m_stopped || !m_running || !m_ready)
        return;
    // A timer may fire a little early: the strip is only done when its time has passed.
    const double elapsedS = double(m_computeClock.nsecsElapsed()) / 1e9;
    if (elapsedS + 0.0002 < m_computeS) {
        m_waitTimer.start(int(std::ceil((m_computeS - elapsedS) * 1000)));
        return;
    }
    const Item item = std::move(*m_running);
    const jobs::StripResult result = std::move(*m_ready);
    m_running.reset();
    m_ready.reset();
    emit finished(item.reply, result.encode(), result.computeS, item.strip.standardS);
    startNext();
}

} // namespace starling::mpi
