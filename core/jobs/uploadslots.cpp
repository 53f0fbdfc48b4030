#include "uploadslots.h"

#include <algorithm>
#include <utility>

namespace starling::jobs {

UploadSlots::Permit::Permit(Permit &&other) noexcept
    : m_semaphore(std::exchange(other.m_semaphore, nullptr))
{}

UploadSlots::Permit &UploadSlots::Permit::operator=(Permit &&other) noexcept
{
    if (this != &other) {
        if (m_semaphore)
            m_semaphore->release();
        m_semaphore = std::exchange(other.m_semaphore, nullptr);
    }
    return *this;
}

UploadSlots::Permit::~Permit()
{
    if (m_semaphore)
        m_semaphore->release();
}

UploadSlots::UploadSlots(int slots) : m_total(std::max(1, slots)), m_semaphore(m_total) {}

std::optional<UploadSlots::Permit> UploadSlots::tryTake()
{
    if (!m_semaphore.tryAcquire())
        return std::nullopt;
    return Permit(&m_semaphore);
}

} // namespace starling::jobs
