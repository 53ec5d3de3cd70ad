// The network on chip as routes. Cores sit on routers (cores_per_router per router),
// routers on a grid_x x grid_y mesh per chip, chips on a chip grid joined by chip-to-chip
// links: the four mesh directions (Loihi) or six hexagonal ones (SpiNNaker 2).
//
// A packet crosses its chip's mesh by dimension-order routing (X, then Y) from where it
// enters (its source core's router, or the router a chip link arrives at) to where it
// leaves (a destination core's router, or the router of the chip link it leaves by); from
// chip to chip it follows chip_path() (the compiler's rule, so that placement and routes
// agree) or, for multicast, the chips' (key, mask) tables. A Route is everything one
// packet does: the links it crosses (each once: a multicast tree copies a packet where
// its branches part), the routers it passes, and the cores it reaches, each with the hops
// that took it there.
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "multicast_table.hpp"

namespace emu {

// Chip-to-chip directions in the hexagonal numbering E, NE, N, W, SW, S: direction d + 3
// (mod 6) is the opposite of d. A mesh uses E, N, W and S only.
constexpr int kChipDirections = 6;
constexpr int kChipStepX[kChipDirections] = {1, 1, 0, -1, -1, 0};
constexpr int kChipStepY[kChipDirections] = {0, 1, 1, 0, -1, -1};

// Kinds of link; their energies and times differ (Loihi: east-west 3.0 pJ, north-south
// 4.0 pJ per hop).
enum LinkKind : int { kEastWest = 0, kNorthSouth, kChipToChip, kLinkKinds };

// Directions from chip position (ax, ay) to (bx, by) along the shortest path: on the
// hexagonal grid the diagonal (NE or SW) while both coordinates differ the same way;
// otherwise (and on a mesh always) S before sideways and sideways before N, so that a
// path never crosses the missing places of a partly filled top row of chips.
std::vector<int32_t> chip_path(int32_t ax, int32_t ay, int32_t bx, int32_t by, bool hexagonal);

struct MeshSpec {
    int32_t grid_x = 1, grid_y = 1;          // routers per chip
    int32_t cores_per_router = 1;
    int32_t cores_per_chip = 1;
    bool hexagonal = false;
    std::vector<int32_t> chip_x, chip_y;     // per chip: its place on the chip grid
    std::vector<int32_t> port_router;        // per direction: the router its link attaches to
    std::vector<int32_t> core_chip, core_slot;  // per core of the program
    int32_t host_chip = 0, host_router = 0;  // where the host's packets enter
};

struct Delivery {
    int32_t core;
    int32_t hops[kLinkKinds];  // links crossed, by kind, from the source to this core
};

// Links on lines: each on-chip link lies on a line of its chip (a row of east links, of
// west links, a column of north links, of south links) at its router's x or y, and each
// chip-to-chip link is a line of its own; a route's links are then a few runs of
// consecutive positions on lines, which a step's traffic adds up per line (traffic.cpp)
// instead of link by link.
struct LinkRun {
    int32_t line, first, count;  // positions [first, first + count) of the line
};

struct Route {
    int32_t source_core;   // -1: the host
    int64_t run_begin, run_end, delivery_begin, delivery_end;
    int64_t hops[kLinkKinds] = {};  // links crossed by one packet, by kind
};

// A router's place: its chip and its x, y on the chip's grid.
struct Place {
    int32_t chip, x, y;
};

// A unicast packet's way from chip a to another chip b: it leaves a by the chip link of
// direction `departure` (from that port's router), crosses the chips between (entering
// and leaving by their ports), and enters b by the link arriving from direction
// `arrival`, at the router at (entry_x, entry_y).
struct ChipLeg {
    int32_t departure, arrival, entry_x, entry_y;
    int32_t hops[kLinkKinds];    // the chip links and the crossings in between
    int64_t run_begin, run_end;  // their links as runs
};

class Mesh {
  public:
    explicit Mesh(MeshSpec spec);  // validated: LoadError on anything inconsistent

    // The route of a packet from core `src` (-1: the host) to the cores `dsts` along
    // chip_path: one destination for a unicast message, several for a multicast tree
    // (the host's packets on multicast targets, which no table routes).
    int32_t add_tree(int32_t src, const std::vector<int32_t>& dsts);
    // The multicast tree of source core `src`'s packets (key src << key_shift), following
    // the tables chip by chip: the first matching entry's links and cores, else straight
    // on (a packet from the source core itself that matches nothing is not sent: -1 is
    // returned). A packet that reaches a chip twice, leaves the chip grid, or reaches a
    // slot without a core raises LoadError.
    int32_t add_multicast(int32_t src, const std::vector<MulticastTable>& tables,
                          int32_t key_shift);

    const Route& route(int32_t r) const { return routes_[r]; }
    int32_t n_routes() const { return static_cast<int32_t>(routes_.size()); }
    const LinkRun* runs(const Route& r) const { return runs_.data() + r.run_begin; }
    const Delivery* deliveries(const Route& r) const { return deliveries_.data() + r.delivery_begin; }

