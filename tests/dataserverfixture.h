#pragma once

// Shared by tst_dataserver (HTTP behaviour) and tst_dataserverload (load, slow clients and
// pacing): an export root in a QTemporaryDir, a recorder of block callbacks, and a DataServer
// on 127.0.0.1 port 0. The tree: root/big.bin (3 MiB + 123, random), root/small.txt
// ("0123456789"), root/empty.bin, root/dir/inner.txt, root/with space.txt, root/link-out ->
// ../outside/secret.txt ("TOP SECRET CONTENT").
#include "http/dataserver.h"
#include "httptestclient.h"
#include "testutil.h"
#include "transfer/blocktagsigner.h"
#include "transfer/transferplan.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QMutex>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

namespace dataservertest {

using namespace starling::http;
using namespace httptest;
using starling::Expected;
using starling::transfer::ExportRoot;

constexpr qint64 kBigSize = 3 * 1024 * 1024 + 123;
// The cluster token the fixture's server holds (a slave's comes from STARLING_CLUSTER_TOKEN).
inline const QByteArray kToken = QByteArray(64, 'c');

// The query of a block tag as the master signs it: "t=<transfer>&b=<block>&s=<signature>".
inline QByteArray signedTag(const QString &path, const QString &transfer, int block)
{
    const QByteArray signature =
        starling::transfer::BlockTagSigner(kToken).sign(transfer, block, path);
    return "t=" + transfer.toLatin1() + "&b=" + QByteArray::number(block) + "&s=" + signature;
}

inline QByteArray etagOf(const QString &path)
{
    struct stat st;
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return {};
    return starling::transfer::makeEtag(
        qint64(st.st_size), std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec);
}

struct BlockLog
{
    QMutex mutex;
    std::vector<BlockServed> blocks;

    DataServer::BlockCallback callback()
    {
        return [this](const BlockServed &block) {
            QMutexLocker lock(&mutex);
            blocks.push_back(block);
        };
    }
    int size()
    {
        QMutexLocker lock(&mutex);
        return int(blocks.size());
    }
    BlockServed last()
    {
        QMutexLocker lock(&mutex);
        return blocks.empty() ? BlockServed{} : blocks.back();
    }
};

// The fixture a test class derives from (after QObject).
class DataServerFixture
{
protected:
    void createTree()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(QDir().mkpath(at("root/dir")));
        QVERIFY(QDir().mkpath(at("outside")));
        m_big = randomBytes(kBigSize, 42);
        QVERIFY(writeFile(at("root/big.bin"), m_big));
        QVERIFY(writeFile(at("root/small.txt"), "0123456789"));
        QVERIFY(writeFile(at("root/empty.bin"), QByteArray()));
        QVERIFY(writeFile(at("root/dir/inner.txt"), "inner"));
        QVERIFY(writeFile(at("root/with space.txt"), "spaced"));
        QVERIFY(writeFile(at("outside/secret.txt"), "TOP SECRET CONTENT"));
        QCOMPARE(
            ::symlink("../outside/secret.txt", QFile::encodeName(at("root/link-out")).constData()),
            0);
    }

    void stopServer()
    {
        m_server.reset();
        QMutexLocker lock(&m_blocks.mutex);
        m_blocks.blocks.clear();
    }

    // Serves the root on 127.0.0.1:<any>; the port, or 0 (with a warning) on failure.
    quint16 start(HttpServerLimits limits = {}, std::optional<double> linkMBps = std::nullopt,
                  DataServerAccess access = {kToken, false})
    {
        Expected<ExportRoot> root = ExportRoot::open(at("root"));
        if (!root) {
            qWarning("%s", qPrintable(root.error()));
            return 0;
        }
        m_server = std::make_unique<DataServer>(std::move(root).value(), limits, linkMBps,
                                                m_blocks.callback(), access);
        const Expected<quint16> port = m_server->listen(QHostAddress::LocalHost, 0);
        if (!port) {
            qWarning("listen failed: %s", qPrintable(port.error()));
            return 0;
        }
        return *port;
    }

    QString at(const char *relative) const { return m_dir.filePath(QString::fromUtf8(relative)); }

    QTemporaryDir m_dir;
    QByteArray m_big;
    BlockLog m_blocks;
    std::unique_ptr<DataServer> m_server;
};

} // namespace dataservertest
