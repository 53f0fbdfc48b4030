#pragma once

#include "util/expected.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace starling::image {

enum class OpKind
{
    Blur,   // Gaussian, sigma
    Sobel,  // edge magnitude of the grey image
    Median, // radius
    Grey    // luma
};

// One image operation with its parameters, validated.
struct ImageOp
{
    static constexpr double kMinSigma = 0.1;
    static constexpr double kMaxSigma = 50;
    static constexpr int kMinRadius = 1;
    static constexpr int kMaxRadius = 50;

    OpKind kind = OpKind::Grey;
    double sigma = 2.0; // blur
    int radius = 2;     // median

    // `name` is blur, sobel, median or grey; sigma belongs to blur only and radius to median
    // only (a parameter given to another op is an error, not silently ignored). Defaults:
    // sigma 2, radius 2. One-line errors.
    static Expected<ImageOp> make(const QString &name, std::optional<double> sigma,
                                  std::optional<int> radius);

    QString name() const;
    // Rows above and below a strip that its output rows depend on.
    int haloRows() const;
    // Gaussian kernel size: 2 * ceil(3 sigma) + 1.
    int blurKernelSize() const;
    int outputChannels(int inputChannels) const;
    // Rough compute seconds per input byte relative to a 3x3 Sobel (= 1): grey 0.25, blur its
    // kernel size / 3 (a separable pass per axis), median 1 + radius (OpenCV's histogram
    // median). Only the emulated cost and the first estimates use it; measured times rule.
    double relativeCost() const;

    // {"op": "blur", "sigma": 2} and back; fromJson applies make()'s rules.
    QJsonObject toJson() const;
    static Expected<ImageOp> fromJson(const QJsonObject &object);

    bool operator==(const ImageOp &) const = default;
};

} // namespace starling::image
