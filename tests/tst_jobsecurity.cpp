// Job uploads on a real master are bounded (issue 15, "Job uploads"): an oversized
// Content-Length is refused before any body is sent, PNG and JPEG bombs get 422 before their
// pixels are allocated and the master's peak memory stays low, a flood of concurrent uploads is
// cut to the upload slots at the headers (503 for the rest) with bounded memory, job ids are
// 128 random bits and garbage ids are refused before any lookup, and a normal job still
// completes afterwards. Every wait is on a condition with a deadline.
#include "clusterclient.h"
#include "clusterharness.h"
#include "image/imagecodec.h"
#include "testimages.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>
#include <QTcpSocket>
#include <QTest>

#include <zlib.h>

#include <algorithm>
#include <memory>
#include <vector>

using namespace starling;
using starling::testing::ClusterHarness;
using starling::testing::exchange;
using Reply = starling::testing::HttpReply;

namespace {

constexpr qint64 kMiB = qint64(1) << 20;

// A field of /proc/<pid>/status in bytes (VmRSS, VmHWM), -1 if unreadable.
qint64 procStatusBytes(qint64 pid, QByteArrayView field)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field) && line.size() > field.size() && line[field.size()] == ':')
            return line.mid(field.size() + 1).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return -1;
}

// Resets the process's peak RSS (VmHWM) to its current RSS: "5" to clear_refs (Linux 4.0+).
bool resetPeakRss(qint64 pid)
{
    QFile clear(QStringLiteral("/proc/%1/clear_refs").arg(pid));
    return clear.open(QIODevice::WriteOnly) && clear.write("5") == 1;
}

void appendChunk(QByteArray &png, const char *type, const QByteArray &data)
{
    const quint32 size = quint32(data.size());
    const char length[4] = {char(size >> 24), char(size >> 16), char(size >> 8), char(size)};
    png.append(length, 4);
    const QByteArray body = QByteArray(type, 4) + data;
    png += body;
    const uLong crc =
        crc32(0, reinterpret_cast<const Bytef *>(body.constData()), uInt(body.size()));
    const char sum[4] = {char(crc >> 24), char(crc >> 16), char(crc >> 8), char(crc)};
    png.append(sum, 4);
}

// A valid all-black RGB PNG of width x height, deflated row batch by row batch so that the
// test never holds the decoded size (16000 x 16000 x 3 = 768 MB) itself: about 0.75 MB.
QByteArray pngBomb(quint32 width, quint32 height)
{
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    QByteArray ihdr;
    for (const quint32 v : {width, height}) {
        const char bigEndian[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
        ihdr.append(bigEndian, 4);
    }
    ihdr += QByteArray("\x08\x02\x00\x00\x00", 5); // 8-bit RGB, deflate, no filter, no interlace
    appendChunk(png, "IHDR", ihdr);
    z_stream z{};
    deflateInit(&z, Z_BEST_COMPRESSION);
    const int batch = 64;
    QByteArray rows(qsizetype(batch) * (1 + 3 * qsizetype(width)), '\0'); // filter byte 0 + zeros
    QByteArray idat;
    char out[1 << 16];
    for (quint32 y = 0; y < height; y += batch) {
        const quint32 n = qMin<quint32>(batch, height - y);
        z.next_in = reinterpret_cast<Bytef *>(rows.data());
        z.avail_in = uInt(n * (1 + 3 * qsizetype(width)));
        const int flush = y + n >= height ? Z_FINISH : Z_NO_FLUSH;
        do {
            z.next_out = reinterpret_cast<Bytef *>(out);
            z.avail_out = sizeof out;
            deflate(&z, flush);
            idat.append(out, qsizetype(sizeof out - z.avail_out));
        } while (z.avail_out == 0);
    }
    deflateEnd(&z);
    appendChunk(png, "IDAT", idat);
    appendChunk(png, "IEND", {});
    return png;
}

// A real small JPEG whose frame header (SOF0) claims width x height: the header is all the
// decoder reads before deciding.
QByteArray jpegClaiming(quint16 width, quint16 height)
{
    auto jpeg = image::encodeImage(testing::noiseImage(16, 16, 3, 5), image::ImageFormat::Jpeg);
    if (!jpeg)
        return {};
    QByteArray bytes = *jpeg;
    const qsizetype sof = bytes.indexOf(QByteArray("\xff\xc0", 2));
    if (sof < 0 || sof + 9 > bytes.size())
        return {};
    bytes[sof + 5] = char(height >> 8);
    bytes[sof + 6] = char(height);
    bytes[sof + 7] = char(width >> 8);
    bytes[sof + 8] = char(width);
    return bytes;
}

QByteArray pgm(int width, int height)
{
    return "P5\n" + QByteArray::number(width) + ' ' + QByteArray::number(height) + "\n255\n" +
           QByteArray(qsizetype(width) * height, '\x40');
}

// One upload client of the flood: headers with "Expect: 100-continue", then the body only
// if the master says to go on.
struct Uploader
{
    std::unique_ptr<QTcpSocket> socket = std::make_unique<QTcpSocket>();
    QByteArray received;

    void read() { received += socket->readAll(); }
    bool hasAnswer() const { return received.contains("\r\n\r\n"); }
    bool continued() const { return received.startsWith("HTTP/1.1 100"); }
    // The final status line's code (after a 100 Continue, the second one), 0 if none yet.
    int finalStatus() const
    {
        qsizetype at = 0;
        if (continued()) {
            at = received.indexOf("\r\n\r\n");
            at = at < 0 ? received.size() : at + 4;
        }
        const QByteArray rest = received.mid(at);
        return rest.startsWith("HTTP/1.1 ") && rest.size() >= 12 ? rest.mid(9, 3).toInt() : 0;
    }
};

} // namespace

