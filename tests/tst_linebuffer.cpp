// LineBuffer: the bounded NDJSON framing both bridge ends feed socket chunks into. Splitting,
// partial lines across chunks, "\r\n", the limit exactly at and just over, many lines in one
// chunk, empty lines, and the overflow being final.
#include "bridge/linebuffer.h"

#include <QTest>

using namespace starling::bridge;

namespace {

// Feeds the chunks in order and collects every line; "overflowed" if any feed reported it.
struct Fed
{
    QList<QByteArray> lines;
    bool overflowed = false;
};

Fed feedAll(LineBuffer &buffer, const QList<QByteArray> &chunks)
{
    Fed fed;
    for (const QByteArray &chunk : chunks) {
        const LineBuffer::Batch batch = buffer.feed(chunk);
        fed.lines += batch.lines;
        fed.overflowed = fed.overflowed || batch.overflowed;
    }
    return fed;
}

// Every split of text into two chunks must give the same lines as one chunk.
QList<QList<QByteArray>> twoWaySplits(const QByteArray &text)
{
    QList<QList<QByteArray>> splits;
    for (qsizetype i = 0; i <= text.size(); ++i)
        splits.append({text.left(i), text.mid(i)});
    return splits;
}

} // namespace

class TestLineBuffer : public QObject
{
    Q_OBJECT

private slots:
    void splits_data();
    void splits();
    void byteByByte();
    void limit_data();
    void limit();
    void partialOverLimitIsCaughtEarly();
    void overflowIsFinal();
    void linesBeforeOverflowSurvive();
    void manyLinesInOneChunk();
    void resetClears();
};

void TestLineBuffer::splits_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QList<QByteArray>>("lines");
    QTest::addColumn<qsizetype>("pending");

    QTest::newRow("one line") << QByteArray("{\"a\":1}\n") << QList<QByteArray>{"{\"a\":1}"}
                              << qsizetype(0);
    QTest::newRow("two lines") << QByteArray("a\nb\n") << QList<QByteArray>{"a", "b"}
                               << qsizetype(0);
    QTest::newRow("crlf") << QByteArray("a\r\nb\r\n") << QList<QByteArray>{"a", "b"}
                          << qsizetype(0);
    QTest::newRow("mixed endings")
        << QByteArray("a\nb\r\nc\n") << QList<QByteArray>{"a", "b", "c"} << qsizetype(0);
    QTest::newRow("only one cr stripped")
        << QByteArray("a\r\r\n") << QList<QByteArray>{"a\r"} << qsizetype(0);
    QTest::newRow("inner cr kept")
        << QByteArray("a\rb\n") << QList<QByteArray>{"a\rb"} << qsizetype(0);
    QTest::newRow("partial tail held")
        << QByteArray("a\nbc") << QList<QByteArray>{"a"} << qsizetype(2);
    QTest::newRow("no newline at all") << QByteArray("abc") << QList<QByteArray>{} << qsizetype(3);
    QTest::newRow("empty lines skipped")
        << QByteArray("\n\na\n\n\r\n\nb\n\n") << QList<QByteArray>{"a", "b"} << qsizetype(0);
    QTest::newRow("only newlines") << QByteArray("\n\r\n\n") << QList<QByteArray>{} << qsizetype(0);
    QTest::newRow("empty input") << QByteArray() << QList<QByteArray>{} << qsizetype(0);
    QTest::newRow("binary bytes pass through")
        << QByteArray("\x00\xff\xfe\n", 4) << QList<QByteArray>{QByteArray("\x00\xff\xfe", 3)}
        << qsizetype(0);
    QTest::newRow("utf-8") << QByteArray("{\"n\":\"Zoë ✓\"}\n")
                           << QList<QByteArray>{"{\"n\":\"Zoë ✓\"}"} << qsizetype(0);
}

void TestLineBuffer::splits()
{
    QFETCH(QByteArray, input);
    QFETCH(QList<QByteArray>, lines);
    QFETCH(qsizetype, pending);

    LineBuffer whole(1024);
    const Fed fed = feedAll(whole, {input});
    QCOMPARE(fed.lines, lines);
    QVERIFY(!fed.overflowed);
    QCOMPARE(whole.pendingSize(), pending);

    // The same input cut at every position, including inside "\r\n", gives the same lines.
    for (const QList<QByteArray> &chunks : twoWaySplits(input)) {
        LineBuffer split(1024);
        const Fed parts = feedAll(split, chunks);
        QCOMPARE(parts.lines, lines);
        QVERIFY(!parts.overflowed);
    }
}

void TestLineBuffer::byteByByte()
{
    const QByteArray input = "first\r\nsecond\n\nthird\r\n";
    LineBuffer buffer(16);
    QList<QByteArray> chunks;
    for (const char c : input)
        chunks.append(QByteArray(1, c));
    const Fed fed = feedAll(buffer, chunks);
    QCOMPARE(fed.lines, (QList<QByteArray>{"first", "second", "third"}));
    QVERIFY(!fed.overflowed);
    QCOMPARE(buffer.pendingSize(), qsizetype(0));
}

