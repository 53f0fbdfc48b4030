// JobSpec from a submit request's query: defaults, every parameter, and every malformed query
// refused with one line naming the key.
#include "jobs/jobspec.h"

#include <QTest>

using namespace starling;
using jobs::JobSpec;

namespace {

QList<QPair<QByteArray, QByteArray>> query(const QByteArray &text)
{
    QList<QPair<QByteArray, QByteArray>> q;
    if (text.isEmpty())
        return q;
    for (const QByteArray &part : text.split('&')) {
        const qsizetype eq = part.indexOf('=');
        q.append({eq < 0 ? part : part.left(eq), eq < 0 ? QByteArray("") : part.mid(eq + 1)});
    }
    return q;
}

Expected<JobSpec> parse(const QByteArray &text)
{
    return JobSpec::fromQuery(query(text), sched::StrategyKind::Optimal, {2.0, 0.5});
}

} // namespace

class TestJobSpec : public QObject
{
    Q_OBJECT

private slots:
    void defaults();
    void everyParameter();
    void bad_data();
    void bad();
    void json();
};

void TestJobSpec::defaults()
{
    const auto spec = parse("op=grey");
    QVERIFY2(spec, qPrintable(spec.error()));
    QCOMPARE(spec->op.name(), QStringLiteral("grey"));
    QCOMPARE(int(spec->strategy), int(sched::StrategyKind::Optimal)); // the cluster's
    QCOMPARE(spec->pdds.w1, 2.0);
    QCOMPARE(spec->pdds.w2, 0.5);
    QCOMPARE(int(spec->order), int(sched::SendOrder::Decreasing));
    QCOMPARE(spec->tasks, 100);
    QCOMPARE(spec->seed, quint64(1));
}

void TestJobSpec::everyParameter()
{
    const auto spec =
        parse("op=blur&sigma=1.25&strategy=pdds&order=rand&w1=1.5&w2=0&tasks=60&seed=42");
    QVERIFY2(spec, qPrintable(spec.error()));
    QCOMPARE(spec->op.sigma, 1.25);
    QCOMPARE(int(spec->strategy), int(sched::StrategyKind::Pdds));
    QCOMPARE(int(spec->order), int(sched::SendOrder::Random));
    QCOMPARE(spec->pdds.w1, 1.5);
    QCOMPARE(spec->pdds.w2, 0.0);
    QCOMPARE(spec->tasks, 60);
    QCOMPARE(spec->seed, quint64(42));
    const auto median = parse("op=median&radius=4&order=inc");
    QVERIFY(median);
    QCOMPARE(median->op.radius, 4);
    QCOMPARE(int(median->order), int(sched::SendOrder::Increasing));
}

void TestJobSpec::bad_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no op") << QByteArray("tasks=3") << "missing parameter \"op\"";
    QTest::newRow("empty query") << QByteArray() << "missing parameter \"op\"";
    QTest::newRow("unknown op") << QByteArray("op=warp") << "unknown op";
    QTest::newRow("unknown key") << QByteArray("op=grey&size=3") << "unknown parameter \"size\"";
    QTest::newRow("key twice") << QByteArray("op=grey&tasks=2&tasks=3") << "given twice";
    QTest::newRow("sigma junk") << QByteArray("op=blur&sigma=2x") << "\"sigma\" must be a number";
    QTest::newRow("sigma nan") << QByteArray("op=blur&sigma=nan") << "\"sigma\"";
    QTest::newRow("sigma inf") << QByteArray("op=blur&sigma=inf") << "\"sigma\"";
    QTest::newRow("radius junk") << QByteArray("op=median&radius=two") << "\"radius\"";
    QTest::newRow("radius on blur") << QByteArray("op=blur&radius=2") << "radius is for median";
    QTest::newRow("tasks 0") << QByteArray("op=grey&tasks=0") << "\"tasks\" must be an integer";
    QTest::newRow("tasks too many") << QByteArray("op=grey&tasks=100001") << "\"tasks\"";
    QTest::newRow("tasks fractional") << QByteArray("op=grey&tasks=2.5") << "\"tasks\"";
    QTest::newRow("tasks empty") << QByteArray("op=grey&tasks=") << "\"tasks\"";
    QTest::newRow("bad strategy") << QByteArray("op=grey&strategy=best") << "unknown strategy";
    QTest::newRow("bad order") << QByteArray("op=grey&order=up") << "unknown order";
    QTest::newRow("negative w1") << QByteArray("op=grey&w1=-1") << "\"w1\"";
    QTest::newRow("w1 and w2 zero") << QByteArray("op=grey&w1=0&w2=0") << "not both be 0";
    QTest::newRow("seed negative") << QByteArray("op=grey&seed=-3") << "\"seed\"";
    QTest::newRow("long garbage key") << QByteArray("op=grey&") + QByteArray(5000, 'k') + "=1"
                                      << "unknown parameter";
}

void TestJobSpec::bad()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, expected);
    const auto spec = parse(text);
    QVERIFY(!spec);
    QVERIFY2(spec.error().contains(expected), qPrintable(spec.error()));
    QCOMPARE(spec.errorCode(), QStringLiteral("bad_request"));
    QVERIFY(!spec.error().contains(u'\n'));
    QVERIFY(spec.error().size() < 300); // a hostile key is cut, not echoed whole
}

void TestJobSpec::json()
{
    const auto spec = parse("op=median&radius=3&strategy=dynamic&tasks=7&seed=9");
    QVERIFY(spec);
    const QJsonObject o = spec->toJson();
    QCOMPARE(o.value(u"strategy").toString(), QStringLiteral("dynamic"));
    QCOMPARE(o.value(u"tasks").toInt(), 7);
    QCOMPARE(o.value(u"op").toObject().value(u"radius").toInt(), 3);
    QCOMPARE(o.value(u"seed").toString(), QStringLiteral("9"));
}

QTEST_GUILESS_MAIN(TestJobSpec)
#include "tst_jobspec.moc"
