#include "peerloss.h"

namespace starling::cluster {

namespace {
constexpr QLatin1String kRank("rank");
constexpr QLatin1String kReason("reason");
} // namespace

QJsonObject PeerLoss::toJson() const
{
    return {{kRank, rank}, {kReason, reason}};
}

PeerLoss PeerLoss::fromJson(const QJsonObject &object)
{
    PeerLoss loss;
    loss.rank = object.value(kRank).toInt(-1);
    loss.reason = object.value(kReason).toString().left(256);
    return loss;
}

} // namespace starling::cluster
