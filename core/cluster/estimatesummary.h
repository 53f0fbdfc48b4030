#pragma once

#include "sched/costestimate.h"

#include <QString>

#include <cstdint>

namespace starling::cluster {

// When an estimate stops passing for a fact (NodeTableModel::Thresholds carries one).
struct EstimateDoubt
{
    double lowConfidence = 0.5;            // below this the fit is mostly a guess
    std::int64_t oldAfterMs = 10 * 60'000; // the slave may have changed since
};

// One slave's cost estimates as an operator reads them at a glance: the op class measured last,
// as its cost per MB, confidence and age ("41 ms/MB · 92% · 3 s"), doubtful when the
// confidence is low or the newest sample is old; and every op class and the link in words for a
// tooltip. The plain `starling status` table and the console's node table both use it, so the
// two read alike.
class EstimateSummary
{
public:
    EstimateSummary(const sched::SlaveCostEstimate &estimate, std::int64_t nowMs,
                    EstimateDoubt doubt = {});

    bool isEmpty() const { return m_primary == nullptr; } // no op class estimated yet
    bool isLowConfidence() const;
    bool isOld() const;
    bool isDoubtful() const { return isLowConfidence() || isOld(); }
    double perMBS() const;   // the shown op's; -1 when empty
    QString text() const;    // "41 ms/MB · 92% · 3 s", "-" when empty
    QString compact() const; // "41ms/MB 92%" for the plain table, "-" when empty
    QString details() const; // one line per op class, then the link

private:
    QString age(std::int64_t lastSampleMs) const;

    const sched::SlaveCostEstimate &m_estimate;
    std::int64_t m_nowMs;
    EstimateDoubt m_doubt;
    const sched::OpCostEstimate *m_primary = nullptr;
};

} // namespace starling::cluster
