// The console's recording format: what RecordingWriter writes, readRecording reads back the
// same; a damaged file (any flipped byte, a foreign file, an oversized or lying length, a bad
// record) is one error line naming the file and the offset; a file cut anywhere is refused
// (inside the header) or plays its intact blocks with a warning, never a crash.
#include "consolemodel/recordingreader.h"
#include "consolemodel/recordingwriter.h"
#include "recordedsession.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtEndian>
#include <QTest>

using namespace starling;
using namespace starling::consolemodel;

namespace {

QByteArray u32(std::uint32_t v)
{
    char b[4];
    qToBigEndian(v, b);
    return QByteArray(b, 4);
}

QByteArray headerBlock()
{
    RecordingHeader h;
    h.startMs = 1700000000000;
    return recording::encodeBlock(QJsonDocument(h.toJson()).toJson(QJsonDocument::Compact));
}

// A session of `steps` steps recorded to `path`, a block every `perBlock` steps.
void recordSession(const QString &path, int steps, int perBlock)
{
    auto writer = RecordingWriter::create(path, RecordingHeader{});
    QVERIFY2(writer, qPrintable(writer.error()));
    testing::FakeClusterSource source;
    qint64 clock = 0;
    (*writer)->setClock([&clock] { return clock; });
    (*writer)->attach(&source);
    source.start();
    for (int step = 0; step < steps; ++step) {
        clock = step * testing::kSessionStepMs;
        testing::pushSessionStep(source, step);
        if ((step + 1) % perBlock == 0)
            QVERIFY((*writer)->flush());
    }
}

QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool samePrefix(const std::vector<Record> &part, const std::vector<Record> &whole)
{
    if (part.size() > whole.size())
        return false;
    for (size_t i = 0; i < part.size(); ++i) {
        if (part[i].atMs != whole[i].atMs || part[i].kind != whole[i].kind ||
            part[i].payloadJson != whole[i].payloadJson)
            return false;
    }
    return true;
}

} // namespace

