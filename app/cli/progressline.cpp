#include "progressline.h"

#include "util/valueformat.h"

#include <QStringList>

#include <cmath>
#include <sys/ioctl.h>

namespace starling::cli {

namespace {

constexpr int kWideBar = 24;
constexpr int kNarrowBar = 8;

QString bar(double fraction, int width)
{
    const int filled = int(std::floor(qBound(0.0, fraction, 1.0) * width));
    return u'[' + QString(filled, u'#') + QString(width - filled, u' ') + u']';
}

} // namespace

QString formatEta(double seconds)
{
    if (seconds < 0 || !std::isfinite(seconds))
        return QStringLiteral("--:--");
    const qint64 total = qint64(std::ceil(seconds));
    const qint64 h = total / 3600;
    const qint64 m = (total / 60) % 60;
    const qint64 s = total % 60;
    if (h > 0)
        return QStringLiteral("%1:%2:%3")
            .arg(h)
            .arg(m, 2, 10, QChar(u'0'))
            .arg(s, 2, 10, QChar(u'0'));
    return QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QChar(u'0'));
}

QString formatProgressLine(const client::DownloadProgress &p, int width)
{
    const double fraction = p.totalBytes > 0 ? double(p.doneBytes) / double(p.totalBytes) : 1.0;
    const QString percent = QStringLiteral("%1%").arg(int(std::floor(fraction * 100)), 4);
    const QString tail =
        QStringLiteral(" %1/%2  %3/s  ETA %4")
            .arg(util::formatBytes(double(p.doneBytes)), util::formatBytes(double(p.totalBytes)),
                 util::formatBytes(p.rateBps), formatEta(p.etaS));
    qint64 received = 0;
    for (const auto &s : p.sources)
        received += s.bytesReceived;
    QStringList shares;
    for (const auto &s : p.sources) {
        if (s.status == client::SourceStatus::Abandoned)
            shares << s.name + QStringLiteral(" gone");
        else
            shares << QStringLiteral("%1 %2%").arg(s.name).arg(
                received > 0 ? qRound(100.0 * double(s.bytesReceived) / double(received)) : 0);
    }
    const auto compose = [&](int barWidth, int shown) {
        QString line = percent + u' ' + bar(fraction, barWidth) + tail;
        if (shown > 0)
            line += QStringLiteral("  ") + shares.mid(0, shown).join(u' ');
        if (shown < shares.size())
            line += QStringLiteral(" +%1").arg(shares.size() - shown);
        return line;
    };
    // The shares matter more than a long bar: shrink the bar first, then drop shares.
    for (const int barWidth : {kWideBar, kNarrowBar}) {
        if (const QString line = compose(barWidth, int(shares.size())); line.size() <= width)
            return line;
    }
    for (int shown = int(shares.size()) - 1; shown >= 0; --shown) {
        if (const QString line = compose(kNarrowBar, shown); line.size() <= width)
            return line;
    }
    return compose(kNarrowBar, 0).left(qMax(0, width));
}

int terminalWidth(int fd)
{
    winsize size{};
    if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
    return 80;
}

} // namespace starling::cli
