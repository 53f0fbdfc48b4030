#pragma once

#include <QString>
#include <QtGlobal>

namespace starling::jobs {

class JobBoard;

// What a submission holds on the JobBoard while its body is still arriving and being decoded:
// a queue slot and bytes of the board's budget (the upload's, then the decoded image's). Taken
// before the body is read (JobBoard::reserve), turned into a queued job by JobBoard::submit,
// and given back when destroyed unless submitted: a failed or dropped upload costs nothing
// afterwards. Move-only; the board must outlive it.
class JobReservation
{
public:
    JobReservation() = default;
    JobReservation(JobReservation &&other) noexcept;
    JobReservation &operator=(JobReservation &&other) noexcept;
    JobReservation(const JobReservation &) = delete;
    JobReservation &operator=(const JobReservation &) = delete;
    ~JobReservation();

    // Reserves `bytes` more for the decoded input and its output (JobBoard::imageCharge), making
    // room by dropping results already fetched; false if the budget cannot hold them, or if
    // they would pass the submitter's share of it (then overQuota()).
    bool reserveImage(qint64 bytes);
    bool overQuota() const { return m_overQuota; }
    const QString &submitter() const { return m_submitter; }
    // The budget's whole size (0 when the reservation holds nothing).
    qint64 budgetCapacity() const;
    bool holdsSlot() const { return m_slot; }
    qint64 uploadBytes() const { return m_uploadBytes; }
    qint64 imageBytes() const { return m_imageBytes; }

private:
    friend class JobBoard;
    JobReservation(JobBoard *board, qint64 uploadBytes, QString submitter);
    void release();

    JobBoard *m_board = nullptr;
    bool m_slot = false;
    qint64 m_uploadBytes = 0;
    qint64 m_imageBytes = 0;
    QString m_submitter;
    bool m_overQuota = false;
};

} // namespace starling::jobs
