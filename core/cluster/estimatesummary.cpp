#include "estimatesummary.h"

#include "util/valueformat.h"

#include <QStringList>

namespace starling::cluster {

namespace {

QString perMB(double seconds)
{
    return util::formatSeconds(seconds) + QStringLiteral("/MB");
}

QString channelsName(int channels)
{
    return channels == 1 ? QStringLiteral("grey") : QStringLiteral("%1 ch").arg(channels);
}

} // namespace

EstimateSummary::EstimateSummary(const sched::SlaveCostEstimate &estimate, std::int64_t nowMs,
                                 EstimateDoubt doubt)
    : m_estimate(estimate), m_nowMs(nowMs), m_doubt(doubt)
{
    // The op measured last is the one the operator just ran, so the one to show.
    for (const sched::OpCostEstimate &op : m_estimate.ops) {
        if (!m_primary || op.compute.lastSampleMs > m_primary->compute.lastSampleMs)
            m_primary = &op;
    }
}

bool EstimateSummary::isLowConfidence() const
{
    return m_primary && m_primary->compute.confidence < m_doubt.lowConfidence;
}

bool EstimateSummary::isOld() const
{
    return m_primary && (m_primary->compute.lastSampleMs <= 0 ||
                         m_nowMs - m_primary->compute.lastSampleMs > m_doubt.oldAfterMs);
}

double EstimateSummary::perMBS() const
{
    return m_primary ? m_primary->compute.perMBS : -1;
}

QString EstimateSummary::age(std::int64_t lastSampleMs) const
{
    return lastSampleMs > 0 ? util::formatAge(std::max<std::int64_t>(0, m_nowMs - lastSampleMs))
                            : QStringLiteral("never");
}

QString EstimateSummary::text() const
{
    if (!m_primary)
        return QStringLiteral("-");
    const sched::AffineEstimate &c = m_primary->compute;
    return QStringLiteral("%1 · %2 · %3")
        .arg(perMB(c.perMBS), util::formatPercent(c.confidence), age(c.lastSampleMs));
}

QString EstimateSummary::compact() const
{
    if (!m_primary)
        return QStringLiteral("-");
    return QStringLiteral("%1 %2").arg(perMB(m_primary->compute.perMBS).remove(u' '),
                                       util::formatPercent(m_primary->compute.confidence));
}

QString EstimateSummary::details() const
{
    QStringList lines;
    for (const sched::OpCostEstimate &op : m_estimate.ops) {
        const sched::AffineEstimate &c = op.compute;
        lines << QStringLiteral("%1 (%2): %3 + %4, %5 confident, %6 samples, %7 old, %8")
                     .arg(op.op, channelsName(op.channels), util::formatSeconds(c.fixedS),
                          perMB(c.perMBS), util::formatPercent(c.confidence))
                     .arg(c.samples, 0, 'f', 0)
                     .arg(age(c.lastSampleMs), sched::toString(c.source));
    }
    if (lines.isEmpty())
        lines << QStringLiteral("no op measured yet");
    const sched::AffineEstimate &l = m_estimate.link;
    const QString rate = l.perMBS > 0 ? util::formatRate(1e6 / l.perMBS) : QStringLiteral("?");
    lines << QStringLiteral("link: %1 + %2, %3 confident, %4 samples, %5 old, %6")
                 .arg(util::formatSeconds(l.fixedS), rate, util::formatPercent(l.confidence))
                 .arg(l.samples, 0, 'f', 0)
                 .arg(age(l.lastSampleMs), sched::toString(l.source));
    return lines.join(u'\n');
}

} // namespace starling::cluster
