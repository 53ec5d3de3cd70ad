// What the network carries, step by step. Each thread ("part") counts the packets of its
// own cores and a share of the host's. Unicast packets come a sender at a time, summed per
// destination router (all cores of a router share their path); each router's hops follow
// from where it sits (mesh.hpp), and its links are added where packets share them (Part).
// Multicast packets are tallied on their stored trees, spread at the end of the part's
// step. Links are added as runs, per line; end_step() merges the parts and sums the lines.
// The counts land in the cores' counters (packets sent, hops by kind; packets received on
// multicast routes: SourceCosts counts the unicast ones),
// in per-step columns, and in per-link and per-router totals of the run.
//
// Times: a packet's latency is the target's per-packet time plus its hops' times, up to
// the farthest core it reaches; a link's serialisation time in a step is the bits it
// carried (packet_bits per packet plus the payload bits) times its seconds per bit. The
// step's network time is the larger of the longest latency and the busiest link's
// serialisation, each for the low, typical and high figures.
#pragma once
#include <algorithm>
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
    // Packets and their payload bits, all told.
    struct Load {
        uint64_t packets, bits;
    };
    // Where a core sits: its router's index (fewer than 2^31: Mesh refuses more links),
    // chip, and x, y on the chip's grid (at most 4096 x 4096), in one record.
    struct Seat {
        int32_t router, chip;
        int16_t x, y;
    };

  public:
    // cores[c]: the counters traffic of core c adds to. Each part sends on routes of its
    // own (a route leaves one core, or the host: the host's multicast trees are part 0's).
    // n_parts: the threads that send; unicast: whether packets go core to core (else down
    // multicast trees); longest_unicast: the links of the longest unicast path
    // (Mesh::add_unicast), for the hop histogram's length.
    Traffic(const Mesh& mesh, std::vector<Counters*> cores, const Timing& timing, int32_t n_parts, bool unicast,
            int32_t longest_unicast);

    // One sender's unicast packets as they are handed over, destination core by
    // destination core. unicast() runs once per message, so it only sums the packets per
    // destination router (the routers of the sender's chip apart from the others):
    // end_sender() works out each router's path once.
    class Sender {
      public:
        // m packets to core dst carrying `bits` payload bits in all.
        void unicast(int32_t dst, uint64_t m, uint64_t bits) {
            const Seat& to = seats_[dst];
            uint64_t& at = packets_[to.router];
            // a core of each router reached, those on the sender's chip apart from the
            // others (room for every core: no branch on a new router, nor on its chip)
            const bool first = at == 0, same = to.chip == chip_;
            on_chip_[n_on_chip_] = dst;
            n_on_chip_ += first & same;
            off_chip_[n_off_chip_] = dst;
            n_off_chip_ += first & !same;
            at += m;
            if (bits) {  // (most packets carry none: their bits are not touched)
                bits_[to.router] += bits;
                any_bits_ = true;
            }
            to_self_ += dst == self_ ? m : 0;
        }

      private:
        friend class Traffic;
        int32_t part_ = 0;
        const Seat* seats_ = nullptr;
        int32_t self_ = -1, chip_ = 0;  // the sender's core (-1: the host) and chip
        uint64_t* packets_ = nullptr;  // per router
        uint64_t* bits_ = nullptr;     // per router
        int32_t *on_chip_ = nullptr, *off_chip_ = nullptr;
        size_t n_on_chip_ = 0, n_off_chip_ = 0;
        bool any_bits_ = false;
        uint64_t to_self_ = 0;  // packets back to the sender's core
    };
    // Part p sends the unicast packets of core `src` (-1: the host): begin_sender(), then
    // the Sender's unicast() per destination core, then end_sender(). (Inline, and the
    // Sender passed by value: the caller's copy is never seen through a pointer, so the
    // compiler keeps it in registers while the sums are stored.)
    Sender begin_sender(int32_t p, int32_t src) {
        start_sender(p, src);
        Part& part = parts_[p];
        Sender sender;
        sender.part_ = p;
        sender.seats_ = seats_.data();
        sender.packets_ = part.reached_packets.data();
        sender.bits_ = part.reached_bits.data();
        sender.self_ = src;
        sender.chip_ = part.from.chip;
        sender.on_chip_ = part.on_chip.data();
        sender.off_chip_ = part.off_chip.data();
        return sender;
    }
    void end_sender(Sender sender);
    // m packets on multicast route r carrying `bits` payload bits in all, sent by part p.
    void send(int32_t p, int32_t r, uint64_t m, uint64_t bits) {
        RouteTally& t = routes_[r];
        if (!t.packets) parts_[p].touched_routes.push_back(r);
        t.packets += m;
        t.bits += bits;
    }
    // Part p's multicast routes and the step's unicast packets on their legs and last
    // chips: into its own sums (the part's thread, in parallel).
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
        uint64_t packets, hops[kLinkKinds];
    };
    // The leg to a destination chip from chip `from` (filled when a sender on that chip
    // first sends there; what each router reached needs of it copied beside the packets,
    // one record read per router), and the packets the part's senders on `from` sent
    // along it since its links were last added.
    struct ChipWay {
        int32_t from = -1;
        int32_t departure, arrival, entry_x, entry_y;
        int32_t hops[kLinkKinds];
        int64_t entered;      // the arrival direction's first index in Part::entered_packets
        const ChipLeg* leg;   // (the mesh's legs are all built before the Traffic is)
        Load load;
    };
    // Packets that entered their last chip from direction `arrival` for the router of `core`.
    struct Entering {
        int32_t arrival, core;
    };
    // One part's sums of a step. A step's packets and bits per link are differences
    // along each line (mesh.hpp): a run of a route adds at its first position and takes
    // away after its last; end_step() sums each line the step touched.
    //
    // Unicast links are added where packets share them: on one chip per sender and
    // destination router; across chips, the first chip's runs per router the senders
    // sit on and direction they leave by (when the part's sender moves to another
    // router, and at end_part), the legs per senders' chip and destination chip (when
    // the part's sender moves to another chip, and at end_part), the last chip's runs
    // per arrival direction and destination router (end_part): a large system's step
    // sends each pair of cores a packet or two, but each pair of chips many.
    struct Part {
        std::vector<int32_t> touched_routes;
        // unicast: the sender being counted, and its packets per destination router
        // (where the Sender sums them); the packets the senders on the router at
        // `departing_at` sent per direction they leave its chip by, and the hops from
        // that router to each direction's port
        int32_t sender = -1;
        Place from{};
        std::vector<uint64_t> reached_packets, reached_bits;  // (apart: bits are rare)
        std::vector<int32_t> on_chip, off_chip;  // (Sender)
        Place departing_at{-1, 0, 0};
        Load departing[kChipDirections] = {};
        int32_t first_hops[kChipDirections][2] = {};
        // (the touched lists have room for every entry: no branch on a new one)
        std::vector<ChipWay> ways;  // per destination chip
        std::vector<int32_t> touched_ways;
        size_t n_ways = 0;
        int32_t ways_from = -1;  // the chip whose senders' packets the ways hold
        std::vector<uint64_t> entered_packets, entered_bits;  // per (arrival direction, router)
        std::vector<Entering> touched_entered;
        size_t n_entered = 0;
        // Per (chip-to-chip hops, north-south hops) of the step's unicast deliveries, the
        // most east-west hops + 1 (0: none): a latency grows with each kind of hop (the
        // hop times are >= 0, System::set_timing), so these give the longest latency and
        // the longest delivery exactly.
        std::vector<int32_t> most_east_west;
        std::vector<uint64_t> hops_seen;  // deliveries per hop count, this step
        uint64_t row[kTrafficColumns] = {};
        double latency[3] = {};
        uint64_t host[1 + kLinkKinds] = {};
        std::vector<CoreTraffic> cores;
        std::vector<int32_t> touched_cores;  // cores with packets sent
        std::vector<uint64_t> packets_in;    // per core, on multicast routes (SourceCosts
                                             // counts unicast ones: one per message)
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
    // The X-then-Y runs on `chip` from the router at `at` to the one at (x, y), into
    // part's line differences.
    void add_path(Part& part, int32_t chip, const Place& at, int32_t x, int32_t y, const Load& load) {
        LinkRun runs[2];
        int32_t hops[kLinkKinds] = {0, 0, 0};
        add_runs(part, runs, mesh_.xy_runs(chip, at.x, at.y, x, y, runs, hops), load.packets, load.bits);
    }
    // Part p's state for sender src: where it sits, the hops to its chip's ports (and the
    // previous senders' packets on their legs and first chip's runs, where src sits on
    // another chip or router).
    void start_sender(int32_t p, int32_t src);
    // `way` as the leg from chip a to chip b.
    void fill_way(ChipWay& way, int32_t a, int32_t b) const;
    // What a sender's packets reach: its sums, and the part's hop histogram and most
    // east-west hops. (A local copy of it stays in registers while the loops store.)
    struct Reach {
        CoreTraffic sent;
        uint64_t bit_hops;
        uint64_t* hops_seen;
        int32_t* most_east_west;
        int32_t ns_span;
        // packets to a router `hops` away
        void add(const int32_t hops[kLinkKinds], const Load& load) {
            const int32_t total = hops[0] + hops[1] + hops[2];
            sent.packets += load.packets;
            for (int kind = 0; kind < kLinkKinds; ++kind)
                sent.hops[kind] += load.packets * static_cast<uint64_t>(hops[kind]);
            bit_hops += load.bits * static_cast<uint64_t>(total);
            hops_seen[total] += load.packets;
            int32_t& most = most_east_west[hops[kChipToChip] * ns_span + hops[kNorthSouth]];
            most = std::max(most, hops[kEastWest] + 1);
        }
    };
    // The part's sender's packets to the routers of cores reached[0 .. n) on other
    // chips; kBits: whether they carry payload bits (a sender's packets mostly carry
    // none, and their sums are then left out).
    template <bool kBits>
    void reach_other_chips(Part& part, const int32_t* reached, size_t n, Reach& reach);
    // The packets part's departing sums hold, on the first chip's runs.
    void add_departures(Part& part);
    // The packets part's ways hold, on their legs.
    void add_legs(Part& part);
    // Part p's sums of core c (noting it the first time in a step).
    CoreTraffic& core_sums(Part& part, int32_t c) {
        CoreTraffic& t = part.cores[c];
        if (!t.packets) part.touched_cores.push_back(c);
        return t;
    }

    const Mesh& mesh_;
    std::vector<Counters*> cores_;
    const Timing& timing_;
    std::vector<Seat> seats_;  // per core
    int32_t ns_span_;                   // most north-south hops of a unicast path + 1
    std::vector<RouteTally> routes_;
    std::vector<int64_t> line_start_;  // per line, its first difference
    std::vector<Part> parts_;
    std::vector<uint64_t> link_packets_, link_bits_, router_packets_, hop_histogram_;
    std::vector<uint64_t> started_;  // this run's packets per router they started at
};

}  // namespace emu
