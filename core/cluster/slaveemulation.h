#pragma once

namespace starling::cluster {

// How a heterogeneity profile makes one slave on a shared machine behave like a different
// machine: compute takes cpuFactor times as long (2 = twice as slow) and sends are paced to
// linkMBps megabytes per second. A slave without a profile entry is not emulated.
struct SlaveEmulation
{
    bool emulated = false;
    double cpuFactor = 1.0;
    double linkMBps = 0; // 0 = not paced
    // Issue 16: seconds every strip costs on top of its size (start-up, halo copies), so the
    // emulated compute time is affine and known: stripFixedS + standard cost * cpuFactor.
    double stripFixedS = 0;

    bool operator==(const SlaveEmulation &) const = default;
};

} // namespace starling::cluster
