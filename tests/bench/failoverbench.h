#pragma once

// Shared by the parts of bench_failover: a result row, the run's settings, and the helpers
// each part measures with.
#include "sourcefile.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QString>
#include <QUrl>

#include <algorithm>
#include <functional>
#include <optional>
#include <vector>

namespace starling::bench::failover {

struct Row
{
    Row(const char *part, const char *what, const char *unit, const char *goal)
        : part(QString::fromUtf8(part)), what(QString::fromUtf8(what)),
          unit(QString::fromUtf8(unit)), goal(QString::fromUtf8(goal))
    {}

    QString part;
    QString what;
    std::vector<double> values; // seconds or ratios, one per round
    QString unit;
    QString goal;
    QString note;

    std::optional<double> median() const
    {
        if (values.empty())
            return std::nullopt;
        std::vector<double> v = values;
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    }
};

struct Bench
{
    QString cli;
    QString outDir;
    QString work;
    int rounds = 3;
    std::vector<Row> rows;
};

double seconds(const QElapsedTimer &clock);
// `token`: the cluster token (the master's snapshot needs it).
QJsonObject nodeOf(const QUrl &master, const QByteArray &token, int rank);
std::optional<double> timeUntil(const QUrl &master, const QByteArray &token, int rank,
                                const std::function<bool(const QJsonObject &)> &done,
                                const QElapsedTimer &since, double limitS);
bool writeText(const QString &path, const QByteArray &text);
QString configPath(const Bench &bench);
QString profilePath(const Bench &bench);
// `starling get --json` with a hook on its progress lines; seconds to a verified copy.
std::optional<double> timedGet(const Bench &bench, const QString &runDir,
                               const bench::SourceFile &source, const QString &out,
                               const std::function<void(double done)> &onProgress,
                               const QString &strategy = QStringLiteral("bw"));

// The lab parts (failoverlab.cpp; root only).
void labLinks(Bench &bench, const QString &exportDir, const bench::SourceFile &source);
void labDetection(Bench &bench, const QString &exportDir);

} // namespace starling::bench::failover
