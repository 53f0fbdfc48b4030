#pragma once

#include <QSemaphore>

#include <optional>

namespace starling::jobs {

// How many job uploads (reading the body, then decoding it) the master runs at once. A
// submission that finds every slot taken is refused at once (503), not queued: a waiting
// upload would still hold its connection and thread, which is what the limit is there to save.
//
// THREADS: any thread; a Permit may be released on another thread than the one that took it.
class UploadSlots
{
public:
    // A taken slot, given back when the permit is destroyed. Move-only.
    class Permit
    {
    public:
        Permit(Permit &&other) noexcept;
        Permit &operator=(Permit &&other) noexcept;
        Permit(const Permit &) = delete;
        Permit &operator=(const Permit &) = delete;
        ~Permit();

    private:
        friend class UploadSlots;
        explicit Permit(QSemaphore *semaphore) : m_semaphore(semaphore) {}
        QSemaphore *m_semaphore;
    };

    explicit UploadSlots(int slots);
    UploadSlots(const UploadSlots &) = delete;
    UploadSlots &operator=(const UploadSlots &) = delete;

    // A permit, or nullopt when all slots are in use. The slots must outlive their permits.
    std::optional<Permit> tryTake();
    int total() const { return m_total; }
    int free() const { return m_semaphore.available(); }

private:
    int m_total;
    QSemaphore m_semaphore;
};

} // namespace starling::jobs
