#pragma once

#include "paperexperiment.h"

#include <QString>

#include <vector>

namespace starling::sim {

// Renders the paper experiment for people (a table per platform and a verdict on the paper's
// claims in plain words) and for programs (CSV).
class PaperReport
{
public:
    static QString table(const std::vector<PaperRow> &rows, bool divisible);
    // `whole` drives the verdict; `divisible` adds how the real-valued split compares.
    static QString verdict(const std::vector<PaperRow> &whole,
                           const std::vector<PaperRow> &divisible);
    static QString csv(const std::vector<PaperRow> &rows, bool divisible);
};

} // namespace starling::sim
