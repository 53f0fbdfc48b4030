#pragma once

#include <QByteArray>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

// Internal to core/transfer: ParallelDownload's hashing.

namespace starling::client {

// Checks received blocks against their SHA-256 on worker threads, reading them back from the
// part file, so the thread that receives (libcurl's) only copies bytes. On a fast link the
// client is CPU-bound, and the hash was two fifths of its CPU when it ran in the write callback.
//
// The file descriptor must stay open until the verifier is stopped or destroyed (the part file
// outlives it). Results are collected with takeResults(); `wake` is called (from a worker) after
// each one, so a caller sleeping in a poll can return at once.
class BlockVerifier
{
public:
    struct Job
    {
        int block = -1;
        int source = -1; // who sent the bytes
        qint64 offset = 0;
        qint64 length = 0;
        QByteArray sha256; // expected, lower-case hex
    };
    struct Result
    {
        Job job;
        bool matches = false;
        int readError = 0; // errno when the part file could not be read back; 0 = none
    };

    BlockVerifier(int fd, int threads, std::function<void()> wake);
    ~BlockVerifier();
    BlockVerifier(const BlockVerifier &) = delete;
    BlockVerifier &operator=(const BlockVerifier &) = delete;

    void submit(Job job);
    std::vector<Result> takeResults();
    // Jobs submitted whose result was not yet taken.
    int pending() const;
    // Bytes of the jobs not yet taken (they count as progress: every byte has arrived).
    qint64 pendingBytes() const;
    // Drops queued jobs (no longer pending) and joins the workers; a job being hashed
    // finishes first and its result can still be taken.
    void stop();

private:
    void work();
    // buffer: the worker's own, 256 KiB (kChunk in the .cpp)
    Result verify(const Job &job, char *buffer) const;

    int m_fd;
    std::function<void()> m_wake;
    mutable std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<Job> m_queue;
    std::vector<Result> m_results;
    int m_pending = 0;
    qint64 m_pendingBytes = 0;
    bool m_stopping = false;
    std::vector<std::thread> m_workers;
};

} // namespace starling::client
