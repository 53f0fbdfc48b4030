#include "stripkernel.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cstring>

#include <cmath>
#include <mutex>

namespace starling::image {

namespace {

void singleThreaded()
{
    static std::once_flag once;
    std::call_once(once, [] { cv::setNumThreads(0); });
}

int borderFor(const ImageOp &op)
{
    return op.kind == OpKind::Median ? cv::BORDER_REPLICATE : cv::BORDER_REFLECT_101;
}

// Views the buffer as an OpenCV matrix without copying.
cv::Mat view(const ImageBuffer &image)
{
    return cv::Mat(image.height, image.width, image.channels == 1 ? CV_8UC1 : CV_8UC3,
                   const_cast<char *>(image.pixels.constData()), size_t(image.rowBytes()));
}

ImageBuffer toBuffer(const cv::Mat &mat)
{
    ImageBuffer out = ImageBuffer::allocate(mat.cols, mat.rows, mat.channels());
    for (int y = 0; y < mat.rows; ++y)
        std::memcpy(out.row(y), mat.ptr(y), size_t(out.rowBytes()));
    return out;
}

cv::Mat grey(const cv::Mat &in)
{
    if (in.channels() == 1)
        return in;
    cv::Mat out;
    cv::cvtColor(in, out, cv::COLOR_RGB2GRAY);
    return out;
}

cv::Mat sobelMagnitude(const cv::Mat &in)
{
    const cv::Mat g = grey(in);
    cv::Mat gx, gy;
    cv::Sobel(g, gx, CV_32F, 1, 0, 3, 1, 0, cv::BORDER_REFLECT_101);
    cv::Sobel(g, gy, CV_32F, 0, 1, 3, 1, 0, cv::BORDER_REFLECT_101);
    // Exact: the derivatives are small integers, and IEEE sqrt is correctly rounded, so every
    // strip gets the same bytes; convertTo rounds to nearest and saturates to 0..255.
    cv::Mat magnitude, out;
    cv::magnitude(gx, gy, magnitude);
    magnitude.convertTo(out, CV_8U);
    return out;
}

cv::Mat run(const ImageOp &op, const cv::Mat &in)
{
    cv::Mat out;
    switch (op.kind) {
    case OpKind::Blur: {
        const int k = op.blurKernelSize();
        cv::GaussianBlur(in, out, cv::Size(k, k), op.sigma, op.sigma, cv::BORDER_REFLECT_101);
        break;
    }
    case OpKind::Sobel:
        out = sobelMagnitude(in);
        break;
    case OpKind::Median:
        cv::medianBlur(in, out, 2 * op.radius + 1);
        break;
    case OpKind::Grey:
        out = grey(in).clone();
        break;
    }
    return out;
}

} // namespace

Expected<ImageBuffer> applyToStrip(const ImageOp &op, const ImageBuffer &haloStrip, int haloTop,
                                   int haloBottom)
{
    if (!haloStrip.isValid())
        return Error{QStringLiteral("the strip is not a valid grey or RGB image")};
    const int rows = haloStrip.height - haloTop - haloBottom;
    const int halo = op.haloRows();
    if (haloTop < 0 || haloBottom < 0 || rows < 1 || haloTop > halo || haloBottom > halo)
        return Error{QStringLiteral("a strip of %1 rows cannot have halos of %2 and %3 rows for "
                                    "%4 (which needs %5)")
                         .arg(haloStrip.height)
                         .arg(haloTop)
                         .arg(haloBottom)
                         .arg(op.name())
                         .arg(halo)};
    singleThreaded();
    try {
        const cv::Mat window = view(haloStrip);
        cv::Mat padded;
        // Pads only where the image really ends (see the header): a full halo needs nothing.
        cv::copyMakeBorder(window, padded, halo - haloTop, halo - haloBottom, 0, 0, borderFor(op));
        const cv::Mat out = run(op, padded);
        return toBuffer(out.rowRange(halo, halo + rows));
    } catch (const cv::Exception &e) {
        return Error{QStringLiteral("%1 failed: %2").arg(op.name(), QString::fromStdString(e.msg))};
    }
}

Expected<ImageBuffer> applyToImage(const ImageOp &op, const ImageBuffer &image)
{
    return applyToStrip(op, image, 0, 0);
}

} // namespace starling::image