class TestJobSecurity final : public QObject
{
    Q_OBJECT

private:
    ClusterHarness m_cluster;

    QUrl master() const
    {
        return starling::testing::withToken(QUrl(m_cluster.state().masterUrl),
                                            m_cluster.state().token);
    }
    QByteArray authorization() const
    {
        return "Authorization: Bearer " + m_cluster.state().token.toLatin1() + "\r\n";
    }
    qint64 masterPid() const
    {
        const auto pids = m_cluster.state().nodePids;
        return pids.empty() ? -1 : pids.front();
    }

    QString waitForEnd(const QString &id, int timeoutMs = 120000)
    {
        QString state;
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeoutMs) {
            state = exchange(master(), "GET", "/api/v1/jobs/" + id.toLatin1())
                        .json()
                        .value(u"state")
                        .toString();
            if (state == QLatin1String("done") || state == QLatin1String("failed"))
                break;
            QTest::qWait(50);
        }
        return state;
    }

    // Baseline RSS and a reset peak, or a skip when /proc does not allow it.
    qint64 startMeasuring()
    {
        const qint64 pid = masterPid();
        if (pid <= 0 || !resetPeakRss(pid))
            return -1;
        return procStatusBytes(pid, "VmRSS");
    }

    void sendFloodHeaders(std::vector<Uploader> &flood, qint64 bodyBytes, bool withToken = true);
    void waitForAnswers(std::vector<Uploader> &flood, bool finalOnly);

private slots:
    void initTestCase();
    void cleanupTestCase();
    void idsAreUnguessable();
    void garbageIdsAreRefusedBeforeLookup();
    void oversizedContentLengthIsRefusedUnread();
    void pngBombIsRefusedBeforeDecoding();
    void jpegHeaderBombIsRefused();
    void uploadFloodIsCutAtTheHeaders();
    void uploadWithoutTokenIsRefusedUnread();
    void normalJobStillCompletes();
};

void TestJobSecurity::initTestCase()
{
    QVERIFY(m_cluster.isValid());
    // Every upload bound at its default: the limits under test are the shipped ones.
    m_cluster.writeConfig(R"({"heartbeat_ms": 100, "snapshot_hz": 10, "startup_timeout_s": 120})");
    QVERIFY(m_cluster.up(2, {}));
    QTRY_VERIFY_WITH_TIMEOUT(
        exchange(master(), "GET", "/api/v1/cluster").json().value(u"nodes").toArray().size() == 4,
        30000);
}

void TestJobSecurity::cleanupTestCase()
{
    const bool stopped = m_cluster.down();
    m_cluster.killLeftovers();
    QVERIFY(stopped);
}

void TestJobSecurity::idsAreUnguessable()
{
    static const QRegularExpression kShape(QStringLiteral("^job-[0-9a-f]{32}$"));
    QStringList ids;
    for (int i = 0; i < 3; ++i) {
        const Reply r = exchange(master(), "POST", "/api/v1/jobs?op=grey", pgm(5, 5));
        QCOMPARE(r.status, 202);
        ids << r.json().value(u"id").toString();
        QVERIFY2(kShape.match(ids.last()).hasMatch(), qPrintable(ids.last()));
    }
    QCOMPARE(QSet<QString>(ids.begin(), ids.end()).size(), 3);
    for (const QString &id : ids)
        QCOMPARE(waitForEnd(id), QStringLiteral("done"));
    // The list is still in submission order (newest first), though the ids are not ordered.
    const QJsonArray list =
        exchange(master(), "GET", "/api/v1/jobs").json().value(u"jobs").toArray();
    QVERIFY(list.size() >= 3);
    QCOMPARE(list.at(0).toObject().value(u"id").toString(), ids.at(2));
    QCOMPARE(list.at(2).toObject().value(u"id").toString(), ids.at(0));
}