class TestRecording : public QObject
{
    Q_OBJECT

private slots:
    void writtenRecordReadsBack()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.strec"));
        RecordingHeader header;
        header.startMs = 1700000000123;
        header.client = QStringLiteral("tst");
        header.origin = QStringLiteral("the fake");
        header.tab = QStringLiteral("Events");
        header.windowMs = 60000;
        {
            auto writer = RecordingWriter::create(path, header);
            QVERIFY2(writer, qPrintable(writer.error()));
            testing::FakeClusterSource source;
            qint64 clock = 0;
            (*writer)->setClock([&clock] { return clock; });
            (*writer)->attach(&source); // link record: disconnected
            source.start();             // link record: connected
            source.push(testing::fakeSnapshot(3, 1, 1700000000200));
            clock = 750;
            source.pushEvent({{QStringLiteral("kind"), QStringLiteral("node_draining")}});
            QVERIFY((*writer)->flush());
            clock = 1500;
            source.ack({{QStringLiteral("id"), QStringLiteral("c1")}}, {{QStringLiteral("n"), 1}});
            source.refuse({{QStringLiteral("id"), QStringLiteral("c2")}},
                          QStringLiteral("unknown_node"), QStringLiteral("no slave-9"));
        } // the writer's end writes the last block
        const auto r = readRecording(path);
        QVERIFY2(r, qPrintable(r.error()));
        QVERIFY(r->warning.isEmpty());
        QCOMPARE(r->header.startMs, header.startMs);
        QCOMPARE(r->header.client, header.client);
        QCOMPARE(r->header.origin, header.origin);
        QCOMPARE(r->header.tab, header.tab);
        QCOMPARE(r->header.windowMs, header.windowMs);
        QCOMPARE(r->records.size(), size_t(6));
        QCOMPARE(r->records[0].kind, RecordKind::Link);
        QCOMPARE(RecordedLink::fromJson(r->records[0].payload())->state, LinkState::Disconnected);
        QCOMPARE(RecordedLink::fromJson(r->records[1].payload())->state, LinkState::Connected);
        QCOMPARE(r->records[2].kind, RecordKind::Snapshot);
        const cluster::ClusterSnapshot s =
            cluster::ClusterSnapshot::fromJson(r->records[2].payload());
        QCOMPARE(s.nodes.size(), size_t(5));
        QCOMPARE(s.timeMs, 1700000000200);
        QCOMPARE(r->records[3].kind, RecordKind::Event);
        QCOMPARE(r->records[3].atMs, 750);
        const RecordedAck ok = RecordedAck::fromJson(r->records[4].payload());
        QVERIFY(ok.ok);
        QCOMPARE(ok.id, QStringLiteral("c1"));
        QCOMPARE(ok.result.value(u"n").toInt(), 1);
        const RecordedAck refused = RecordedAck::fromJson(r->records[5].payload());
        QVERIFY(!refused.ok);
        QCOMPARE(refused.code, QStringLiteral("unknown_node"));
        QCOMPARE(refused.message, QStringLiteral("no slave-9"));
        QCOMPARE(r->durationMs(), 1500);
    }

    // Past a week the reader would refuse the file: the writer ends it there, says so once,
    // and what it wrote still plays.
    void recordingEndsAtItsLimit()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("week.strec"));
        {
            auto writer = RecordingWriter::create(path, RecordingHeader{});
            QVERIFY2(writer, qPrintable(writer.error()));
            QSignalSpy failed(writer->get(), &RecordingWriter::failed);
            testing::FakeClusterSource source;
            qint64 clock = 0;
            (*writer)->setClock([&clock] { return clock; });
            (*writer)->attach(&source);
            source.push(testing::fakeSnapshot(3, 1, 1700000000200));
            clock = recording::kMaxOffsetMs + 1;
            source.push(testing::fakeSnapshot(3, 2, 1700000000700));
            source.push(testing::fakeSnapshot(3, 3, 1700000001200));
            QCOMPARE(failed.count(), 1);
            QVERIFY(failed.at(0).at(0).toString().contains(QStringLiteral("limit")));
        }
        const auto r = readRecording(path);
        QVERIFY2(r, qPrintable(r.error()));
        QCOMPARE(r->records.size(), size_t(2)); // the link at the start and the first snapshot
    }

    void neverOverwritesAFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("kept.strec"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("evidence");
        f.close();
        const auto writer = RecordingWriter::create(path, {});
        QVERIFY(!writer);
        QCOMPARE(writer.errorCode(), QStringLiteral("exists"));
        QVERIFY(writer.error().contains(path));
        QCOMPARE(fileBytes(path), QByteArray("evidence"));
        const auto nowhere = RecordingWriter::create(QStringLiteral("/nonexistent/dir/x"), {});
        QVERIFY(!nowhere);
        QVERIFY(nowhere.error().contains(QStringLiteral("cannot create")));
    }

    void everyFlippedByteIsOneError()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.strec"));
        recordSession(path, 6, 2);
        const QByteArray good = fileBytes(path);
        QVERIFY(parseRecording(good, path));
        for (qsizetype i = 0; i < good.size(); ++i) {
            QByteArray bad = good;
            bad[i] = char(bad[i] ^ 0x10);
            const auto r = parseRecording(bad, path);
            QVERIFY2(!r, qPrintable(QStringLiteral("byte %1 flipped went unnoticed").arg(i)));
            QVERIFY(r.error().startsWith(path + QLatin1Char(':')));
            QVERIFY(!r.error().contains(QLatin1Char('\n')));
        }
    }

    void everyCutIsRefusedOrPlaysItsIntactBlocks()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.strec"));
        recordSession(path, 8, 2);
        const QByteArray whole = fileBytes(path);
        const auto full = parseRecording(whole, path);
        QVERIFY2(full, qPrintable(full.error()));
        QVERIFY(full->warning.isEmpty());
        const qsizetype headerEnd = recording::kMagicBytes + 4 + recording::kBlockHeaderBytes +
                                    qFromBigEndian<std::uint32_t>(whole.constData() + 12);
        int played = 0;
        for (qsizetype n = 0; n < whole.size(); ++n) {
            const auto r = parseRecording(whole.left(n), path);
            if (n < headerEnd) {
                QVERIFY2(!r, qPrintable(QString::number(n)));
                continue;
            }
            QVERIFY2(r, qPrintable(QStringLiteral("%1 bytes: %2").arg(n).arg(r.error())));
            QVERIFY(samePrefix(r->records, full->records));
            if (r->records.size() < full->records.size() && !r->warning.isEmpty()) {
                QVERIFY(r->warning.contains(QStringLiteral("truncated at offset")));
                ++played;
            }
        }
        QVERIFY(played > 0);
    }

    void oversizedOrLyingLengthsAreRefused()
    {
        const QByteArray start = recording::fileStart() + headerBlock();
        // A length over the limit, stated consistently.
        const std::uint32_t huge = recording::kMaxStoredBytes + 1;
        auto r = parseRecording(start + u32(huge) + u32(~huge) + u32(0) + QByteArray(64, 'x'),
                                QStringLiteral("big"));
        QVERIFY(!r);
        QVERIFY2(r.error().contains(QStringLiteral("limit")), qPrintable(r.error()));
        QVERIFY(r.error().contains(QStringLiteral("offset %1").arg(start.size())));
        // A block that claims to expand to 4 GiB: refused before anything is allocated.
        const QByteArray bomb = u32(0xFFFFFFF0u) + QByteArray(16, 'x');
        r = parseRecording(start + u32(std::uint32_t(bomb.size())) +
                               u32(~std::uint32_t(bomb.size())) + u32(recording::crc32(bomb)) +
                               bomb,
                           QStringLiteral("bomb"));
        QVERIFY(!r);
        QVERIFY2(r.error().contains(QStringLiteral("expand")), qPrintable(r.error()));
    }

    void foreignFilesAndBadRecordsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        const QByteArray start = recording::fileStart() + headerBlock();
        QTest::newRow("empty") << QByteArray() << "not a Starling console recording";
        QTest::newRow("text") << QByteArray("hello world\n") << "not a Starling console";
        QTest::newRow("newer version")
            << QByteArray(recording::kMagic, 8) + u32(2) + headerBlock() << "format version 2";
        QTest::newRow("garbage line")
            << start + recording::encodeBlock("garbage\n") << "record 1 of the block";
        QTest::newRow("unknown kind")
            << start + recording::encodeBlock("{\"t\":1,\"k\":\"x\",\"p\":{}}\n")
            << "no known kind";
        QTest::newRow("negative time")
            << start + recording::encodeBlock("{\"t\":-5,\"k\":\"e\",\"p\":{}}\n")
            << "no valid time";
        QTest::newRow("back in time")
            << start + recording::encodeBlock("{\"t\":9,\"k\":\"e\",\"p\":{}}\n"
                                              "{\"t\":3,\"k\":\"e\",\"p\":{}}\n")
            << "back in time";
        QTest::newRow("header not json")
            << recording::fileStart() + recording::encodeBlock("nope") << "start_ms";
    }

    void foreignFilesAndBadRecordsAreRefused()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        const auto r = parseRecording(bytes, QStringLiteral("f.strec"));
        QVERIFY(!r);
        QVERIFY2(r.error().contains(message), qPrintable(r.error()));
        QVERIFY(r.error().startsWith(QStringLiteral("f.strec: ")));
    }

    void missingFileIsOneLine()
    {
        const auto r = readRecording(QStringLiteral("/nonexistent/x.strec"));
        QVERIFY(!r);
        QVERIFY(r.error().startsWith(QStringLiteral("/nonexistent/x.strec: ")));
    }
};

QTEST_GUILESS_MAIN(TestRecording)
#include "tst_recording.moc"
