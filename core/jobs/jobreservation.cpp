#include "jobreservation.h"

#include "jobs/jobboard.h"

#include <utility>

namespace starling::jobs {

JobReservation::JobReservation(JobBoard *board, qint64 uploadBytes, QString submitter)
    : m_board(board), m_slot(true), m_uploadBytes(uploadBytes), m_submitter(std::move(submitter))
{}

JobReservation::JobReservation(JobReservation &&other) noexcept
    : m_board(std::exchange(other.m_board, nullptr)), m_slot(std::exchange(other.m_slot, false)),
      m_uploadBytes(std::exchange(other.m_uploadBytes, 0)),
      m_imageBytes(std::exchange(other.m_imageBytes, 0)),
      m_submitter(std::exchange(other.m_submitter, {})),
      m_overQuota(std::exchange(other.m_overQuota, false))
{}

JobReservation &JobReservation::operator=(JobReservation &&other) noexcept
{
    if (this != &other) {
        release();
        m_board = std::exchange(other.m_board, nullptr);
        m_slot = std::exchange(other.m_slot, false);
        m_uploadBytes = std::exchange(other.m_uploadBytes, 0);
        m_imageBytes = std::exchange(other.m_imageBytes, 0);
        m_submitter = std::exchange(other.m_submitter, {});
        m_overQuota = std::exchange(other.m_overQuota, false);
    }
    return *this;
}

JobReservation::~JobReservation()
{
    release();
}

bool JobReservation::reserveImage(qint64 bytes)
{
    if (!m_board ||
        !m_board->takeBytes(m_submitter, bytes, m_uploadBytes + m_imageBytes, m_overQuota))
        return false;
    m_imageBytes += bytes;
    return true;
}

qint64 JobReservation::budgetCapacity() const
{
    return m_board ? m_board->budgetCapacity() : 0;
}

void JobReservation::release()
{
    if (!m_board)
        return;
    m_board->giveBack(m_submitter, m_slot, m_uploadBytes + m_imageBytes);
    m_board = nullptr;
    m_slot = false;
    m_uploadBytes = m_imageBytes = 0;
}

} // namespace starling::jobs
