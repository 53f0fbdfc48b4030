#include "recursiveleastsquares.h"

#include <algorithm>
#include <cmath>

namespace starling::sched {

RecursiveLeastSquares::RecursiveLeastSquares(double forgetting)
    : m_forgetting(std::isfinite(forgetting) ? std::clamp(forgetting, 0.5, 1.0) : 0.9)
{}

void RecursiveLeastSquares::reset()
{
    m_weight = m_count = m_meanX = m_meanY = m_cxx = m_cxy = m_cyy = 0;
}

bool RecursiveLeastSquares::add(double x, double y, double weight, double count)
{
    if (!std::isfinite(x) || !std::isfinite(y) || !(weight > 0) || !std::isfinite(weight) ||
        !(count > 0) || !std::isfinite(count))
        return false;
    m_count = m_forgetting * m_count + std::min(count, 1.0);
    // Weighted Welford update with forgetting: the co-moments are centred on the running means.
    m_weight = m_forgetting * m_weight + weight;
    const double dx = x - m_meanX;
    const double dy = y - m_meanY;
    m_meanX += weight / m_weight * dx;
    m_meanY += weight / m_weight * dy;
    m_cxx = m_forgetting * m_cxx + weight * dx * (x - m_meanX);
    m_cxy = m_forgetting * m_cxy + weight * dx * (y - m_meanY);
    m_cyy = m_forgetting * m_cyy + weight * dy * (y - m_meanY);
    if (!std::isfinite(m_meanX) || !std::isfinite(m_meanY) || !std::isfinite(m_cxx) ||
        !std::isfinite(m_cxy) || !std::isfinite(m_cyy) || m_cxx < 0 || m_cyy < 0) {
        reset();
        return false;
    }
    return true;
}

void RecursiveLeastSquares::scaleY(double factor)
{
    if (!std::isfinite(factor) || factor <= 0)
        return;
    // As if every y had been measured `factor` times larger, weighed by the caller's
    // 1/time^2 precision then: the weights shrink by factor^2 so the new timings are not
    // outweighed by the scaled history.
    const double weightScale = 1 / (factor * factor);
    m_weight *= weightScale;
    m_meanY *= factor;
    m_cxx *= weightScale;
    m_cxy *= factor * weightScale;
    m_cyy *= factor * factor * weightScale;
}

double RecursiveLeastSquares::spreadX() const
{
    if (m_weight <= 0 || m_meanX == 0)
        return 0;
    return std::sqrt(std::max(0.0, m_cxx / m_weight)) / std::abs(m_meanX);
}

double RecursiveLeastSquares::slope() const
{
    return m_cxx > 0 ? m_cxy / m_cxx : 0;
}

double RecursiveLeastSquares::intercept() const
{
    return m_meanY - slope() * m_meanX;
}

double RecursiveLeastSquares::residualRms() const
{
    if (m_weight <= 0)
        return 0;
    const double explained = m_cxx > 0 ? m_cxy * m_cxy / m_cxx : 0;
    return std::sqrt(std::max(0.0, m_cyy - explained) / m_weight);
}

double RecursiveLeastSquares::slopeThroughOrigin() const
{
    // The raw moments from the centred ones: sum w x y = cxy + W mx my, sum w x^2 = cxx + W mx^2.
    const double sxx = m_cxx + m_weight * m_meanX * m_meanX;
    return sxx > 0 ? (m_cxy + m_weight * m_meanX * m_meanY) / sxx : 0;
}

} // namespace starling::sched
