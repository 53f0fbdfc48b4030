#pragma once

#include <QString>

#include <cstdint>

namespace starling::transfer {

// One entry of the export root as the master lists it (HTML for people, JSON for programs).
struct FileEntry
{
    QString path; // relative to the export root, '/'-separated
    bool isDirectory = false;
    qint64 size = 0;          // bytes; 0 for directories
    std::int64_t mtimeMs = 0; // last modification, ms since the epoch
};

} // namespace starling::transfer
