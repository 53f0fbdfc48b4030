#include "simcommand.h"

#include "charts/makespanchart.h"
#include "charts/pngexport.h"
#include "sched/makespanevaluator.h"
#include "sched/optimalstrategy.h"
#include "sched/schedulingerror.h"
#include "sim/dynamiccheck.h"
#include "sim/paperexperiment.h"
#include "sim/paperreport.h"
#include "sim/platformfile.h"
#include "sim/strategyrun.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QVBoxLayout>
#include <QWidget>

#include <cmath>
#include <cstdio>
#include <optional>

namespace starling::cli {

namespace {

using sched::SendOrder;
using sched::StrategyKind;

constexpr long long kMaxTasks = 1'000'000;
constexpr long long kMaxWholeOptimalTasks = 2000; // the exact DP is O(n L^2) per probe

struct BadArgument
{
    QString message;
};

void printOut(const QString &text)
{
    std::fputs(qPrintable(text), stdout);
}

int fail(const QString &message)
{
    std::fprintf(stderr, "starling sim: %s\n", qPrintable(message));
    return 2;
}

double numberOption(const QCommandLineParser &parser, const QString &name, double fallback,
                    double low, double high)
{
    if (!parser.isSet(name))
        return fallback;
    bool ok = false;
    const double value = parser.value(name).toDouble(&ok);
    if (!ok || !std::isfinite(value) || value < low || value > high) {
        throw BadArgument{QStringLiteral("--%1 must be a number in [%2, %3], got '%4'")
                              .arg(name)
                              .arg(low)
                              .arg(high)
                              .arg(parser.value(name))};
    }
    return value;
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(data) != data.size()) {
        std::fprintf(stderr, "starling sim: cannot write %s: %s\n", qPrintable(path),
                     qPrintable(file.errorString()));
        return false;
    }
    return true;
}

// One chart per platform, stacked, saved as one PNG.
bool writePlot(const QString &path,
               const std::vector<std::pair<QString, std::vector<sim::PaperRow>>> &charts)
{
    QWidget page;
    auto *layout = new QVBoxLayout(&page);
    for (const auto &[title, rows] : charts) {
        auto *chart = new ui::MakespanChart(&page);
        chart->setRows(title, rows);
        layout->addWidget(chart);
    }
    const QString error = ui::saveWidgetPng(&page, QSize(1200, 480 * int(charts.size())), path);
    if (!error.isEmpty()) {
        std::fprintf(stderr, "starling sim: %s\n", qPrintable(error));
        return false;
    }
    return true;
}

std::vector<sim::PaperRow> rowsFor(const std::vector<sim::PaperRow> &rows, double unitMB)
{
    std::vector<sim::PaperRow> out;
    for (const sim::PaperRow &row : rows) {
        if (row.unitMB == unitMB)
            out.push_back(row);
    }
    return out;
}

int runPaper(const QCommandLineParser &parser, sched::PddsWeights pdds)
{
    const bool divisible = parser.isSet(QStringLiteral("divisible"));
    const std::vector<sim::PaperRow> whole = sim::PaperExperiment::run(false, pdds);
    const std::vector<sim::PaperRow> real = sim::PaperExperiment::run(true, pdds);
    const std::vector<sim::PaperRow> &shown = divisible ? real : whole;
    printOut(QStringLiteral(
                 "Paper 2 (PDDS) experiment, simulated: 1 master + 8 slaves; makespan in "
                 "seconds, /opt = ratio to the optimal one-round split (dec order), /LB = ratio to "
                 "the lower bound L/rho*; rand = mean of %1 seeds.\n\n")
                 .arg(sim::PaperExperiment::kRandomSeeds));
    printOut(sim::PaperReport::table(shown, divisible));
    printOut(sim::PaperReport::verdict(whole, real));
    if (parser.isSet(QStringLiteral("csv")) &&
        !writeFile(parser.value(QStringLiteral("csv")),
                   sim::PaperReport::csv(shown, divisible).toUtf8()))
        return 1;
    if (parser.isSet(QStringLiteral("plot"))) {
        std::vector<std::pair<QString, std::vector<sim::PaperRow>>> charts;
        for (double unitMB : sim::PaperExperiment::unitSizesMB()) {
            charts.emplace_back(QStringLiteral("Paper 2 platform, %1 MB units (%2)")
                                    .arg(unitMB)
                                    .arg(unitMB < 50 ? QStringLiteral("compute-dominated")
                                                     : QStringLiteral("communication-dominated")),
                                rowsFor(shown, unitMB));
        }
        if (!writePlot(parser.value(QStringLiteral("plot")), charts))
            return 1;
    }
    return 0;
}

std::vector<sim::SlowdownEvent> parseSlowdowns(const QStringList &specs,
                                               const sched::Platform &platform)
{
    std::vector<sim::SlowdownEvent> events;
    for (const QString &spec : specs) {
        const QStringList parts = spec.split(QLatin1Char(':'));
        bool atOk = false, factorOk = false;
        const double at = parts.value(1).toDouble(&atOk);
        const double factor = parts.value(2).toDouble(&factorOk);
        int slave = -1;
        for (int i = 0; i < platform.size(); ++i) {
            if (platform.slaves[size_t(i)].name == parts.value(0))
                slave = i;
        }
        if (parts.size() != 3 || slave < 0 || !atOk || !factorOk || !(at >= 0) || !(factor > 0) ||
            !std::isfinite(at) || !std::isfinite(factor) || factor > 1e6) {
            throw BadArgument{
                QStringLiteral("--slowdown wants NAME:AT_S:FACTOR with a slave name "
                               "from the platform, AT_S >= 0 and FACTOR > 0; got '%1'")
                    .arg(spec)};
        }
        events.push_back({slave, at, factor, 1.0});
    }
    return events;
}

QJsonObject runToJson(const sched::Platform &platform, const sim::RunResult &run)
{
    QJsonArray shares, order, slaves;
    for (double share : run.timeline.shares)
        shares.append(share);
    for (int index : run.sendOrder)
        order.append(platform.slaves[size_t(index)].name);
    for (int i = 0; i < platform.size(); ++i) {
        double first = -1, sendEnd = 0, computeEnd = 0, returnEnd = 0;
        int chunks = 0;
        for (const sched::ChunkRecord &c : run.timeline.chunks) {
            if (c.slave != i)
                continue;
            if (chunks++ == 0)
                first = c.sendStart;
            sendEnd = std::max(sendEnd, c.sendEnd);
            computeEnd = std::max(computeEnd, c.computeEnd);
            returnEnd = std::max(returnEnd, c.returnEnd);
        }
        QJsonObject slave{{QStringLiteral("name"), platform.slaves[size_t(i)].name},
                          {QStringLiteral("share"), run.timeline.shares[size_t(i)]},
                          {QStringLiteral("chunks"), chunks}};
        if (chunks > 0) {
            slave.insert(QStringLiteral("send_start_s"), first);
            slave.insert(QStringLiteral("send_end_s"), sendEnd);
            slave.insert(QStringLiteral("compute_end_s"), computeEnd);
            slave.insert(QStringLiteral("finish_s"), returnEnd);
        }
        slaves.append(slave);
    }
    return {{QStringLiteral("strategy"), sched::toString(run.spec.strategy)},
            {QStringLiteral("order"), sched::toString(run.spec.order)},
            {QStringLiteral("tasks"), run.spec.load},
            {QStringLiteral("divisible"), run.spec.divisible},
            {QStringLiteral("makespan_s"), run.timeline.makespan},
            {QStringLiteral("lower_bound_s"), run.lowerBound},
            {QStringLiteral("shares"), shares},
            {QStringLiteral("send_order"), order},
            {QStringLiteral("slaves"), slaves}};
}

QString runToText(const sched::Platform &platform, const sim::RunResult &run)
{
    QString out =
        QStringLiteral("strategy %1, order %2, %3 %4 tasks\n")
            .arg(sched::toString(run.spec.strategy), sched::toString(run.spec.order))
            .arg(run.spec.load)
            .arg(run.spec.divisible ? QStringLiteral("divisible") : QStringLiteral("whole"));
    out += QStringLiteral("makespan %1 s, lower bound %2 s (ratio %3)\n\n")
               .arg(run.timeline.makespan, 0, 'f', 3)
               .arg(run.lowerBound, 0, 'f', 3)
               .arg(run.timeline.makespan / run.lowerBound, 0, 'f', 3);
    out += QStringLiteral("%1 %2 %3 %4\n")
               .arg(QStringLiteral("slave"), -12)
               .arg(QStringLiteral("share"), 10)
               .arg(QStringLiteral("chunks"), 7)
               .arg(QStringLiteral("finish (s)"), 12);
    for (int index : run.sendOrder) {
        double finish = 0;
        int chunks = 0;
        for (const sched::ChunkRecord &c : run.timeline.chunks) {
            if (c.slave == index) {
                finish = std::max(finish, c.returnEnd);
                ++chunks;
            }
        }
        out += QStringLiteral("%1 %2 %3 %4\n")
                   .arg(platform.slaves[size_t(index)].name, -12)
                   .arg(run.timeline.shares[size_t(index)], 10, 'f', run.spec.divisible ? 3 : 0)
                   .arg(chunks, 7)
                   .arg(finish, 12, 'f', 3);
    }
    return out;
}

QString chunksCsv(const sched::Platform &platform, const sim::RunResult &run)
{
    QString out = QStringLiteral(
        "slave,units,send_start_s,send_end_s,compute_start_s,compute_end_s,return_start_s,"
        "return_end_s\n");
    for (const sched::ChunkRecord &c : run.timeline.chunks) {
        out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8\n")
                   .arg(platform.slaves[size_t(c.slave)].name)
                   .arg(c.units)
                   .arg(c.sendStart, 0, 'f', 6)
                   .arg(c.sendEnd, 0, 'f', 6)
                   .arg(c.computeStart, 0, 'f', 6)
                   .arg(c.computeEnd, 0, 'f', 6)
                   .arg(c.returnStart, 0, 'f', 6)
                   .arg(c.returnEnd, 0, 'f', 6);
    }
    return out;
}

// The run --platform asks for: load, strategy, order and seed, checked in that order.
sim::RunSpec readRunSpec(const QCommandLineParser &parser, sched::PddsWeights pdds)
{
    sim::RunSpec spec;
    spec.pdds = pdds;
    spec.divisible = parser.isSet(QStringLiteral("divisible"));
    const double tasks = numberOption(parser, QStringLiteral("tasks"), 100, 1, double(kMaxTasks));
    if (!spec.divisible && tasks != std::floor(tasks))
        throw BadArgument{
            QStringLiteral("--tasks must be a whole number unless --divisible is given")};
    spec.load = tasks;
    const QString strategyName = parser.value(QStringLiteral("strategy"));
    const auto strategy = sched::strategyKindFromString(strategyName);
    if (!strategy)
        throw BadArgument{
            QStringLiteral("unknown strategy '%1'; use equal, cpu, bw, pdds, optimal or dynamic")
                .arg(strategyName)};
    spec.strategy = *strategy;
    const QString orderName = parser.value(QStringLiteral("order"));
    const auto order = sched::sendOrderFromString(orderName);
    if (!order)
        throw BadArgument{
            QStringLiteral("unknown order '%1'; use dec, inc or rand").arg(orderName)};
    spec.order = *order;
    spec.seed = std::uint64_t(numberOption(parser, QStringLiteral("seed"), 1, 0, 1e15));
    if (!spec.divisible && spec.strategy == StrategyKind::Optimal &&
        tasks > kMaxWholeOptimalTasks) {
        throw BadArgument{QStringLiteral("the exact whole-task optimum is limited to %1 tasks; use "
                                         "--divisible for larger loads")
                              .arg(kMaxWholeOptimalTasks)};
    }
    return spec;
}

// The picture compares every strategy on this platform at this load.
bool plotStrategies(const QString &plotPath, const QString &platformPath,
                    const sched::Platform &platform, const sched::Platform &estimates,
                    const sim::RunSpec &spec, const sim::SimOptions &options)
{
    const double tasks = spec.load;
    std::vector<sim::PaperRow> rows;
    const std::pair<StrategyKind, SendOrder> cases[] = {
        {StrategyKind::Equal, SendOrder::Decreasing},
        {StrategyKind::Cpu, SendOrder::Decreasing},
        {StrategyKind::Bandwidth, SendOrder::Decreasing},
        {StrategyKind::Pdds, spec.order},
        {StrategyKind::Optimal, SendOrder::Decreasing},
        {StrategyKind::Dynamic, SendOrder::Decreasing}};
    for (const auto &[kind, kindOrder] : cases) {
        if (kind == StrategyKind::Optimal && !spec.divisible && tasks > kMaxWholeOptimalTasks)
            continue;
        sim::RunSpec each = spec;
        each.strategy = kind;
        each.order = kindOrder;
        sim::PaperRow row;
        row.tasks = int(tasks);
        row.strategy = kind;
        row.order = kindOrder;
        row.makespan = sim::runStrategy(platform, estimates, each, options).timeline.makespan;
        rows.push_back(row);
    }
    return writePlot(
        plotPath,
        {{QStringLiteral("%1: makespan per strategy").arg(QFileInfo(platformPath).fileName()),
          rows}});
}

int runPlatform(const QCommandLineParser &parser, sched::PddsWeights pdds)
{
    const QString path = parser.value(QStringLiteral("platform"));
    const Expected<sched::Platform> loaded = sim::PlatformFile::load(path);
    if (!loaded)
        return fail(loaded.error());
    const sched::Platform &platform = *loaded;
    const sim::RunSpec spec = readRunSpec(parser, pdds);
    const double estimateError = numberOption(parser, QStringLiteral("estimate-error"), 0, 0, 0.99);
    sim::SimOptions options;
    options.slowdowns = parseSlowdowns(parser.values(QStringLiteral("slowdown")), platform);
    const sched::Platform estimates =
        estimateError > 0 ? sim::perturbEstimates(platform, estimateError, spec.seed) : platform;

    const sim::RunResult run = sim::runStrategy(platform, estimates, spec, options);
    if (parser.isSet(QStringLiteral("json"))) {
        printOut(QString::fromUtf8(
                     QJsonDocument(runToJson(platform, run)).toJson(QJsonDocument::Compact)) +
                 QLatin1Char('\n'));
    } else {
        printOut(runToText(platform, run));
    }
    if (parser.isSet(QStringLiteral("csv")) &&
        !writeFile(parser.value(QStringLiteral("csv")), chunksCsv(platform, run).toUtf8()))
        return 1;
    if (parser.isSet(QStringLiteral("plot")) &&
        !plotStrategies(parser.value(QStringLiteral("plot")), path, platform, estimates, spec,
                        options))
        return 1;
    return 0;
}

// Issue 16, part 3: dynamic against the optimum and the static splits, undisturbed and slowed.
int runDynamicCheck(const QCommandLineParser &parser)
{
    const std::vector<sim::DynamicCheckRow> rows = sim::DynamicCheck::run();
    printOut(sim::DynamicCheck::table(rows));
    if (parser.isSet(QStringLiteral("csv")) &&
        !writeFile(parser.value(QStringLiteral("csv")), sim::DynamicCheck::csv(rows).toUtf8()))
        return 1;
    if (parser.isSet(QStringLiteral("plot"))) {
        std::vector<std::pair<QString, std::vector<sim::PaperRow>>> charts;
        for (const bool slowed : {false, true}) {
            for (double unitMB : sim::PaperExperiment::unitSizesMB()) {
                charts.emplace_back(QStringLiteral("%1 MB units (%2), whole tasks, %3")
                                        .arg(unitMB)
                                        .arg(unitMB < 50
                                                 ? QStringLiteral("compute-dominated")
                                                 : QStringLiteral("communication-dominated"),
                                             slowed ? QStringLiteral("N1 slowed 2x at a third")
                                                    : QStringLiteral("undisturbed")),
                                    sim::DynamicCheck::chartRows(rows, unitMB, slowed));
            }
        }
        if (!writePlot(parser.value(QStringLiteral("plot")), charts))
            return 1;
    }
    return 0;
}

void describeSimCommand(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Simulate how a load of unit tasks is distributed over a one-port star platform.\n"
        "  starling sim --paper                      paper 2's experiment, both platforms\n"
        "  starling sim --platform FILE [options]    one run on your platform\n"
        "  starling sim --dynamic-check              dynamic vs optimal and static, slowed"));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("paper"),
         QStringLiteral("Reproduce paper 2's experiment (8 slaves, 20/60/100 tasks).")},
        {QStringLiteral("platform"), QStringLiteral("Platform JSON file."), QStringLiteral("FILE")},
        {QStringLiteral("dynamic-check"),
         QStringLiteral("Dynamic vs the optimum and every static split on paper 2's platforms, "
                        "undisturbed and with N1 slowed 2x.")},
        {QStringLiteral("tasks"), QStringLiteral("Unit tasks in the job (default 100)."),
         QStringLiteral("N")},
        {QStringLiteral("strategy"),
         QStringLiteral("equal, cpu, bw, pdds, optimal or dynamic (default pdds)."),
         QStringLiteral("S"), QStringLiteral("pdds")},
        {QStringLiteral("order"), QStringLiteral("Send order: dec, inc or rand (default dec)."),
         QStringLiteral("O"), QStringLiteral("dec")},
        {QStringLiteral("divisible"), QStringLiteral("Real-valued shares instead of whole tasks.")},
        {QStringLiteral("w1"), QStringLiteral("PDDS weight of compute speed (default 1.5)."),
         QStringLiteral("X")},
        {QStringLiteral("w2"), QStringLiteral("PDDS weight of bandwidth (default 0.8)."),
         QStringLiteral("Y")},
        {QStringLiteral("seed"),
         QStringLiteral("Seed for rand order and estimate errors (default 1)."),
         QStringLiteral("K")},
        {QStringLiteral("estimate-error"),
         QStringLiteral("Plan with T_i, B_i off by up to this fraction (e.g. 0.3)."),
         QStringLiteral("E")},
        {QStringLiteral("slowdown"),
         QStringLiteral("Slave NAME computes FACTOR times slower from AT_S on (repeatable)."),
         QStringLiteral("NAME:AT_S:FACTOR")},
        {QStringLiteral("json"), QStringLiteral("Print the run as one JSON object.")},
        {QStringLiteral("csv"), QStringLiteral("Write the table (or the run's chunks) as CSV."),
         QStringLiteral("FILE")},
        {QStringLiteral("plot"), QStringLiteral("Write a PNG chart of makespan per strategy."),
         QStringLiteral("FILE.png")},
    });
}

} // namespace

int runSimCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    describeSimCommand(parser);
    if (!parser.parse(arguments))
        return fail(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        printOut(parser.helpText());
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return fail(
            QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));
    try {
        sched::PddsWeights pdds;
        pdds.w1 = numberOption(parser, QStringLiteral("w1"), pdds.w1, 0, 1e6);
        pdds.w2 = numberOption(parser, QStringLiteral("w2"), pdds.w2, 0, 1e6);
        if (pdds.w1 + pdds.w2 <= 0)
            throw BadArgument{QStringLiteral("--w1 and --w2 cannot both be 0")};
        const bool paper = parser.isSet(QStringLiteral("paper"));
        const bool platform = parser.isSet(QStringLiteral("platform"));
        const bool dynamicCheck = parser.isSet(QStringLiteral("dynamic-check"));
        if (int(paper) + int(platform) + int(dynamicCheck) != 1)
            throw BadArgument{
                QStringLiteral("give exactly one of --paper, --platform FILE or --dynamic-check")};
        if (dynamicCheck)
            return runDynamicCheck(parser);
        return paper ? runPaper(parser, pdds) : runPlatform(parser, pdds);
    } catch (const BadArgument &bad) {
        return fail(bad.message);
    } catch (const sched::SchedulingError &error) {
        return fail(QString::fromUtf8(error.what()));
    }
}

} // namespace starling::cli
