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
    kSynOpsDense,         // those of kSynOps read from dense synapse groups
    // Network counters (traffic.cpp): a packet is one message of the axon routing model,
    // or one multicast packet (per spike of a neuron with destinations), whatever the
    // number of cores it reaches.
    kPackets,             // packets the core sent
    kPacketsIn,           // packets that reached the core (from cores or the host)
    kHopsEastWest,        // links the core's packets crossed, by kind (in this order)
    kHopsNorthSouth,
    kHopsChip,
    kSynOpsGraded,        // those of kSynOps weighted by a graded payload (a multiply)
    kNumCounters
};

struct Counters {
    uint64_t v[kNumCounters] = {};
    void clear() {
        for (auto& x : v) x = 0;
    }
};

}  // namespace emu
