#include "mesh.hpp"

#include <algorithm>
#include <climits>
#include <string>

#include "errors.hpp"

namespace emu {

namespace {
// On-chip router outputs, in link-id order.
enum RouterOutput : int { kEast = 0, kNorth, kWest, kSouth };

// Unsigned: a position off the grid may be negative, and shifting a negative value is
// undefined behaviour.
int64_t position_key(int64_t x, int64_t y) {
    return static_cast<int64_t>((static_cast<uint64_t>(x) << 32) ^ (static_cast<uint64_t>(y) & 0xFFFFFFFFu));
}
}  // namespace

std::vector<int32_t> chip_path(int32_t ax, int32_t ay, int32_t bx, int32_t by, bool hexagonal) {
    int64_t dx = int64_t{bx} - ax, dy = int64_t{by} - ay;
    std::vector<int32_t> path;
    while (dx || dy) {
        int32_t d;
        if (hexagonal && dx > 0 && dy > 0) d = 1;
        else if (hexagonal && dx < 0 && dy < 0) d = 4;
        else if (dy < 0) d = 5;
        else if (dx) d = dx > 0 ? 0 : 3;
        else d = 2;
        path.push_back(d);
        dx -= kChipStepX[d];
        dy -= kChipStepY[d];
    }
    return path;
}

Mesh::Mesh(MeshSpec spec) : spec_(std::move(spec)) {
    const std::string w = "mesh";
    require_range(w, "grid_x", spec_.grid_x, 1, 1 << 12);
    require_range(w, "grid_y", spec_.grid_y, 1, 1 << 12);
    require_range(w, "cores_per_router", spec_.cores_per_router, 1, 1 << 12);
    routers_per_chip_ = spec_.grid_x * spec_.grid_y;
    require_range(w, "routers per chip", routers_per_chip_, 1, 1 << 16);
    require_range(w, "cores_per_chip", spec_.cores_per_chip, 1,
                  std::min(routers_per_chip_ * spec_.cores_per_router, 1 << 20));
    const int32_t n_chips = static_cast<int32_t>(spec_.chip_x.size());
    if (n_chips < 1 || spec_.chip_y.size() != spec_.chip_x.size())
        throw LoadError("mesh: chip positions: " + std::to_string(spec_.chip_x.size()) + " x and " +
                        std::to_string(spec_.chip_y.size()) + " y coordinates");
    for (int32_t c = 0; c < n_chips; ++c)
        if (!chip_at_.emplace(position_key(spec_.chip_x[c], spec_.chip_y[c]), c).second)
            throw LoadError("mesh: chips " + std::to_string(chip_at_[position_key(
                                spec_.chip_x[c], spec_.chip_y[c])]) + " and " + std::to_string(c) +
                            " share a place on the chip grid");
    if (spec_.port_router.size() != kChipDirections)
        throw LoadError("mesh: " + std::to_string(spec_.port_router.size()) +
                        " chip-link routers for 6 directions");
    for (int32_t r : spec_.port_router) require_range(w, "chip-link router", r, 0, routers_per_chip_ - 1);
    if (spec_.core_slot.size() != spec_.core_chip.size())
        throw LoadError("mesh: core chips and slots disagree in length");
    for (size_t c = 0; c < spec_.core_chip.size(); ++c) {
        const std::string where = "mesh core " + std::to_string(c);
        require_range(where, "chip", spec_.core_chip[c], 0, n_chips - 1);
        require_range(where, "slot", spec_.core_slot[c], 0, spec_.cores_per_chip - 1);
        const int64_t key = int64_t{spec_.core_chip[c]} * spec_.cores_per_chip + spec_.core_slot[c];
        if (!core_at_.emplace(key, static_cast<int32_t>(c)).second)
            throw LoadError(where + ": its chip and slot hold core " + std::to_string(core_at_[key]));
    }
    require_range(w, "host chip", spec_.host_chip, 0, n_chips - 1);
    require_range(w, "host router", spec_.host_router, 0, routers_per_chip_ - 1);
    n_chip_links_ = int64_t{n_chips} * kChipDirections;
    if (n_links() > INT32_MAX)
        throw LoadError("mesh: " + std::to_string(n_chips) + " chips of " +
                        std::to_string(routers_per_chip_) + " routers have more than 2^31 - 1 links");
    link_stamp_.assign(n_links(), -1);
    chip_stamp_.assign(n_chips, -1);
    auto place = [&](int32_t chip, int32_t router) {
        return Place{chip, router % spec_.grid_x, router / spec_.grid_x};
    };
    for (size_t c = 0; c < spec_.core_chip.size(); ++c)
        places_.push_back(place(spec_.core_chip[c], core_router(static_cast<int32_t>(c))));
    for (int32_t r : spec_.port_router) port_places_.push_back(place(0, r));
    host_place_ = place(spec_.host_chip, spec_.host_router);
    ns_lines_ = int64_t{n_chips} * spec_.grid_y * 2;
    chip_lines_ = ns_lines_ + int64_t{n_chips} * spec_.grid_x * 2;
}

void Mesh::line_of(int64_t link, int64_t& line, int32_t& pos) const {
    if (link < n_chip_links_) {
        line = chip_lines_ + link;
        pos = 0;
        return;
    }
    const int64_t router = (link - n_chip_links_) / 4;
    const int out = static_cast<int>((link - n_chip_links_) % 4);
    const int64_t chip = router / routers_per_chip_;
    const int32_t at = static_cast<int32_t>(router % routers_per_chip_);
    const int32_t x = at % spec_.grid_x, y = at / spec_.grid_x;
    if (out == kEast || out == kWest) {
        line = (chip * spec_.grid_y + y) * 2 + (out == kWest);
        pos = x;
    } else {
        line = ns_lines_ + (chip * spec_.grid_x + x) * 2 + (out == kSouth);
        pos = y;
    }
}

int64_t Mesh::link_at(int64_t line, int32_t pos) const {
    if (line >= chip_lines_) return line - chip_lines_;
    int64_t chip;
    int32_t x, y, out;
    if (line < ns_lines_) {
        chip = line / 2 / spec_.grid_y;
        y = static_cast<int32_t>(line / 2 % spec_.grid_y);
        x = pos;
        out = line % 2 ? kWest : kEast;
    } else {
        const int64_t k = line - ns_lines_;
        chip = k / 2 / spec_.grid_x;
        x = static_cast<int32_t>(k / 2 % spec_.grid_x);
        y = pos;
        out = k % 2 ? kSouth : kNorth;
    }
    return n_chip_links_ + (chip * routers_per_chip_ + int64_t{y} * spec_.grid_x + x) * 4 + out;
}

LinkKind Mesh::kind(int64_t link) const {
    if (link < n_chip_links_) return kChipToChip;
    const int out = static_cast<int>((link - n_chip_links_) % 4);
    return out == kEast || out == kWest ? kEastWest : kNorthSouth;
}

void Mesh::describe_link(int64_t link, int32_t out[4]) const {
    if (link < n_chip_links_) {
        const int32_t d = static_cast<int32_t>(link % kChipDirections);
        out[0] = static_cast<int32_t>(link / kChipDirections);
        out[1] = spec_.port_router[d];
        out[2] = d;
    } else {
        const int64_t router = (link - n_chip_links_) / 4;
        out[0] = static_cast<int32_t>(router / routers_per_chip_);
        out[1] = static_cast<int32_t>(router % routers_per_chip_);
        out[2] = static_cast<int32_t>((link - n_chip_links_) % 4);
    }
    out[3] = kind(link);
}

int32_t Mesh::neighbor(int32_t chip, int32_t d) const {
    const auto it = chip_at_.find(position_key(int64_t{spec_.chip_x[chip]} + kChipStepX[d],
                                               int64_t{spec_.chip_y[chip]} + kChipStepY[d]));
    return it == chip_at_.end() ? -1 : it->second;
}

void Mesh::xy_links(int32_t chip, int32_t from, int32_t to, std::vector<int32_t>& out) const {
    const int32_t gx = spec_.grid_x;
    int32_t x = from % gx, y = from / gx;
    const int32_t tx = to % gx, ty = to / gx;
    const int64_t base = n_chip_links_ + int64_t{chip} * routers_per_chip_ * 4;
    auto step = [&](int out_dir) { out.push_back(static_cast<int32_t>(base + (y * gx + x) * 4 + out_dir)); };
    for (; x < tx; ++x) step(kEast);
    for (; x > tx; --x) step(kWest);
    for (; y < ty; ++y) step(kNorth);
    for (; y > ty; --y) step(kSouth);
}

int32_t Mesh::begin_route(int32_t src) {
    if (routes_.size() >= static_cast<size_t>(INT32_MAX))
        throw LoadError("mesh: more than 2^31 - 1 routes");
    Route r;
    r.source_core = src;
    links_.clear();
    r.run_begin = r.run_end = static_cast<int64_t>(runs_.size());
    r.delivery_begin = r.delivery_end = static_cast<int64_t>(deliveries_.size());
    routes_.push_back(r);
    return static_cast<int32_t>(routes_.size()) - 1;
}

void Mesh::append_runs() {
    std::vector<std::pair<int64_t, int32_t>> at(links_.size());
    for (size_t k = 0; k < links_.size(); ++k) line_of(links_[k], at[k].first, at[k].second);
    std::sort(at.begin(), at.end());
    const size_t begin = runs_.size();
    for (const auto& [line, pos] : at) {
        if (runs_.size() > begin && runs_.back().line == line && runs_.back().first + runs_.back().count == pos)
            ++runs_.back().count;
        else
            runs_.push_back({static_cast<int32_t>(line), pos, 1});
    }
    links_.clear();
}

void Mesh::end_route(int32_t r) {
    append_runs();
    routes_[r].run_end = static_cast<int64_t>(runs_.size());
    routes_[r].delivery_end = static_cast<int64_t>(deliveries_.size());
}

int32_t Mesh::add_unicast(int32_t src, int32_t dst) {
    require_range("mesh route", "source core", src, -1, n_cores() - 1);
    require_range("mesh route", "destination core", dst, 0, n_cores() - 1);
    const Place from = start_place(src), to = places_[dst];
    int32_t hops[kLinkKinds] = {0, 0, 0};
    LinkRun runs[2];
    if (from.chip == to.chip) {
        xy_runs(from.chip, from.x, from.y, to.x, to.y, runs, hops);
    } else {
        auto it = leg_of_.find(pair_key(from.chip, to.chip));
        if (it == leg_of_.end()) {
            ChipLeg leg{};
            leg.run_begin = static_cast<int64_t>(runs_.size());
            int32_t chip = from.chip;
            const Place* entry = nullptr;
            for (int32_t d : chip_path(spec_.chip_x[from.chip], spec_.chip_y[from.chip], spec_.chip_x[to.chip],
                                       spec_.chip_y[to.chip], spec_.hexagonal)) {
                const Place& port = port_places_[d];
                if (!entry) {
                    leg.departure = d;
                } else {  // a chip in between: from the port it entered by to the one it leaves by
                    LinkRun crossing[2];
                    const int n = xy_runs(chip, entry->x, entry->y, port.x, port.y, crossing, leg.hops);
                    runs_.insert(runs_.end(), crossing, crossing + n);
                }
                runs_.push_back({static_cast<int32_t>(chip_lines_ + int64_t{chip} * kChipDirections + d), 0, 1});
                ++leg.hops[kChipToChip];
                chip = next_chip(chip, d, dst);
                leg.arrival = (d + 3) % kChipDirections;
                entry = &port_places_[leg.arrival];
            }
            leg.entry_x = entry->x;
            leg.entry_y = entry->y;
            leg.run_end = static_cast<int64_t>(runs_.size());
            it = leg_of_.emplace(pair_key(from.chip, to.chip), static_cast<int32_t>(legs_.size())).first;
            legs_.push_back(leg);
        }
        const ChipLeg& leg = legs_[it->second];
        const Place& exit = port_places_[leg.departure];
        xy_runs(from.chip, from.x, from.y, exit.x, exit.y, runs, hops);
        xy_runs(to.chip, leg.entry_x, leg.entry_y, to.x, to.y, runs, hops);
        for (int k = 0; k < kLinkKinds; ++k) hops[k] += leg.hops[k];
    }
    for (int k = 0; k < kLinkKinds; ++k) most_unicast_hops_[k] = std::max(most_unicast_hops_[k], hops[k]);
    return hops[0] + hops[1] + hops[2];
}

int32_t Mesh::next_chip(int32_t chip, int32_t d, int32_t dst) const {
    const int32_t next = neighbor(chip, d);
    if (next < 0) throw LoadError("mesh: the chip path to core " + std::to_string(dst) + " leaves the chip grid");
    return next;
}

int64_t Mesh::link_end(int64_t link) const {
    if (link < n_chip_links_) {
        const int32_t d = static_cast<int32_t>(link % kChipDirections);
        const int32_t next = neighbor(static_cast<int32_t>(link / kChipDirections), d);
        return next < 0 ? -1 : int64_t{next} * routers_per_chip_ + spec_.port_router[(d + 3) % kChipDirections];
    }
    const int64_t router = (link - n_chip_links_) / 4;
    const int out = static_cast<int>((link - n_chip_links_) % 4);
    return router + (out == kEast ? 1 : out == kWest ? -1 : out == kNorth ? spec_.grid_x : -spec_.grid_x);
}

void Mesh::cross_chip(int32_t chip, int32_t entry, const int32_t hops[kLinkKinds],
                      const std::vector<int32_t>& slots, const std::vector<int32_t>& directions,
                      int32_t src, std::vector<std::vector<int32_t>>& leave_hops) {
    Route& route = routes_.back();
    const int32_t r = static_cast<int32_t>(routes_.size()) - 1;
    const std::string who = src < 0 ? std::string("the host") : "core " + std::to_string(src);
    // One branch of the tree: the on-chip path to router `to`, crossing each link once.
    auto branch = [&](int32_t to, int32_t* h) {
        path_.clear();
        xy_links(chip, entry, to, path_);
        for (int32_t link : path_) {
            const LinkKind k = kind(link);
            ++h[k];
            if (link_stamp_[link] == r) continue;  // this packet's copy already crossed it
            link_stamp_[link] = r;
            links_.push_back(link);
            ++route.hops[k];
        }
    };
    for (int32_t slot : slots) {
        const auto it = core_at_.find(int64_t{chip} * spec_.cores_per_chip + slot);
        if (it == core_at_.end())
            throw LoadError("multicast routing: packets of " + who + " reach slot " +
                            std::to_string(slot) + " of chip " + std::to_string(chip) +
                            ", which holds no core");
        Delivery d{it->second, {hops[0], hops[1], hops[2]}};
        branch(core_router(it->second), d.hops);
        deliveries_.push_back(d);
    }
    leave_hops.assign(kChipDirections, {});
    for (int32_t dir : directions) {
        std::vector<int32_t> h(hops, hops + kLinkKinds);
        branch(spec_.port_router[dir], h.data());
        ++h[kChipToChip];
        const int32_t link = static_cast<int32_t>(int64_t{chip} * kChipDirections + dir);
        link_stamp_[link] = r;
        links_.push_back(link);
        ++route.hops[kChipToChip];
        leave_hops[dir] = std::move(h);
    }
}

int32_t Mesh::add_tree(int32_t src, const std::vector<int32_t>& dsts) {
    require_range("mesh route", "source core", src, -1, n_cores() - 1);
    const int32_t root = src < 0 ? spec_.host_chip : spec_.core_chip[src];
    // The chips the paths visit, each with the direction it is entered by, the cores it
    // delivers to and the directions it sends on; the paths from one chip share their
    // common prefixes, so they form a tree (a chip entered two ways is refused).
    struct Visit {
        int32_t chip, arrival;
        std::vector<int32_t> slots, directions;
    };
    std::vector<Visit> visits{{root, -1, {}, {}}};
    std::unordered_map<int32_t, size_t> visit_of{{root, 0}};
    for (int32_t dst : dsts) {
        require_range("mesh route", "destination core", dst, 0, n_cores() - 1);
        const int32_t goal = spec_.core_chip[dst];
        int32_t chip = root;
        for (int32_t d : chip_path(spec_.chip_x[root], spec_.chip_y[root], spec_.chip_x[goal],
                                   spec_.chip_y[goal], spec_.hexagonal)) {
            auto& out = visits[visit_of[chip]].directions;
            if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
            const int32_t next = next_chip(chip, d, dst);
            const int32_t arrival = (d + 3) % kChipDirections;
            const auto it = visit_of.find(next);
            if (it == visit_of.end()) {
                visit_of.emplace(next, visits.size());
                visits.push_back({next, arrival, {}, {}});
            } else if (visits[it->second].arrival != arrival) {
                throw LoadError("mesh: the chip paths from chip " + std::to_string(root) +
                                " enter chip " + std::to_string(next) + " two ways");
            }
            chip = next;
        }
        visits[visit_of[chip]].slots.push_back(spec_.core_slot[dst]);
    }
    const int32_t r = begin_route(src);
    // Walk the tree from the root: a chip's entry hops are its parent's leaving hops.
    std::vector<std::vector<int32_t>> entry_hops(visits.size());
    entry_hops[0].assign(kLinkKinds, 0);
    std::vector<size_t> order{0};
    std::vector<std::vector<int32_t>> leave;
    for (size_t k = 0; k < order.size(); ++k) {
        const Visit& v = visits[order[k]];
        const int32_t entry = v.arrival < 0 ? (src < 0 ? spec_.host_router : core_router(src))
                                            : spec_.port_router[v.arrival];
        cross_chip(v.chip, entry, entry_hops[order[k]].data(), v.slots, v.directions, src, leave);
        for (int32_t d : v.directions) {
            const size_t child = visit_of[neighbor(v.chip, d)];
            entry_hops[child] = leave[d];
            order.push_back(child);
        }
    }
    end_route(r);
    return r;
}

int32_t Mesh::add_multicast(int32_t src, const std::vector<MulticastTable>& tables,
                            int32_t key_shift) {
    require_range("multicast route", "source core", src, 0, n_cores() - 1);
    if (tables.size() != static_cast<size_t>(n_chips()))
        throw LoadError("multicast routing: " + std::to_string(tables.size()) + " tables for " +
                        std::to_string(n_chips()) + " chips");
    const int64_t key = int64_t{src} << key_shift;
    struct Visit {
        int32_t chip, arrival, entry;
        int32_t hops[kLinkKinds];
    };
    const int32_t r = begin_route(src);
    std::vector<Visit> frontier{{spec_.core_chip[src], -1, core_router(src), {0, 0, 0}}};
    // (stamped once the source chip has an entry: a dropped route leaves no stamp)
    bool stamped = false;
    std::vector<std::vector<int32_t>> leave;
    while (!frontier.empty()) {
        const Visit v = frontier.back();
        frontier.pop_back();
        const MulticastTable& table = tables[v.chip];
        const int64_t hit = table.lookup(key);
        std::vector<int32_t> slots, directions;
        if (hit >= 0) {
            slots.assign(table.core_slot.begin() + table.core_ptr[hit],
                         table.core_slot.begin() + table.core_ptr[hit + 1]);
            for (int d = 0; d < kChipDirections; ++d)
                if (table.links[hit] >> d & 1) directions.push_back(d);
        } else if (v.arrival >= 0) {  // default routing: straight on
            directions.push_back((v.arrival + 3) % kChipDirections);
        } else {  // no entry at the source: the core's packets go nowhere
            routes_.pop_back();
            return -1;
        }
        if (!stamped) {
            chip_stamp_[v.chip] = r;
            stamped = true;
        }
        cross_chip(v.chip, v.entry, v.hops, slots, directions, src, leave);
        for (int32_t d : directions) {
            const int32_t next = neighbor(v.chip, d);
            if (next < 0)
                throw LoadError("multicast routing: packets of core " + std::to_string(src) +
                                " leave the chip grid at chip " + std::to_string(v.chip));
            if (chip_stamp_[next] == r)
                throw LoadError("multicast routing: packets of core " + std::to_string(src) +
                                " reach chip " + std::to_string(next) + " twice");
            chip_stamp_[next] = r;
            Visit n{next, (d + 3) % kChipDirections, spec_.port_router[(d + 3) % kChipDirections],
                    {leave[d][0], leave[d][1], leave[d][2]}};
            frontier.push_back(n);
        }
    }
    end_route(r);
    return r;
}

uint64_t Mesh::memory_bytes() const {
    return routes_.size() * sizeof(Route) + runs_.size() * sizeof(LinkRun) + deliveries_.size() * sizeof(Delivery) +
           legs_.size() * (sizeof(ChipLeg) + 2 * sizeof(int64_t)) + places_.size() * sizeof(Place) +
           (link_stamp_.size() + chip_stamp_.size()) * sizeof(int32_t);
}

}  // namespace emu