void TestJobSecurity::garbageIdsAreRefusedBeforeLookup()
{
    const QByteArray unknown = "job-" + QByteArray(32, '0');
    QCOMPARE(exchange(master(), "GET", "/api/v1/jobs/" + unknown).status, 404);
    QCOMPARE(exchange(master(), "GET", "/api/v1/jobs/" + unknown + "/result").status, 404);
    const QByteArrayList garbageIds{"job-zz", "job-" + QByteArray(40, 'a'), "JOB-1", "job-1%20"};
    for (const QByteArray &garbage : garbageIds) {
        const Reply r = exchange(master(), "GET", "/api/v1/jobs/" + garbage);
        QVERIFY2(r.status == 400, garbage.constData());
        QCOMPARE(r.json().value(u"code").toString(), QStringLiteral("bad_job_id"));
    }
}

void TestJobSecurity::oversizedContentLengthIsRefusedUnread()
{
    // 300 MiB announced (the default limit is 256 MiB), not one byte of it sent: an answer can
    // only come from the headers.
    QTcpSocket socket;
    socket.connectToHost(master().host(), quint16(master().port()));
    QVERIFY(socket.waitForConnected(5000));
    socket.write("POST /api/v1/jobs?op=grey HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                 QByteArray::number(300 * kMiB) + "\r\n\r\n");
    QByteArray answer;
    QElapsedTimer clock;
    clock.start();
    while (!answer.contains("\r\n\r\n") && clock.elapsed() < 20000) {
        socket.waitForReadyRead(100);
        answer += socket.readAll();
    }
    QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.left(200).constData());
}

void TestJobSecurity::pngBombIsRefusedBeforeDecoding()
{
    const QByteArray bomb = pngBomb(16000, 16000);
    QVERIFY(bomb.size() < 2 * kMiB);
    const qint64 baseline = startMeasuring();
    if (baseline < 0)
        QSKIP("cannot reset the master's peak RSS through /proc/<pid>/clear_refs");
    const Reply r = exchange(master(), "POST", "/api/v1/jobs?op=grey", bomb);
    QCOMPARE(r.status, 422);
    QCOMPARE(r.json().value(u"code").toString(), QStringLiteral("too_large"));
    QVERIFY(!r.json().value(u"error").toString().contains(u'\n'));
    // Decoding it would take 768 MB; the upload itself is under 1 MB. 200 MB leaves room for
    // the master's own churn (threads, the snapshot) and none for the image.
    const qint64 peak = procStatusBytes(masterPid(), "VmHWM");
    qInfo("PNG bomb (%lld bytes, 768 MB decoded): master peak RSS %lld MiB over a baseline of "
          "%lld MiB",
          qint64(bomb.size()), (peak - baseline) / kMiB, baseline / kMiB);
    QVERIFY2(peak - baseline < 200 * kMiB,
             qPrintable(QStringLiteral("peak %1 MiB over a baseline of %2 MiB")
                            .arg(peak / kMiB)
                            .arg(baseline / kMiB)));
}

void TestJobSecurity::jpegHeaderBombIsRefused()
{
    const QByteArray bomb = jpegClaiming(60000, 60000);
    QVERIFY(!bomb.isEmpty());
    const Reply r = exchange(master(), "POST", "/api/v1/jobs?op=grey", bomb);
    QCOMPARE(r.status, 422);
    QCOMPARE(r.json().value(u"code").toString(), QStringLiteral("too_large"));
}

void TestJobSecurity::sendFloodHeaders(std::vector<Uploader> &flood, qint64 bodyBytes,
                                       bool withToken)
{
    // From four loopback addresses, so the flood stays under the master's connection cap per
    // client address (32 by default; tst_relayflood tests that cap) and only the upload gates
    // decide who may send a body.
    int index = 0;
    for (Uploader &u : flood) {
        const QHostAddress from(QStringLiteral("127.0.0.%1").arg(1 + index++ % 4));
        QVERIFY(u.socket->bind(from));
        u.socket->connectToHost(master().host(), quint16(master().port()));
        QVERIFY(u.socket->waitForConnected(5000));
        u.socket->write("POST /api/v1/jobs?op=grey HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                        "Expect: 100-continue\r\n" +
                        (withToken ? authorization() : QByteArray()) +
                        "Content-Length: " + QByteArray::number(bodyBytes) + "\r\n\r\n");
    }
}

