#include "listingrenderer.h"

#include "transfer/pathrules.h"
#include "transfer/transferplan.h"
#include "util/valueformat.h"

#include <QDateTime>
#include <QJsonArray>
#include <QStringList>

namespace starling::transfer {

namespace {

bool isBidiControl(char16_t c)
{
    return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e ||
           c == 0x200f || c == 0x061c;
}

// Text for people: visible symbols for control characters (U+2400 block), U+FFFD for bidi
// controls, then HTML escaping.
QString displayText(const QString &text)
{
    QString shown;
    shown.reserve(text.size());
    for (const QChar c : text) {
        if (c.unicode() < 0x20)
            shown.append(QChar(char16_t(0x2400 + c.unicode())));
        else if (c.unicode() == 0x7f)
            shown.append(QChar(char16_t(0x2421)));
        else if (isBidiControl(c.unicode()))
            shown.append(QChar(QChar::ReplacementCharacter));
        else
            shown.append(c);
    }
    // toHtmlEscaped leaves ' alone; attributes here are always double-quoted.
    return shown.toHtmlEscaped();
}

QString href(const char *prefix, const QString &path, bool directory = false)
{
    return QLatin1String(prefix) + QString::fromLatin1(encodePath(path)) +
           (directory ? QStringLiteral("/") : QString());
}

QString utcTime(std::int64_t mtimeMs)
{
    return QDateTime::fromMSecsSinceEpoch(mtimeMs, Qt::UTC)
        .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString pageHead(const QString &shownDirectory)
{
    QString html =
        QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<title>Index of %1</title>\n")
            .arg(shownDirectory);
    html += QStringLiteral(
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{padding:.2em 1em;text-align:left}td.size{text-align:right}"
        "tr:nth-child(even){background:#f4f4f4}a.meta4{font-size:smaller;color:#777}</style>\n"
        "</head>\n<body>\n");
    return html;
}

// Every ancestor is a link, the current directory is plain text.
QString breadcrumb(const QStringList &segments)
{
    QString html = QStringLiteral("<nav class=\"breadcrumb\">");
    html += segments.isEmpty() ? QStringLiteral("<span>Starling</span>")
                               : QStringLiteral("<a href=\"/\">Starling</a>");
    QString prefix;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        prefix += (prefix.isEmpty() ? QString() : QStringLiteral("/")) + segments[i];
        html += QStringLiteral(" / ");
        html += i + 1 == segments.size()
                    ? QStringLiteral("<span>%1</span>").arg(displayText(segments[i]))
                    : QStringLiteral("<a href=\"%1\">%2</a>")
                          .arg(href("/", prefix, true), displayText(segments[i]));
    }
    return html + QStringLiteral("</nav>\n");
}

QString parentRow(const QStringList &segments)
{
    const QString parent = segments.mid(0, segments.size() - 1).join(u'/');
    return QStringLiteral("<tr><td><a href=\"%1\">../</a></td><td></td><td></td><td></td>"
                          "</tr>\n")
        .arg(parent.isEmpty() ? QStringLiteral("/") : href("/", parent, true));
}

// A directory links to its own listing; a file to its download and its Metalink.
QString entryRow(const FileEntry &entry)
{
    const QString name = displayText(entry.path.section(u'/', -1));
    if (entry.isDirectory) {
        return QStringLiteral("<tr><td><a href=\"%1\">%2/</a></td><td class=\"size\">-</td>"
                              "<td>%3</td><td></td></tr>\n")
            .arg(href("/", entry.path, true), name, utcTime(entry.mtimeMs));
    }
    return QStringLiteral("<tr><td><a href=\"%1\">%2</a></td>"
                          "<td class=\"size\" title=\"%3 bytes\">%4</td><td>%5</td>"
                          "<td><a class=\"meta4\" href=\"%6\">.meta4</a></td></tr>\n")
        .arg(href(kFilesPathPrefix, entry.path), name, QString::number(entry.size),
             util::formatBytes(double(entry.size)).toHtmlEscaped(), utcTime(entry.mtimeMs),
             href(kFilesPathPrefix, entry.path) + QStringLiteral(".meta4"));
}

} // namespace

QByteArray renderListingHtml(const QString &directory, const std::vector<FileEntry> &entries)
{
    const QStringList segments = directory.split(u'/', Qt::SkipEmptyParts);
    const QString shownDirectory =
        displayText(QStringLiteral("/") + segments.join(u'/') +
                    (segments.isEmpty() ? QString() : QStringLiteral("/")));

    QString html = pageHead(shownDirectory) + breadcrumb(segments);
    html += QStringLiteral("<h1>Index of %1</h1>\n").arg(shownDirectory);
    html += QStringLiteral("<table>\n<thead><tr><th>Name</th><th>Size</th><th>Modified (UTC)</th>"
                           "<th></th></tr></thead>\n<tbody>\n");
    if (!segments.isEmpty())
        html += parentRow(segments);
    for (const FileEntry &entry : entries) {
        if (isCleanRelativePath(entry.path))
            html += entryRow(entry);
    }
    html += QStringLiteral("</tbody>\n</table>\n</body>\n</html>\n");
    return html.toUtf8();
}

QJsonObject renderListingJson(const std::vector<FileEntry> &entries)
{
    QJsonArray files;
    for (const FileEntry &entry : entries) {
        if (entry.isDirectory || !isCleanRelativePath(entry.path))
            continue;
        files.append(QJsonObject{{QLatin1String("path"), entry.path},
                                 {QLatin1String("size"), entry.size},
                                 {QLatin1String("mtime_ms"), qint64(entry.mtimeMs)}});
    }
    return {{QLatin1String("files"), files}};
}

} // namespace starling::transfer
