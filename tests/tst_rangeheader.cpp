// parseRange: every form of RFC 9110's byte ranges against a file size, whitespace and case,
// clamping, suffixes, unsatisfiable starts, empty files, and garbage, truncated and oversized
// headers (Malformed, never undefined behaviour); plus the Content-Range helpers.
#include "transfer/rangeheader.h"

#include <QTest>

#include <limits>

using starling::transfer::RangeRequest;
using Kind = RangeRequest::Kind;

Q_DECLARE_METATYPE(RangeRequest::Kind)

class TestRangeHeader : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void noHeader();
    void contentRangeText();
};

void TestRangeHeader::parse_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<qint64>("size");
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<qint64>("offset");
    QTest::addColumn<qint64>("length");

    const qint64 kMax = std::numeric_limits<qint64>::max();
    auto partial = [](const char *name, QByteArray header, qint64 size, qint64 offset,
                      qint64 length) {
        QTest::newRow(name) << header << size << Kind::Partial << offset << length;
    };
    auto other = [](const char *name, QByteArray header, qint64 size, Kind kind) {
        QTest::newRow(name) << header << size << kind << qint64(0) << qint64(0);
    };

    // The three forms.
    partial("a-b", "bytes=0-499", 1000, 0, 500);
    partial("a-b middle", "bytes=500-999", 1000, 500, 500);
    partial("a-a one byte", "bytes=7-7", 1000, 7, 1);
    partial("a-", "bytes=900-", 1000, 900, 100);
    partial("0- is the whole file as a range", "bytes=0-", 1000, 0, 1000);
    partial("-n", "bytes=-100", 1000, 900, 100);
    partial("last byte", "bytes=999-999", 1000, 999, 1);
    // Clamping and suffixes longer than the file.
    partial("b past the end clamped", "bytes=500-5000", 1000, 500, 500);
    partial("b far past the end clamped", "bytes=0-9223372036854775806", 1000, 0, 1000);
    partial("suffix longer than file", "bytes=-5000", 1000, 0, 1000);
    partial("suffix equal to file", "bytes=-1000", 1000, 0, 1000);
    partial("huge suffix", "bytes=-9223372036854775807", 10, 0, 10);
    partial("largest first-pos below size", "bytes=9223372036854775806-", kMax, kMax - 1, 1);
    // Case and whitespace the RFC allows.
    partial("unit upper case", "BYTES=1-2", 10, 1, 2);
    partial("unit mixed case", "Bytes=1-2", 10, 1, 2);
    partial("leading and trailing OWS", " \tbytes=1-2 \t", 10, 1, 2);
    partial("OWS around a lone element", "bytes= 1-2 ", 10, 1, 2);
    partial("empty list elements ignored", "bytes=,1-2,", 10, 1, 2);
    partial("several empty elements", "bytes= , ,1-2, ,", 10, 1, 2);
    partial("leading zeros", "bytes=0001-0002", 10, 1, 2);

    // Unsatisfiable.
    other("first at size", "bytes=1000-", 1000, Kind::Unsatisfiable);
    other("first past size", "bytes=1000-2000", 1000, Kind::Unsatisfiable);
    other("suffix zero", "bytes=-0", 1000, Kind::Unsatisfiable);
    other("any int-range on empty file", "bytes=0-0", 0, Kind::Unsatisfiable);
    other("open range on empty file", "bytes=0-", 0, Kind::Unsatisfiable);
    other("suffix zero on empty file", "bytes=-0", 0, Kind::Unsatisfiable);
    // An empty file has no last n bytes: the whole (empty) file is sent.
    QTest::newRow("suffix on empty file")
        << QByteArray("bytes=-5") << qint64(0) << Kind::Whole << qint64(0) << qint64(0);

    // Multiple ranges.
    other("two ranges", "bytes=0-1,5-6", 10, Kind::MultipleRanges);
    other("two ranges with OWS", "bytes=0-1 , 5-6", 10, Kind::MultipleRanges);
    other("overlapping ranges", "bytes=0-5,3-8", 10, Kind::MultipleRanges);
    other("range and suffix", "bytes=0-1,-3", 10, Kind::MultipleRanges);
    other("many ranges", "bytes=" + QByteArray("0-0,").repeated(500) + "1-1", 10,
          Kind::MultipleRanges);
    other("two unsatisfiable ranges", "bytes=100-,200-", 10, Kind::MultipleRanges);

    // Malformed: garbage.
    other("empty header", "", 10, Kind::Malformed);
    other("only whitespace", "  ", 10, Kind::Malformed);
    other("no unit", "0-1", 10, Kind::Malformed);
    other("unknown unit", "items=0-1", 10, Kind::Malformed);
    other("unit prefix", "byte=0-1", 10, Kind::Malformed);
    other("unit suffix", "bytess=0-1", 10, Kind::Malformed);
    other("no dash", "bytes=5", 10, Kind::Malformed);
    other("only dash", "bytes=-", 10, Kind::Malformed);
    other("two dashes", "bytes=1-2-3", 10, Kind::Malformed);
    other("double dash suffix", "bytes=--1", 10, Kind::Malformed);
    other("last before first", "bytes=5-4", 10, Kind::Malformed);
    other("negative first", "bytes=-1-5", 10, Kind::Malformed);
    other("plus sign", "bytes=+1-5", 10, Kind::Malformed);
    other("hex digits", "bytes=0x10-0x20", 100, Kind::Malformed);
    other("letters", "bytes=a-b", 10, Kind::Malformed);
    other("decimal point", "bytes=1.5-2", 10, Kind::Malformed);
    other("space inside a range", "bytes=1 - 2", 10, Kind::Malformed);
    other("space before =", "bytes =1-2", 10, Kind::Malformed);
    other("NUL byte", QByteArray("bytes=0-1\0", 10), 10, Kind::Malformed);
    other("NUL before digits",
          QByteArray("bytes=\0"
                     "0-1",
                     10),
          10, Kind::Malformed);
    other("non-ASCII digit", "bytes=\xd9\xa1-2", 10, Kind::Malformed);
    other("semicolon list", "bytes=0-1;2-3", 10, Kind::Malformed);
    other("garbage element among ranges", "bytes=0-1,x", 10, Kind::Malformed);
    other("only commas", "bytes=,,,", 10, Kind::Malformed);
    other("second =", "bytes=0-1=2", 10, Kind::Malformed);
    // Malformed: truncated.
    other("truncated after unit", "bytes", 10, Kind::Malformed);
    other("truncated after =", "bytes=", 10, Kind::Malformed);
    other("truncated unit", "byt", 10, Kind::Malformed);
    // Malformed: oversized numbers (overflow-safe) and headers.
    other("first-pos overflows", "bytes=9223372036854775808-", kMax, Kind::Malformed);
    other("last-pos overflows", "bytes=0-9223372036854775808", 10, Kind::Malformed);
    other("suffix overflows", "bytes=-9223372036854775808", 10, Kind::Malformed);
    other("100 digits", "bytes=" + QByteArray(100, '9') + "-", 10, Kind::Malformed);
    other("100 digits of zeros then one", "bytes=0-" + QByteArray(100, '1'), 10, Kind::Malformed);
    other("header over 4 KiB", "bytes=0-1" + QByteArray(5000, ' '), 10, Kind::Malformed);
}

