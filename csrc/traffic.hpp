// What the network carries, step by step. Each thread ("part") counts the packets of its
// own cores and a share of the host's. Unicast packets come a sender at a time, summed per
// destination core; each pair's hops follow from where the cores sit (mesh.hpp), and its
// links are added where packets share them: on one chip per pair, across chips the first
// chip's runs and the leg between per destination chip (end_sender), the last chip's per
// destination core and the direction packets arrive from (end_part), since a large
// system's step sends each pair of cores a packet or two. Multicast packets are tallied
// on their stored trees, spread at the end of the part's step. Links are added as runs,
// per line; end_step() merges the parts and sums the lines.
// The counts land in the cores' counters (packets sent, hops by kind, packets received),
// in per-step columns, and in per-link and per-router totals of the run.
//
// Times: a packet's latency is the target's per-packet time plus its hops' times, up to
// the farthest core it reaches; a link's serialisation time in a step is the bits it
// carried (packet_bits per packet plus the payload bits) times its seconds per bit. The
// step's network time is the larger of the longest latency and the busiest link's
// serialisation, each for the low, typical and high figures.
#pragma once
#include <array>
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
    // cores[c]: the counters traffic of core c adds to. Each part sends on routes of its
    // own (a route leaves one core, or the host: the host's multicast trees are part 0's).
    // n_parts: the threads that send; longest_unicast: the links of the longest unicast
    // path (Mesh::add_unicast), for the hop histogram's length.
    Traffic(const Mesh& mesh, std::vector<Counters*> cores, const Timing& timing, int32_t n_parts,
            int32_t longest_unicast);

    // Part p sends unicast packets of core `src` (-1: the host): begin_sender(), then for
    // each destination core `dst` its m packets carrying `bits` payload bits in all
    // (unicast()), then end_sender().
    void begin_sender(int32_t p, int32_t src);
    void unicast(int32_t p, int32_t dst, uint64_t m, uint64_t bits);
    void end_sender(int32_t p);
    // m packets on multicast route r carrying `bits` payload bits in all, sent by part p.
    void send(int32_t p, int32_t r, uint64_t m, uint64_t bits) {
        RouteTally& t = routes_[r];
        if (!t.packets) parts_[p].touched_routes.push_back(r);
        t.packets += m;
        t.bits += bits;
    }
    // Part p's multicast routes and last chips' unicast runs of the step: into its own
    // sums (the part's thread, in parallel).
    void end_part(int32_t p);
    // The parts' sums of the step: fills the step's traffic row, time row (latency and
    // serialisation columns), the host's packets and hops by kind (host[0], host[1..3]),
    // and the cores' counters.
    void end_step(uint64_t* traffic_row, double* time_row, uint64_t* host);
    void clear_run();
    // Forgets the packets of a step that stopped half way.
    void discard_step();
    // The run's packets per router (from the links and where packets started) and the
    // multicast deliveries' hops (once per run instead of once per step).
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
        // unicast: the sender being counted, its sums, its packets per destination chip
        int32_t sender = -1;
        Place from{};
        CoreTraffic sent{};
        std::vector<uint64_t> chip_packets, chip_bits;
        // (the mesh's legs are all built before the Traffic is: the pointers stay valid)
        std::vector<const ChipLeg*> chip_leg;                   // set while touched
        std::vector<std::array<int32_t, kLinkKinds>> chip_hops;  // up to the chip's entry port
        std::vector<int32_t> touched_chips;
        // unicast packets that entered their last chip, per (arrival direction, core); a
        // core receives fewer than 2^24 messages a step (source_costs.cpp), of at most 32
        // payload bits
        struct Entered {
            uint32_t packets, bits;
        };
        std::vector<Entered> entered;
        std::vector<int64_t> touched_entered;
        std::vector<uint64_t> hops_seen;  // deliveries per hop count, this step
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
    // A delivery's latency after `hops` links, for figure variant v.
    double latency(const int32_t hops[kLinkKinds], int v) const {
        double t = timing_.packet[v];
        for (int kind = 0; kind < kLinkKinds; ++kind) t += hops[kind] * timing_.hop[v][kind];
        return t;
    }
    // m packets carrying `bits` over `n` runs, into part's line differences.
    void add_runs(Part& part, const LinkRun* runs, int64_t n, uint64_t m, uint64_t bits);
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
    std::vector<uint64_t> started_;  // this run's packets per router they started at
};

}  // namespace emu
