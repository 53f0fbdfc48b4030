// Relay chunk messages between master and slaves: round trips and hostile payloads.
#include "transfer/relaychunk.h"

#include <QTest>

using starling::transfer::ByteSlice;
using starling::transfer::ChunkAnswer;
using starling::transfer::ChunkRequest;

class TestRelayChunk final : public QObject
{
    Q_OBJECT

private slots:
    void requestRoundTrip()
    {
        ChunkRequest r;
        r.relay = 7;
        r.seq = 12;
        r.attempt = 2;
        r.path = QStringLiteral("dir/ä b?.bin");
        r.offset = (qint64(1) << 40) + 3;
        r.length = 2 * 1024 * 1024;
        r.etag = "\"40-17f\"";
        const auto back = ChunkRequest::decode(r.encode());
        QVERIFY2(back, qPrintable(back.error()));
        QCOMPARE(back->relay, r.relay);
        QCOMPARE(back->seq, r.seq);
        QCOMPARE(back->attempt, r.attempt);
        QCOMPARE(back->path, r.path);
        QCOMPARE(back->offset, r.offset);
        QCOMPARE(back->length, r.length);
        QCOMPARE(back->etag, r.etag);
    }

    void badRequests_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("garbage") << QByteArray("\x01\x02garbage");
        QTest::newRow("array") << QByteArray("[1,2]");
        QTest::newRow("truncated") << QByteArray("{\"relay\":1,\"seq\":0,\"attem");
        QTest::newRow("missing length")
            << QByteArray("{\"relay\":1,\"seq\":0,\"attempt\":1,\"path\":\"a\",\"offset\":0,"
                          "\"etag\":\"\\\"x\\\"\"}");
        QTest::newRow("zero length")
            << QByteArray("{\"relay\":1,\"seq\":0,\"attempt\":1,\"path\":\"a\",\"offset\":0,"
                          "\"length\":0,\"etag\":\"x\"}");
        QTest::newRow("huge length")
            << QByteArray("{\"relay\":1,\"seq\":0,\"attempt\":1,\"path\":\"a\",\"offset\":0,"
                          "\"length\":1e12,\"etag\":\"x\"}");
        QTest::newRow("negative offset")
            << QByteArray("{\"relay\":1,\"seq\":0,\"attempt\":1,\"path\":\"a\",\"offset\":-1,"
                          "\"length\":5,\"etag\":\"x\"}");
        QTest::newRow("fractional seq")
            << QByteArray("{\"relay\":1,\"seq\":0.5,\"attempt\":1,\"path\":\"a\",\"offset\":0,"
                          "\"length\":5,\"etag\":\"x\"}");
        QTest::newRow("path not a string")
            << QByteArray("{\"relay\":1,\"seq\":0,\"attempt\":1,\"path\":5,\"offset\":0,\"length\":"
                          "5,\"etag\":\"x\"}");
        QTest::newRow("empty path") << QByteArray("{\"relay\":1,\"seq\":0,\"attempt\":1,\"path\":"
                                                  "\"\",\"offset\":0,\"length\":5,\"etag\":\"x\"}");
        QTest::newRow("oversized")
            << QByteArray("{\"path\":\"") + QByteArray(10000, 'a') + QByteArray("\"}");
    }

    void badRequests()
    {
        QFETCH(QByteArray, payload);
        const auto decoded = ChunkRequest::decode(payload);
        QVERIFY(!decoded);
        QVERIFY(decoded.error().startsWith(QStringLiteral("chunk request: ")));
    }

    void answerRoundTrip()
    {
        ChunkAnswer a;
        a.relay = 3;
        a.seq = 9;
        a.attempt = 1;
        a.data = QByteArray("line one\nline two\n\0binary", 25);
        const auto back = ChunkAnswer::decode(a.encode());
        QVERIFY2(back, qPrintable(back.error()));
        QCOMPARE(back->data.view().toByteArray(), a.data.view().toByteArray());
        QCOMPARE(back->seq, a.seq);
        QVERIFY(back->error.isEmpty());
    }

    // The master hands a chunk on from the message it arrived in: decoding copies no data.
    void answerDataSharesThePayload()
    {
        ChunkAnswer a;
        a.relay = 1;
        a.seq = 2;
        a.attempt = 1;
        a.data = QByteArray(256 * 1024, 'x');
        const QByteArray payload = a.encode();
        const auto back = ChunkAnswer::decode(payload);
        QVERIFY2(back, qPrintable(back.error()));
        QCOMPARE(back->data.size(), 256 * 1024);
        QCOMPARE(back->data.bytes.constData(), payload.constData()); // the same buffer
        QCOMPARE(back->data.data(), payload.constData() + payload.indexOf('\n') + 1);
    }

    void byteSliceStaysInsideItsArray()
    {
        const QByteArray bytes("0123456789");
        QCOMPARE(ByteSlice(bytes, 3, 4).view().toByteArray(), QByteArray("3456"));
        QCOMPARE(ByteSlice(bytes, 8, 100).view().toByteArray(), QByteArray("89"));
        QCOMPARE(ByteSlice(bytes, -5, 2).view().toByteArray(), QByteArray("01"));
        QVERIFY(ByteSlice(bytes, 20, 2).isEmpty());
        QVERIFY(ByteSlice(bytes, 2, -1).isEmpty());
        QCOMPARE(ByteSlice(bytes).size(), bytes.size());
    }

    void answerWithError()
    {
        ChunkAnswer a;
        a.relay = 3;
        a.seq = 9;
        a.attempt = 4;
        a.error = QStringLiteral("dir/f changed on disk");
        a.errorCode = QStringLiteral("changed");
        const auto back = ChunkAnswer::decode(a.encode());
        QVERIFY(back);
        QCOMPARE(back->error, a.error);
        QCOMPARE(back->errorCode, a.errorCode);
        QCOMPARE(back->attempt, 4);
        QVERIFY(back->data.isEmpty());
    }

    void badAnswers_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("no newline")
            << QByteArray("{\"relay\":1,\"seq\":0,\"attempt\":1,\"length\":0}");
        QTest::newRow("garbage header") << QByteArray("xx\nabc");
        QTest::newRow("short data")
            << QByteArray("{\"relay\":1,\"seq\":0,\"attempt\":1,\"length\":5}\nabc");
        QTest::newRow("long data")
            << QByteArray("{\"relay\":1,\"seq\":0,\"attempt\":1,\"length\":1}\nabc");
        QTest::newRow("header too long") << QByteArray(9000, ' ') + "\n";
        QTest::newRow("attempt zero")
            << QByteArray("{\"relay\":1,\"seq\":0,\"attempt\":0,\"length\":0}\n");
    }

    void badAnswers()
    {
        QFETCH(QByteArray, payload);
        QVERIFY(!ChunkAnswer::decode(payload));
    }
};

QTEST_GUILESS_MAIN(TestRelayChunk)
#include "tst_relaychunk.moc"
