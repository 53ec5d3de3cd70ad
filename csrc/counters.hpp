// Activity counters: what the energy and latency models multiply by per-operation costs.
#pragma once
#include <cstdint>

namespace emu {

// Counter indices; the order is the column order of every counter array handed to Python
// (emulator/runtime.py names them).
enum Counter : int {
    kSynOps = 0,          // stored synapses read because a message arrived
    kUpdatesActive,       // neuron updates whose state changed or that spiked
    kUpdatesInactive,     // neuron updates that left the state as it was
    kSpikes,              // spikes (nonzero payloads) emitted
    kMessages,            // spike messages sent (one per destination core per spike)
    kGradedMessages,      // those of kMessages that carry a graded payload
    kPayloadBits,         // payload bits the graded messages carry: each payload's
                          // shortest two's-complement width, sign bit included
    kSynapticUpdates,     // synapses the learning engine updated (an active dependency)
    kNumCounters
};

struct Counters {
    uint64_t v[kNumCounters] = {};
    void clear() {
        for (auto& x : v) x = 0;
    }
};

}  // namespace emu