// Until every uploader has an answer (a final one when `finalOnly`) or 60 s have passed.
void TestJobSecurity::waitForAnswers(std::vector<Uploader> &flood, bool finalOnly)
{
    QElapsedTimer clock;
    clock.start();
    const auto answered = [&](const Uploader &u) {
        return finalOnly ? u.finalStatus() != 0 && u.socket->bytesToWrite() == 0 : u.hasAnswer();
    };
    while (clock.elapsed() < 60000 && !std::all_of(flood.begin(), flood.end(), answered)) {
        QTest::qWait(20);
        for (Uploader &u : flood)
            u.read();
    }
}

void TestJobSecurity::uploadFloodIsCutAtTheHeaders()
{
    // 40 uploads of a valid 20 MB image announced at once. Only the upload slots (2 by
    // default) may go on to send their body; every other one is refused on its headers.
    const QByteArray body = pgm(4472, 4472);
    const qint64 baseline = startMeasuring();
    if (baseline < 0)
        QSKIP("cannot reset the master's peak RSS through /proc/<pid>/clear_refs");
    std::vector<Uploader> flood(40);
    sendFloodHeaders(flood, body.size());
    waitForAnswers(flood, false);
    std::vector<Uploader *> going;
    for (Uploader &u : flood) {
        QVERIFY2(u.hasAnswer(), "every upload is answered on its headers");
        if (u.continued()) {
            going.push_back(&u);
            continue;
        }
        QVERIFY2(u.finalStatus() == 503, u.received.left(200).constData());
        QVERIFY(u.received.contains("\"code\":\"busy\""));
    }
    QVERIFY2(!going.empty() && going.size() <= 2, qPrintable(QString::number(going.size())));
    for (Uploader *u : going)
        u->socket->write(body);
    std::vector<Uploader> accepted;
    for (Uploader *u : going)
        accepted.push_back(std::move(*u));
    waitForAnswers(accepted, true);
    QStringList ids;
    for (const Uploader &u : accepted) {
        QVERIFY2(u.finalStatus() == 202, u.received.right(300).constData());
        const QByteArray json = u.received.mid(u.received.lastIndexOf("\r\n\r\n") + 4);
        ids << QJsonDocument::fromJson(json).object().value(u"id").toString();
    }
    for (const QString &id : ids)
        QCOMPARE(waitForEnd(id), QStringLiteral("done"));
    // Two 20 MB uploads, their decoded inputs and outputs and the strips in flight: about
    // 150 MB at most. Reading all 40 bodies alone, as before, would take 800 MB.
    const qint64 peak = procStatusBytes(masterPid(), "VmHWM");
    qInfo("upload flood (40 x %lld bytes, %zu admitted): master peak RSS %lld MiB over a "
          "baseline of %lld MiB",
          qint64(body.size()), accepted.size(), (peak - baseline) / kMiB, baseline / kMiB);
    QVERIFY2(peak - baseline < 300 * kMiB,
             qPrintable(QStringLiteral("peak %1 MiB over a baseline of %2 MiB")
                            .arg(peak / kMiB)
                            .arg(baseline / kMiB)));
}

void TestJobSecurity::uploadWithoutTokenIsRefusedUnread()
{
    // Strangers' uploads are refused on their headers: no 100 Continue, so no body is read and
    // no upload slot is held (checking the token in the route would read every body first).
    std::vector<Uploader> strangers(6);
    sendFloodHeaders(strangers, 20 * kMiB, false);
    waitForAnswers(strangers, true);
    for (const Uploader &u : strangers) {
        QVERIFY2(!u.continued(), u.received.left(200).constData());
        QVERIFY2(u.finalStatus() == 401, u.received.left(200).constData());
        QVERIFY(u.received.contains("\"code\":\"unauthorized\""));
    }
    const Reply r = exchange(master(), "POST", "/api/v1/jobs?op=grey", pgm(8, 8));
    QCOMPARE(r.status, 202);
}

void TestJobSecurity::normalJobStillCompletes()
{
    const Reply r = exchange(master(), "POST", "/api/v1/jobs?op=blur&sigma=1", pgm(40, 30));
    QCOMPARE(r.status, 202);
    QCOMPARE(waitForEnd(r.json().value(u"id").toString()), QStringLiteral("done"));
    QCOMPARE(exchange(master(), "GET", "/healthz").status, 200);
}

QTEST_GUILESS_MAIN(TestJobSecurity)
#include "tst_jobsecurity.moc"
