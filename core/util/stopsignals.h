#pragma once

#include <QObject>

#include <initializer_list>
#include <vector>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

namespace starling::util {

// Turns SIGINT, SIGTERM and SIGHUP (or the signals given) into a Qt signal, delivered by the
// event loop: the handler only writes the signal's number into a pipe (the one thing that is
// safe in a handler), and a QSocketNotifier on the other end emits received(). A program that
// started processes can then stop them as it would on a window close, instead of dying and
// leaving them running. One instance per process: the handlers and the pipe are process-wide.
class StopSignals final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StopSignals)

public:
    explicit StopSignals(std::initializer_list<int> numbers, QObject *parent = nullptr);
    ~StopSignals() override; // restores the default actions
    bool isValid() const { return m_notifier != nullptr; }

signals:
    // Once per signal delivered; a signal repeated before the loop runs may arrive once.
    void received(int signalNumber);

private:
    void drain();

    QSocketNotifier *m_notifier = nullptr;
    std::vector<int> m_numbers;
};

} // namespace starling::util
