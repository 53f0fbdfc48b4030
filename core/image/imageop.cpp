#include "imageop.h"

#include <cmath>

namespace starling::image {

namespace {

Error bad(const QString &message)
{
    return Error{message, QStringLiteral("bad_request")};
}

std::optional<OpKind> kindFromName(const QString &name)
{
    if (name == u"blur")
        return OpKind::Blur;
    if (name == u"sobel")
        return OpKind::Sobel;
    if (name == u"median")
        return OpKind::Median;
    if (name == u"grey" || name == u"gray")
        return OpKind::Grey;
    return std::nullopt;
}

} // namespace

Expected<ImageOp> ImageOp::make(const QString &name, std::optional<double> sigma,
                                std::optional<int> radius)
{
    const auto kind = kindFromName(name);
    if (!kind)
        return bad(
            QStringLiteral("unknown op \"%1\" (blur, sobel, median or grey)").arg(name.left(40)));
    ImageOp op;
    op.kind = *kind;
    if (sigma && op.kind != OpKind::Blur)
        return bad(QStringLiteral("sigma is for blur, not %1").arg(op.name()));
    if (radius && op.kind != OpKind::Median)
        return bad(QStringLiteral("radius is for median, not %1").arg(op.name()));
    if (sigma) {
        if (!std::isfinite(*sigma) || *sigma < kMinSigma || *sigma > kMaxSigma)
            return bad(QStringLiteral("sigma must be from %1 to %2, got %3")
                           .arg(kMinSigma)
                           .arg(kMaxSigma)
                           .arg(*sigma));
        op.sigma = *sigma;
    }
    if (radius) {
        if (*radius < kMinRadius || *radius > kMaxRadius)
            return bad(QStringLiteral("radius must be from %1 to %2, got %3")
                           .arg(kMinRadius)
                           .arg(kMaxRadius)
                           .arg(*radius));
        op.radius = *radius;
    }
    return op;
}

QString ImageOp::name() const
{
    switch (kind) {
    case OpKind::Blur:
        return QStringLiteral("blur");
    case OpKind::Sobel:
        return QStringLiteral("sobel");
    case OpKind::Median:
        return QStringLiteral("median");
    case OpKind::Grey:
        return QStringLiteral("grey");
    }
    return {};
}

int ImageOp::blurKernelSize() const
{
    return 2 * int(std::ceil(3 * sigma)) + 1;
}

int ImageOp::haloRows() const
{
    switch (kind) {
    case OpKind::Blur:
        return blurKernelSize() / 2;
    case OpKind::Sobel:
        return 1;
    case OpKind::Median:
        return radius;
    case OpKind::Grey:
        return 0;
    }
    return 0;
}

int ImageOp::outputChannels(int inputChannels) const
{
    return kind == OpKind::Grey || kind == OpKind::Sobel ? 1 : inputChannels;
}

double ImageOp::relativeCost() const
{
    switch (kind) {
    case OpKind::Blur:
        return blurKernelSize() / 3.0;
    case OpKind::Sobel:
        return 1.0;
    case OpKind::Median:
        return 1.0 + radius;
    case OpKind::Grey:
        return 0.25;
    }
    return 1.0;
}

QJsonObject ImageOp::toJson() const
{
    QJsonObject o{{QStringLiteral("op"), name()}};
    if (kind == OpKind::Blur)
        o.insert(QStringLiteral("sigma"), sigma);
    if (kind == OpKind::Median)
        o.insert(QStringLiteral("radius"), radius);
    return o;
}

Expected<ImageOp> ImageOp::fromJson(const QJsonObject &object)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.key() != u"op" && it.key() != u"sigma" && it.key() != u"radius")
            return bad(QStringLiteral("op: unknown key \"%1\"").arg(it.key().left(40)));
    }
    const QJsonValue name = object.value(u"op");
    if (!name.isString())
        return bad(QStringLiteral("op: \"op\" must be a string"));
    std::optional<double> sigma;
    std::optional<int> radius;
    if (object.contains(u"sigma")) {
        if (!object.value(u"sigma").isDouble())
            return bad(QStringLiteral("op: \"sigma\" must be a number"));
        sigma = object.value(u"sigma").toDouble();
    }
    if (object.contains(u"radius")) {
        const double r = object.value(u"radius").toDouble(-1);
        if (!object.value(u"radius").isDouble() || r != std::floor(r) || std::abs(r) > 1e6)
            return bad(QStringLiteral("op: \"radius\" must be an integer"));
        radius = int(r);
    }
    return make(name.toString(), sigma, radius);
}

} // namespace starling::image
