// What the network carries, step by step. Each thread ("part") counts the packets of its
// cores against their routes (one increment per packet, nothing per link); at the end of
// the step each part spreads its routes' counts over the cores they reach and the runs
// of links they cross, and end_step() merges the parts and sums the links.
// The counts land in the cores' counters (packets sent, hops by kind, packets received),
// in per-step columns, and in per-link and per-router totals of the run.
//
// Times: a packet's latency is the target's per-packet time plus its hops' times, up to
// the farthest core it reaches; a link's serialisation time in a step is the bits it
// carried (packet_bits per packet plus the payload bits) times its seconds per bit. The
// step's network time is the larger of the longest latency and the busiest link's
// serialisation, each for the low, typical and high figures.
#pragma once
#include <cstdint>
#include <vector>

#include "counters.hpp"
#include "mesh.hpp"

namespace emu {

// Per-step integer columns.
enum TrafficColumn : int {
    kTrafficPackets = 0,       // packets injected, by cores and the host
    kTrafficDeliveries,        // packets reaching a core
    kTrafficIntraCore,         // deliveries back to the sending core
    kTrafficIntraChip,         // deliveries to another core of the sender's chip
    kTrafficInterChip,         // deliveries to a core of another chip
    kTrafficHopsEastWest,      // links crossed, by kind
    kTrafficHopsNorthSouth,
    kTrafficHopsChip,
    kTrafficPayloadBitHops,    // payload bits x links crossed
    kTrafficLongestHops,       // hops of the longest delivery
    kTrafficBusiestLink,       // the link that carried the most packets (-1: none)
    kTrafficBusiestLinkPackets,
    kTrafficSlowestCore,       // the core with the longest typical busy time (System)
    kTrafficColumns
};

// Per-step time columns, seconds, for the (low, typical, high) figures.
enum TimeColumn : int { kTimeCore = 0, kTimeLatency = 3, kTimeSerialisation = 6, kTimeColumns = 9 };

// Costs in time, per figure variant v (0 low, 1 typical, 2 high).
struct Timing {
    double core[3][kNumCounters] = {};  // seconds per counted operation of a core
    std::vector<double> core_fixed;     // 3 x n_cores: seconds per step regardless of activity
    double packet[3] = {};              // a packet's base latency
    double hop[3][kLinkKinds] = {};     // latency per link crossed
    double bit[3][kLinkKinds] = {};     // serialisation seconds per bit carried
    int32_t packet_bits = 32;           // bits of a packet besides its payload
    bool set = false;
};

class Traffic {
  public:
    // cores[c]: the counters traffic of core c adds to. n_parts: the threads that send
    // (each on routes of its own: routes leave one core, or the host for part 0).
    Traffic(const Mesh& mesh, std::vector<Counters*> cores, const Timing& timing, int32_t n_parts);

    // m packets on route r carrying `bits` payload bits in all, sent by part p.
    void send(int32_t p, int32_t r, uint64_t m, uint64_t bits) {
        RouteTally& t = routes_[r];
        if (!t.packets) parts_[p].touched_routes.push_back(r);
        t.packets += m;
        t.bits += bits;
    }
    // Part p's routes of the step: into its own sums (the part's thread, in parallel).
    void end_part(int32_t p);
    // The parts' sums of the step: fills the step's traffic row, time row (latency and
    // serialisation columns), the host's packets and hops by kind (host[0], host[1..3]),
    // and the cores' counters.
    void end_step(uint64_t* traffic_row, double* time_row, uint64_t* host);
    void clear_run();
    // Forgets the packets of a step that stopped half way.
    void discard_step();
    // Spreads the run's packets over the routers and the hop histogram (which need no
    // per-step detail: once per run instead of once per step).
    void finish_run();

    const std::vector<uint64_t>& link_packets() const { return link_packets_; }
    const std::vector<uint64_t>& link_bits() const { return link_bits_; }
    const std::vector<uint64_t>& router_packets() const { return router_packets_; }
    const std::vector<uint64_t>& hop_histogram() const { return hop_histogram_; }
    uint64_t memory_bytes() const;

  private:
    // Per route, what a step touches together (one record rather than several arrays:
    // a large system's step touches many routes once each).
    struct RouteTally {
        uint64_t packets, bits;  // this step
        uint64_t run_packets;    // this run
        double latency[3];       // to its farthest core
        int32_t longest;         // hops to its farthest core
    };
    // What a core's packets do, as one part counts them.
    struct CoreTraffic {
        uint64_t packets, packets_in, hops[kLinkKinds];
    };
    // One part's sums of a step. A step's packets and bits per link are differences
    // along each line (mesh.hpp): a run of a route adds at its first position and takes
    // away after its last; end_step() sums each line the step touched.
    struct Part {
        std::vector<int32_t> touched_routes;
        uint64_t row[kTrafficColumns] = {};
        double latency[3] = {};
        uint64_t host[1 + kLinkKinds] = {};
        std::vector<CoreTraffic> cores;
        std::vector<int32_t> touched_cores;  // cores with packets sent or received
        std::vector<int64_t> line_packets, line_bits;  // differences, length + 1 per line
        std::vector<uint8_t> line_touched;
        std::vector<int64_t> touched_lines;
    };
    void clear_lines(Part& part);
    // Part p's sums of core c (noting it the first time in a step).
    CoreTraffic& core_sums(Part& part, int32_t c) {
        CoreTraffic& t = part.cores[c];
        if (!t.packets && !t.packets_in) part.touched_cores.push_back(c);
        return t;
    }

    const Mesh& mesh_;
    std::vector<Counters*> cores_;
    const Timing& timing_;
    std::vector<RouteTally> routes_;
    std::vector<int64_t> line_start_;  // per line, its first difference
    std::vector<Part> parts_;
    std::vector<uint64_t> link_packets_, link_bits_, router_packets_, hop_histogram_;
};

}  // namespace emu
