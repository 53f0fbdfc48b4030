// UploadSlots: at most `uploads` permits at once, refused (not queued) past that, each given back
// when its permit is destroyed or moved over, also from another thread.
#include "jobs/uploadslots.h"

#include <QTest>

#include <thread>
#include <vector>

using starling::jobs::UploadSlots;

class TestUploadSlots final : public QObject
{
    Q_OBJECT

private slots:
    void refusesPastTheLimit()
    {
        UploadSlots uploads(2);
        auto a = uploads.tryTake();
        auto b = uploads.tryTake();
        QVERIFY(a && b);
        QVERIFY(!uploads.tryTake());
        QCOMPARE(uploads.free(), 0);
        a.reset();
        QCOMPARE(uploads.free(), 1);
        QVERIFY(uploads.tryTake()); // taken and given back at once (a temporary)
        QCOMPARE(uploads.free(), 1);
    }

    void atLeastOneSlot()
    {
        UploadSlots uploads(0);
        QCOMPARE(uploads.total(), 1);
        auto a = uploads.tryTake();
        QVERIFY(a);
        QVERIFY(!uploads.tryTake());
    }

    void movedPermitReleasesOnce()
    {
        UploadSlots uploads(2);
        auto a = uploads.tryTake();
        auto b = uploads.tryTake();
        QVERIFY(a && b);
        UploadSlots::Permit moved = std::move(*a);
        a.reset(); // the moved-from permit holds nothing
        QCOMPARE(uploads.free(), 0);
        moved = std::move(*b); // gives back moved's own slot, takes b's
        QCOMPARE(uploads.free(), 1);
        b.reset();
        QCOMPARE(uploads.free(), 1);
    }

    void manyThreadsNeverExceed()
    {
        UploadSlots uploads(3);
        std::atomic<int> inside{0};
        std::atomic<int> peak{0};
        std::atomic<int> refused{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&] {
                for (int i = 0; i < 2000; ++i) {
                    auto permit = uploads.tryTake();
                    if (!permit) {
                        ++refused;
                        continue;
                    }
                    const int now = ++inside;
                    int seen = peak.load();
                    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
                    }
                    --inside;
                }
            });
        }
        for (std::thread &t : threads)
            t.join();
        QVERIFY(peak.load() <= 3);
        QCOMPARE(uploads.free(), 3);
    }
};

QTEST_GUILESS_MAIN(TestUploadSlots)
#include "tst_uploadslots.moc"
