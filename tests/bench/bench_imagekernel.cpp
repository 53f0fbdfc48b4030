// The slave's image kernel against OpenCV itself (issue 5: aim at >= 0.5x of OpenCV's
// GaussianBlur, single-threaded). A slave gets a strip with its halo rows, pads it at the image
// edges, runs the op and cuts the padding off; this measures that whole path on a 4096 x 4096
// image cut into 100 strips, next to one cv::GaussianBlur call on the whole image, alternating,
// medians of several runs. The other ops' throughput is printed too.
//   bench_imagekernel OUT_DIR [--runs N]
#include "image/rowsplit.h"
#include "image/stripkernel.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace starling::image;

namespace {

constexpr int kSide = 4096;
constexpr int kStrips = 100;

ImageBuffer noise(int channels)
{
    ImageBuffer img = ImageBuffer::allocate(kSide, kSide, channels);
    QRandomGenerator rng(7);
    for (qsizetype i = 0; i < img.pixels.size(); i += 4) {
        const quint32 v = rng.generate();
        std::memcpy(img.pixels.data() + i, &v, size_t(qMin<qsizetype>(4, img.pixels.size() - i)));
    }
    return img;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

// Seconds for the slave's path: every strip copied out with its halo (as it arrives over
// MPI), then applyToStrip.
double viaStrips(const ImageOp &op, const ImageBuffer &img)
{
    const UnitRows units(img.height, kStrips);
    QElapsedTimer clock;
    clock.start();
    for (int k = 0; k < units.units(); ++k) {
        const RowRange rows = units.unit(k);
        const RowRange halo = withHalo(rows, op.haloRows(), img.height);
        ImageBuffer strip;
        strip.width = img.width;
        strip.height = halo.size();
        strip.channels = img.channels;
        strip.pixels = QByteArray(img.pixels.constData() + qsizetype(halo.begin) * img.rowBytes(),
                                  qsizetype(halo.size()) * img.rowBytes());
        const auto out = applyToStrip(op, strip, rows.begin - halo.begin, halo.end - rows.end);
        if (!out)
            return -1;
    }
    return double(clock.nsecsElapsed()) / 1e9;
}

double openCvBlur(const ImageOp &op, const ImageBuffer &img)
{
    const cv::Mat in(img.height, img.width, img.channels == 1 ? CV_8UC1 : CV_8UC3,
                     const_cast<char *>(img.pixels.constData()), size_t(img.rowBytes()));
    cv::Mat out;
    QElapsedTimer clock;
    clock.start();
    cv::GaussianBlur(in, out, cv::Size(op.blurKernelSize(), op.blurKernelSize()), op.sigma,
                     op.sigma, cv::BORDER_REFLECT_101);
    return double(clock.nsecsElapsed()) / 1e9;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2 || args.contains(QStringLiteral("--help"))) {
        std::fprintf(stderr, "usage: bench_imagekernel OUT_DIR [--runs N]\n");
        return 2;
    }
    int runs = 5;
    if (const qsizetype at = args.indexOf(QStringLiteral("--runs")); at > 0 && at + 1 < args.size())
        runs = qBound(1, args.at(at + 1).toInt(), 50);
    const QString outDir = args.at(1);
    QDir().mkpath(outDir);
    cv::setNumThreads(0);

    std::printf("Image kernel benchmark: %d x %d, the slave's path in %d strips (halo copy + pad "
                "+ op) vs one OpenCV call, single-threaded, medians of %d alternating runs; "
                "1 MB = 10^6 bytes of input\n\n",
                kSide, kSide, kStrips, runs);
    std::printf("   %-22s %-5s %12s %12s %10s\n", "op", "image", "strips MB/s", "OpenCV MB/s",
                "ratio");
    QFile csv(QDir(outDir).filePath(QStringLiteral("imagekernel.csv")));
    if (!csv.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        std::fprintf(stderr, "bench_imagekernel: cannot write %s\n", qPrintable(csv.fileName()));
        return 1;
    }
    csv.write("op,channels,strips_MBps,opencv_MBps,ratio\n");
    const std::vector<ImageOp> ops{*ImageOp::make(QStringLiteral("blur"), 2.0, std::nullopt),
                                   *ImageOp::make(QStringLiteral("blur"), 1.0, std::nullopt),
                                   *ImageOp::make(QStringLiteral("sobel"), {}, {}),
                                   *ImageOp::make(QStringLiteral("median"), {}, 2),
                                   *ImageOp::make(QStringLiteral("grey"), {}, {})};
    double worstBlurRatio = 1e9;
    for (int channels : {1, 3}) {
        const ImageBuffer img = noise(channels);
        const double mb = double(img.pixels.size()) / 1e6;
        for (const ImageOp &op : ops) {
            if (op.kind == OpKind::Grey && channels == 1)
                continue;
            std::vector<double> ours, theirs;
            for (int r = 0; r < runs; ++r) {
                const bool blur = op.kind == OpKind::Blur;
                // Alternate which goes first, so neither always gets the warmer cache.
                if (blur && r % 2 == 1)
                    theirs.push_back(openCvBlur(op, img));
                ours.push_back(viaStrips(op, img));
                if (blur && r % 2 == 0)
                    theirs.push_back(openCvBlur(op, img));
            }
            const double oursMBps = mb / median(ours);
            const QString name =
                op.kind == OpKind::Blur     ? QStringLiteral("blur sigma %1").arg(op.sigma)
                : op.kind == OpKind::Median ? QStringLiteral("median r %1").arg(op.radius)
                                            : op.name();
            if (theirs.empty()) {
                std::printf("   %-22s %-5s %12.1f %12s %10s\n", qPrintable(name),
                            channels == 1 ? "grey" : "RGB", oursMBps, "-", "-");
                csv.write(
                    QStringLiteral("%1,%2,%3,,\n").arg(name).arg(channels).arg(oursMBps).toUtf8());
                continue;
            }
            const double theirsMBps = mb / median(theirs);
            const double ratio = oursMBps / theirsMBps;
            worstBlurRatio = std::min(worstBlurRatio, ratio);
            std::printf("   %-22s %-5s %12.1f %12.1f %9.2fx\n", qPrintable(name),
                        channels == 1 ? "grey" : "RGB", oursMBps, theirsMBps, ratio);
            csv.write(QStringLiteral("%1,%2,%3,%4,%5\n")
                          .arg(name)
                          .arg(channels)
                          .arg(oursMBps)
                          .arg(theirsMBps)
                          .arg(ratio)
                          .toUtf8());
        }
    }
    std::printf(
        "\n   goal: slave blur vs OpenCV GaussianBlur (worst ratio)   %.2fx (>= 0.50x)  [%s]\n",
        worstBlurRatio, worstBlurRatio >= 0.5 ? "MET" : "MISSED");
    std::printf("Wrote %s\n", qPrintable(csv.fileName()));
    return 0;
}