    // Readies the unicast path from core src (-1: the host) to core dst (its chip leg,
    // LoadError if the chip path leaves the grid) and returns the links it crosses.
    int32_t add_unicast(int32_t src, int32_t dst);
    // The most links of a kind that any readied unicast path crosses.
    int32_t most_unicast_hops(int kind) const { return most_unicast_hops_[kind]; }
    // The leg from chip a to chip b != a, readied by add_unicast.
    const ChipLeg& leg(int32_t a, int32_t b) const { return legs_[leg_of_.at(pair_key(a, b))]; }
    int32_t chip_directions() const { return kChipDirections; }
    const LinkRun* runs(const ChipLeg& leg) const { return runs_.data() + leg.run_begin; }
    // The runs (at most two) of the X-then-Y path on a chip from the router at (x, y) to
    // the one at (tx, ty); adds its links to hops.
    int xy_runs(int32_t chip, int32_t x, int32_t y, int32_t tx, int32_t ty, LinkRun out[2],
                int32_t hops[kLinkKinds]) const {
        int n = 0;
        if (tx != x) {  // east links of row y at positions x .. tx - 1, west ones at tx + 1 .. x
            const int64_t line = (int64_t{chip} * spec_.grid_y + y) * 2 + (tx < x);
            out[n++] = {static_cast<int32_t>(line), tx > x ? x : tx + 1, tx > x ? tx - x : x - tx};
            hops[kEastWest] += tx > x ? tx - x : x - tx;
        }
        if (ty != y) {  // then along column tx
            const int64_t line = ns_lines_ + (int64_t{chip} * spec_.grid_x + tx) * 2 + (ty < y);
            out[n++] = {static_cast<int32_t>(line), ty > y ? y : ty + 1, ty > y ? ty - y : y - ty};
            hops[kNorthSouth] += ty > y ? ty - y : y - ty;
        }
        return n;
    }
    // Where packets start: core c's router, or the host's (c = -1).
    Place start_place(int32_t c) const { return c < 0 ? host_place_ : places_[c]; }
    const Place& core_place(int32_t c) const { return places_[c]; }
    // Where packets arriving from direction d enter a chip.
    const Place& port_place(int32_t d) const { return port_places_[d]; }
    int32_t core_router(int32_t core) const { return spec_.core_slot[core] / spec_.cores_per_router; }
    int64_t router_index(const Place& at) const { return int64_t{at.chip} * routers_per_chip_ + at.y * spec_.grid_x + at.x; }
    // The router (global index) a packet reaches by crossing link `link`, a link some
    // path crosses (-1 for a chip link that leaves the grid; an on-chip link off the
    // grid's edge gives a meaningless index).
    int64_t link_end(int64_t link) const;

    int64_t n_links() const { return n_chip_links_ + n_routers() * 4; }
    int64_t n_routers() const { return static_cast<int64_t>(n_chips()) * routers_per_chip_; }
    int32_t n_chips() const { return static_cast<int32_t>(spec_.chip_x.size()); }
    int32_t n_cores() const { return static_cast<int32_t>(spec_.core_chip.size()); }
    int32_t core_chip(int32_t c) const { return spec_.core_chip[c]; }
    int32_t cores_per_chip() const { return spec_.cores_per_chip; }
    LinkKind kind(int64_t link) const;
    // Lines: how many, how long, and the link at a position of a line.
    int64_t n_lines() const { return chip_lines_ + n_chip_links_; }
    int32_t line_length(int64_t line) const {
        return line >= chip_lines_ ? 1 : line < ns_lines_ ? spec_.grid_x : spec_.grid_y;
    }
    int64_t link_at(int64_t line, int32_t pos) const;
    // Link `link` as {chip, router on that chip, output, kind}: on-chip links leave their
    // router by output 0..3 (E, N, W, S); chip links leave their chip in direction 0..5
    // from the router their port attaches to.
    void describe_link(int64_t link, int32_t out[4]) const;
    uint64_t memory_bytes() const;

  private:
    struct Walk;  // one chip's part of a route under construction (mesh.cpp)
    int32_t neighbor(int32_t chip, int32_t direction) const;  // -1: off the grid
    // The chip after `chip` on the chip path to core dst: LoadError if it is off the grid.
    int32_t next_chip(int32_t chip, int32_t direction, int32_t dst) const;
    int64_t pair_key(int32_t a, int32_t b) const { return int64_t{a} * n_chips() + b; }
    // Appends the links of `links_` to runs_ as runs: sorted by line and position,
    // consecutive positions of one line merged.
    void append_runs();
    // The links of the X-then-Y path between two routers of one chip, appended to `out`.
    void xy_links(int32_t chip, int32_t from, int32_t to, std::vector<int32_t>& out) const;
    int32_t begin_route(int32_t src);
    void end_route(int32_t r);
    // Sends a packet entering `chip` at router `entry` on to `cores` (core slots) and out
    // of `directions`, after `hops` hops; returns per direction the hops on leaving.
    void cross_chip(int32_t chip, int32_t entry, const int32_t hops[kLinkKinds],
                    const std::vector<int32_t>& slots, const std::vector<int32_t>& directions,
                    int32_t src, std::vector<std::vector<int32_t>>& leave_hops);

    MeshSpec spec_;
    int32_t routers_per_chip_;
    int64_t n_chip_links_;
    std::unordered_map<int64_t, int32_t> chip_at_;   // grid position -> chip
    std::unordered_map<int64_t, int32_t> core_at_;   // chip * cores_per_chip + slot -> core
    // The line and position of an on-chip or chip link.
    void line_of(int64_t link, int64_t& line, int32_t& pos) const;

    int64_t ns_lines_ = 0, chip_lines_ = 0;  // first north-south line, first chip line
    std::vector<Route> routes_;
    std::vector<LinkRun> runs_;
    std::vector<int32_t> links_;       // the route being built (end_route makes them runs)
    std::vector<Delivery> deliveries_;
    std::vector<Place> places_, port_places_;  // per core; per direction (chip 0)
    Place host_place_;
    std::vector<ChipLeg> legs_;
    std::unordered_map<int64_t, int32_t> leg_of_;  // pair_key(a, b) -> leg
    int32_t most_unicast_hops_[kLinkKinds] = {};
    std::vector<int32_t> link_stamp_;  // per link: the route that last crossed it
    std::vector<int32_t> chip_stamp_;  // per chip: the route that last reached it
    std::vector<int32_t> path_;        // scratch
};

}  // namespace emu