void TestLineBuffer::limit_data()
{
    // The limit counts the line's bytes without "\n" or "\r\n".
    QTest::addColumn<qsizetype>("limit");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("overflows");

    const QByteArray eight(8, 'x');
    const QByteArray nine(9, 'x');
    QTest::newRow("exactly at limit") << qsizetype(8) << eight + '\n' << false;
    QTest::newRow("exactly at limit, crlf") << qsizetype(8) << eight + "\r\n" << false;
    QTest::newRow("one over") << qsizetype(8) << nine + '\n' << true;
    QTest::newRow("one over, crlf") << qsizetype(8) << nine + "\r\n" << true;
    QTest::newRow("one over, no newline yet") << qsizetype(8) << nine << true;
    QTest::newRow("at limit plus a cr, unfinished") << qsizetype(8) << eight + '\r' << false;
    QTest::newRow("at limit plus cr then a byte") << qsizetype(8) << eight + "\ry" << true;
    QTest::newRow("limit 1") << qsizetype(1) << QByteArray("a\nb\r\n") << false;
    QTest::newRow("limit 1, two bytes") << qsizetype(1) << QByteArray("ab\n") << true;
    QTest::newRow("huge garbage") << qsizetype(64) << QByteArray(1 << 20, '\x7f') << true;
}

void TestLineBuffer::limit()
{
    QFETCH(qsizetype, limit);
    QFETCH(QByteArray, input);
    QFETCH(bool, overflows);

    LineBuffer whole(limit);
    QCOMPARE(feedAll(whole, {input}).overflowed, overflows);
    QVERIFY(whole.pendingSize() <= limit + 1);

    if (input.size() < 64) {
        for (const QList<QByteArray> &chunks : twoWaySplits(input)) {
            LineBuffer split(limit);
            QCOMPARE(feedAll(split, chunks).overflowed, overflows);
            QVERIFY(split.pendingSize() <= limit + 1);
        }
    }
}

void TestLineBuffer::partialOverLimitIsCaughtEarly()
{
    // A sender that never sends "\n" is stopped as soon as it passes the limit, not buffered.
    LineBuffer buffer(100);
    QVERIFY(!buffer.feed(QByteArray(60, 'a')).overflowed);
    QCOMPARE(buffer.pendingSize(), qsizetype(60));
    QVERIFY(!buffer.feed(QByteArray(40, 'a')).overflowed);
    QCOMPARE(buffer.pendingSize(), qsizetype(100));
    QVERIFY(buffer.feed(QByteArray(1, 'a')).overflowed);
    QCOMPARE(buffer.pendingSize(), qsizetype(0));
    QVERIFY(buffer.hasOverflowed());
}

void TestLineBuffer::overflowIsFinal()
{
    LineBuffer buffer(4);
    QVERIFY(buffer.feed("toolong\n").overflowed);
    const LineBuffer::Batch after = buffer.feed("ok\n");
    QVERIFY(after.overflowed);
    QVERIFY(after.lines.isEmpty());
}

void TestLineBuffer::linesBeforeOverflowSurvive()
{
    LineBuffer buffer(4);
    const LineBuffer::Batch batch = buffer.feed("one\ntwo\nthree!\nfour\n");
    QCOMPARE(batch.lines, (QList<QByteArray>{"one", "two"}));
    QVERIFY(batch.overflowed);
}

void TestLineBuffer::manyLinesInOneChunk()
{
    QByteArray input;
    QList<QByteArray> expected;
    for (int i = 0; i < 10000; ++i) {
        const QByteArray line = "{\"seq\":" + QByteArray::number(i) + '}';
        expected.append(line);
        input += line + (i % 2 ? "\r\n" : "\n");
    }
    input += "{\"seq\":"; // and the start of the next one
    LineBuffer buffer(32);
    const LineBuffer::Batch batch = buffer.feed(input);
    QVERIFY(!batch.overflowed);
    QCOMPARE(batch.lines.size(), expected.size());
    QCOMPARE(batch.lines, expected);
    QCOMPARE(buffer.pendingSize(), qsizetype(7));
    QCOMPARE(buffer.feed("10000}\n").lines, (QList<QByteArray>{"{\"seq\":10000}"}));
}

void TestLineBuffer::resetClears()
{
    LineBuffer buffer(4);
    QVERIFY(buffer.feed("abcdef").overflowed);
    buffer.reset();
    QVERIFY(!buffer.hasOverflowed());
    QCOMPARE(buffer.feed("ab").lines, QList<QByteArray>{});
    buffer.reset();
    QCOMPARE(buffer.feed("cd\n").lines, QList<QByteArray>{"cd"});
}

QTEST_APPLESS_MAIN(TestLineBuffer)
#include "tst_linebuffer.moc"
