#pragma once

#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace starling::sched {

// The order in which the one-port master serves its slaves (paper 2: non-increasing bandwidth).
enum class SendOrder
{
    Decreasing,
    Increasing,
    Random
};

QString toString(SendOrder order);
std::optional<SendOrder> sendOrderFromString(const QString &text);

// Slave indices in send order. Ties keep platform order so results are reproducible;
// Random is a seeded Fisher-Yates shuffle.
std::vector<int> makeSendOrder(const std::vector<double> &bandwidths, SendOrder order,
                               std::uint64_t seed = 1);

} // namespace starling::sched
