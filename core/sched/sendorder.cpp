#include "sendorder.h"

#include <algorithm>
#include <numeric>
#include <random>

namespace starling::sched {

QString toString(SendOrder order)
{
    switch (order) {
    case SendOrder::Decreasing:
        return QStringLiteral("dec");
    case SendOrder::Increasing:
        return QStringLiteral("inc");
    case SendOrder::Random:
        return QStringLiteral("rand");
    }
    return {};
}

std::optional<SendOrder> sendOrderFromString(const QString &text)
{
    for (SendOrder order : {SendOrder::Decreasing, SendOrder::Increasing, SendOrder::Random}) {
        if (toString(order) == text)
            return order;
    }
    return std::nullopt;
}

std::vector<int> makeSendOrder(const std::vector<double> &bandwidths, SendOrder order,
                               std::uint64_t seed)
{
    std::vector<int> indices(bandwidths.size());
    std::iota(indices.begin(), indices.end(), 0);
    switch (order) {
    case SendOrder::Decreasing:
        std::stable_sort(indices.begin(), indices.end(), [&](int a, int b) {
            return bandwidths[size_t(a)] > bandwidths[size_t(b)];
        });
        break;
    case SendOrder::Increasing:
        std::stable_sort(indices.begin(), indices.end(), [&](int a, int b) {
            return bandwidths[size_t(a)] < bandwidths[size_t(b)];
        });
        break;
    case SendOrder::Random: {
        // Own Fisher-Yates: std::shuffle's result differs between standard libraries, and a
        // seed must give the same order everywhere.
        std::mt19937_64 rng(seed);
        for (size_t i = indices.size(); i > 1; --i)
            std::swap(indices[i - 1], indices[size_t(rng() % i)]);
        break;
    }
    }
    return indices;
}

} // namespace starling::sched
