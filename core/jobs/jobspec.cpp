#include "jobspec.h"

#include <QSet>

#include <cmath>
#include <optional>

namespace starling::jobs {

namespace {

Error bad(const QString &message)
{
    return Error{message, QStringLiteral("bad_request")};
}

QString shown(const QByteArray &value)
{
    QString text = QString::fromUtf8(value.left(40));
    for (QChar &c : text) {
        if (!c.isPrint())
            c = u'?';
    }
    return u'"' + text + (value.size() > 40 ? QStringLiteral("...\"") : QStringLiteral("\""));
}

std::optional<double> number(const QByteArray &value)
{
    bool ok = false;
    const double d = value.toDouble(&ok);
    if (!ok || !std::isfinite(d))
        return std::nullopt;
    return d;
}

using QueryValues = QHash<QByteArray, QByteArray>;

// Every key known and given once, and an op named: the rest is optional.
Expected<QueryValues> queryValues(const QList<QPair<QByteArray, QByteArray>> &query)
{
    static const QSet<QByteArray> known{"op", "sigma", "radius", "strategy", "order",
                                        "w1", "w2",    "tasks",  "seed"};
    QueryValues values;
    for (const auto &[key, value] : query) {
        if (!known.contains(key))
            return bad(QStringLiteral("unknown parameter %1 (known: op, sigma, radius, strategy, "
                                      "order, w1, w2, tasks, seed)")
                           .arg(shown(key)));
        if (values.contains(key))
            return bad(
                QStringLiteral("parameter \"%1\" given twice").arg(QString::fromLatin1(key)));
        values.insert(key, value);
    }
    if (!values.contains("op"))
        return bad(QStringLiteral("missing parameter \"op\" (blur, sobel, median or grey)"));
    return values;
}

// The op and its parameters; ImageOp::make says which parameters an op takes.
Expected<image::ImageOp> readOp(const QueryValues &values)
{
    std::optional<double> sigma;
    std::optional<int> radius;
    if (values.contains("sigma")) {
        sigma = number(values.value("sigma"));
        if (!sigma)
            return bad(QStringLiteral("\"sigma\" must be a number, got %1")
                           .arg(shown(values.value("sigma"))));
    }
    if (values.contains("radius")) {
        bool ok = false;
        const int r = values.value("radius").toInt(&ok);
        if (!ok)
            return bad(QStringLiteral("\"radius\" must be an integer, got %1")
                           .arg(shown(values.value("radius"))));
        radius = r;
    }
    auto op = image::ImageOp::make(QString::fromUtf8(values.value("op")), sigma, radius);
    if (!op)
        return bad(op.error());
    return *op;
}

// Strategy, send order and PDDS weights, over the cluster's defaults already in `spec`.
std::optional<Error> readScheduling(const QueryValues &values, JobSpec &spec)
{
    if (values.contains("strategy")) {
        const auto kind =
            sched::strategyKindFromString(QString::fromUtf8(values.value("strategy")));
        if (!kind)
            return bad(
                QStringLiteral("unknown strategy %1 (equal, cpu, bw, pdds, optimal, dynamic)")
                    .arg(shown(values.value("strategy"))));
        spec.strategy = *kind;
    }
    if (values.contains("order")) {
        const auto order = sched::sendOrderFromString(QString::fromUtf8(values.value("order")));
        if (!order)
            return bad(QStringLiteral("unknown order %1 (dec, inc or rand)")
                           .arg(shown(values.value("order"))));
        spec.order = *order;
    }
    for (const auto &[key, target] :
         {std::pair<QByteArray, double *>{"w1", &spec.pdds.w1}, {"w2", &spec.pdds.w2}}) {
        if (!values.contains(key))
            continue;
        const auto w = number(values.value(key));
        if (!w || *w < 0 || *w > 1e6)
            return bad(QStringLiteral("\"%1\" must be a number from 0 to 1000000, got %2")
                           .arg(QString::fromLatin1(key), shown(values.value(key))));
        *target = *w;
    }
    if (spec.pdds.w1 == 0 && spec.pdds.w2 == 0)
        return bad(QStringLiteral("\"w1\" and \"w2\" must not both be 0"));
    return std::nullopt;
}

// How many unit tasks, and the seed of a random send order.
std::optional<Error> readSplit(const QueryValues &values, JobSpec &spec)
{
    if (values.contains("tasks")) {
        bool ok = false;
        const int tasks = values.value("tasks").toInt(&ok);
        if (!ok || tasks < 1 || tasks > JobSpec::kMaxTasks)
            return bad(QStringLiteral("\"tasks\" must be an integer from 1 to %1, got %2")
                           .arg(JobSpec::kMaxTasks)
                           .arg(shown(values.value("tasks"))));
        spec.tasks = tasks;
    }
    if (values.contains("seed")) {
        bool ok = false;
        const qulonglong seed = values.value("seed").toULongLong(&ok);
        if (!ok)
            return bad(QStringLiteral("\"seed\" must be a non-negative integer, got %1")
                           .arg(shown(values.value("seed"))));
        spec.seed = seed;
    }
    return std::nullopt;
}

} // namespace

Expected<JobSpec> JobSpec::fromQuery(const QList<QPair<QByteArray, QByteArray>> &query,
                                     sched::StrategyKind defaultStrategy,
                                     sched::PddsWeights defaultPdds)
{
    const Expected<QueryValues> values = queryValues(query);
    if (!values)
        return Error{values.error(), values.errorCode()};
    const Expected<image::ImageOp> op = readOp(*values);
    if (!op)
        return Error{op.error(), op.errorCode()};
    JobSpec spec;
    spec.op = *op;
    spec.strategy = defaultStrategy;
    spec.pdds = defaultPdds;
    if (std::optional<Error> error = readScheduling(*values, spec))
        return *error;
    if (std::optional<Error> error = readSplit(*values, spec))
        return *error;
    return spec;
}

QJsonObject JobSpec::toJson() const
{
    return {{QStringLiteral("op"), op.toJson()},
            {QStringLiteral("strategy"), sched::toString(strategy)},
            {QStringLiteral("order"), sched::toString(order)},
            {QStringLiteral("w1"), pdds.w1},
            {QStringLiteral("w2"), pdds.w2},
            {QStringLiteral("tasks"), tasks},
            {QStringLiteral("seed"), QString::number(seed)}};
}

Expected<JobSpec> JobSpec::fromJson(const QJsonObject &object)
{
    auto op = image::ImageOp::fromJson(object.value(QLatin1String("op")).toObject());
    if (!op)
        return bad(op.error());
    // Everything else has the query's rules: one place decides what a valid job is.
    QList<QPair<QByteArray, QByteArray>> query{{"op", op->name().toUtf8()}};
    if (op->kind == image::OpKind::Blur)
        query.append({"sigma", QByteArray::number(op->sigma, 'g', 17)});
    if (op->kind == image::OpKind::Median)
        query.append({"radius", QByteArray::number(op->radius)});
    for (const char *key : {"strategy", "order", "seed"}) {
        const QJsonValue value = object.value(QLatin1String(key));
        if (!value.isString())
            return bad(QStringLiteral("\"%1\" must be a string").arg(QLatin1String(key)));
        query.append({key, value.toString().toUtf8()});
    }
    for (const char *key : {"w1", "w2", "tasks"}) {
        const QJsonValue value = object.value(QLatin1String(key));
        if (!value.isDouble())
            return bad(QStringLiteral("\"%1\" must be a number").arg(QLatin1String(key)));
        query.append({key, QByteArray::number(value.toDouble(), 'g', 17)});
    }
    return fromQuery(query, sched::StrategyKind::Pdds, {});
}

} // namespace starling::jobs
