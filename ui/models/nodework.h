#pragma once

#include "consolemodel/taskactivity.h"

#include <QString>

#include <vector>

namespace starling::ui {

// One strip of an image job that one node handled, as the node panel lists it; times in
// seconds, -1 where the phase has not happened (or not ended: see `live`).
struct NodeStrip
{
    QString job;
    QString op;
    int chunk = 0;
    long long firstUnit = 0;
    long long units = 0;
    QString state; // "sending", "computing", "done", "reassigned", "failed"
    double sendS = -1;
    double computeS = -1;
    double returnS = -1;
    bool live = false; // still sending or computing
};

// One node's part of a transfer: blocks planned for it and blocks it has served.
struct NodeBlocks
{
    QString transfer;
    QString path;
    int total = 0;        // blocks in the file
    int planned = 0;      // planned for this node
    int served = 0;       // served by this node (planned for it or taken over)
    QString servedRanges; // "0-3, 8-11, ..." of the blocks it served
};

// What one node did in the console's task picture (consolemodel::TaskActivity), read by name:
// its strips of a job and its blocks of a transfer. Pure functions, so the panel only shows.
class NodeWork
{
public:
    static std::vector<NodeStrip> strips(const consolemodel::LiveJob &job, const QString &node,
                                         qint64 nowMs);
    static NodeBlocks blocks(const consolemodel::LiveTransfer &transfer, const QString &node);
    // Ascending block numbers as ranges, at most maxRanges of them then "…".
    static QString ranges(const std::vector<int> &ascending, int maxRanges = 8);
    static QString stateName(consolemodel::LiveStrip::State state);
};

} // namespace starling::ui