void TestRangeHeader::parse()
{
    QFETCH(QByteArray, header);
    QFETCH(qint64, size);
    QFETCH(Kind, kind);
    QFETCH(qint64, offset);
    QFETCH(qint64, length);
    // A non-null view even for the empty header: an empty Range header is not a missing one.
    const QByteArrayView view(header.isEmpty() ? "" : header.constData(), header.size());
    const RangeRequest range = starling::transfer::parseRange(view, size);
    QCOMPARE(range.kind, kind);
    QCOMPARE(range.offset, offset);
    QCOMPARE(range.length, length);
    if (kind == Kind::Partial) {
        QVERIFY(range.length > 0);
        QVERIFY(range.offset + range.length <= size);
    }
}

void TestRangeHeader::noHeader()
{
    using starling::transfer::parseRange;
    QCOMPARE(parseRange(QByteArrayView(), 1234), (RangeRequest{Kind::Whole, 0, 1234}));
    QCOMPARE(parseRange(QByteArray(), 0), (RangeRequest{Kind::Whole, 0, 0}));
    // A negative size (a caller's bug) is an empty file, not a negative length.
    QCOMPARE(parseRange(QByteArrayView(), -5), (RangeRequest{Kind::Whole, 0, 0}));
    QCOMPARE(parseRange("bytes=0-", -5).kind, Kind::Unsatisfiable);
}

void TestRangeHeader::contentRangeText()
{
    using namespace starling::transfer;
    QCOMPARE(contentRange(0, 500, 1000), QByteArray("bytes 0-499/1000"));
    QCOMPARE(contentRange(999, 1, 1000), QByteArray("bytes 999-999/1000"));
    QCOMPARE(unsatisfiedContentRange(1000), QByteArray("bytes */1000"));
    QCOMPARE(unsatisfiedContentRange(0), QByteArray("bytes */0"));
}

QTEST_GUILESS_MAIN(TestRangeHeader)
#include "tst_rangeheader.moc"
