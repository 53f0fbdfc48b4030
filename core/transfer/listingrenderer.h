#pragma once

#include "transfer/fileentry.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <vector>

namespace starling::transfer {

// Where the links of a listing point; the master routes the same prefixes.
// GET /files/<path>: the file's bytes; /files/<path>.meta4: its Metalink (unless that is a file)
inline constexpr char kFilesPathPrefix[] = "/files/";

// Paper 1's directory listing for people: one HTML page for `directory` (relative to the export
// root, "" for the root) with a breadcrumb and a table of `entries` in the order given (name,
// size in binary units with the exact byte count as a tooltip, modification time in UTC).
// Directories link to /<dir>/, files to /files/<path>, each file also to /meta4/<path>. Names
// are HTML-escaped and shown with control characters as visible symbols (a newline is "␊") and
// bidirectional overrides neutralised, so a name cannot forge markup or disguise its extension;
// links are percent-encoded with encodePath. Entries whose path is not a clean relative path
// (empty, absolute, "." or "..") are left out rather than linked somewhere unexpected.
QByteArray renderListingHtml(const QString &directory, const std::vector<FileEntry> &entries);

// The same entries for programs (GET /api/v1/files): {"files": [{"path", "size", "mtime_ms"}]},
// regular files only, in the order given; paths exactly as on disk (JSON escapes them).
QJsonObject renderListingJson(const std::vector<FileEntry> &entries);

} // namespace starling::transfer
