#include "traffic.hpp"

#include <algorithm>
#include <cstdlib>

namespace emu {

Traffic::Traffic(const Mesh& mesh, std::vector<Counters*> cores, const Timing& timing,
                 int32_t n_parts, bool unicast, int32_t longest_unicast)
    : mesh_(mesh), cores_(std::move(cores)), timing_(timing), ns_span_(mesh.most_unicast_hops(kNorthSouth) + 1) {
    const int32_t n = mesh.n_routes();
    routes_.assign(n, RouteTally{});
    int32_t longest = longest_unicast;
    for (int32_t r = 0; r < n; ++r) {
        const Route& route = mesh.route(r);
        const Delivery* d = mesh.deliveries(route);
        for (int64_t k = 0, nd = route.delivery_end - route.delivery_begin; k < nd; ++k) {
            const int32_t hops = d[k].hops[0] + d[k].hops[1] + d[k].hops[2];
            routes_[r].longest = std::max(routes_[r].longest, hops);
            for (int v = 0; v < 3; ++v) {
                routes_[r].latency[v] = std::max(routes_[r].latency[v], latency(d[k].hops, v));
            }
        }
        longest = std::max(longest, routes_[r].longest);
    }
    hop_histogram_.assign(static_cast<size_t>(longest) + 1, 0);
    line_start_.assign(mesh.n_lines() + 1, 0);
    for (int64_t l = 0; l < mesh.n_lines(); ++l) line_start_[l + 1] = line_start_[l] + mesh.line_length(l) + 1;
    for (int32_t c = 0; c < mesh.n_cores(); ++c) {
        const Place& at = mesh.core_place(c);
        seats_.push_back({static_cast<int32_t>(mesh.router_index(at)), at.chip, static_cast<int16_t>(at.x),
                          static_cast<int16_t>(at.y)});
    }
    parts_.resize(n_parts);
    for (Part& part : parts_) {
        if (unicast) {
            part.reached_packets.assign(mesh.n_routers(), 0);
            part.reached_bits.assign(mesh.n_routers(), 0);
            part.on_chip.assign(cores_.size() + 1, 0);
            part.off_chip.assign(cores_.size() + 1, 0);
            part.ways.assign(mesh.n_chips(), ChipWay{});
            part.touched_ways.assign(mesh.n_chips() + 1, 0);
            part.entered_packets.assign(mesh.n_routers() * kChipDirections, 0);
            part.entered_bits.assign(mesh.n_routers() * kChipDirections, 0);
            part.touched_entered.assign(part.entered_packets.size() + 1, Entering{});
        } else {
            part.packets_in.assign(cores_.size(), 0);
        }
        part.most_east_west.assign(static_cast<size_t>(mesh.most_unicast_hops(kChipToChip) + 1) * ns_span_, 0);
        part.hops_seen.assign(hop_histogram_.size(), 0);
        part.cores.assign(cores_.size(), CoreTraffic{});
        part.line_packets.assign(line_start_.back(), 0);
        part.line_bits.assign(line_start_.back(), 0);
        part.line_touched.assign(mesh.n_lines(), 0);
    }
    link_packets_.assign(mesh.n_links(), 0);
    link_bits_.assign(mesh.n_links(), 0);
    router_packets_.assign(mesh.n_routers(), 0);
    started_.assign(mesh.n_routers(), 0);
}

void Traffic::add_runs(Part& part, const LinkRun* runs, int64_t n, uint64_t m, uint64_t bits) {
    for (int64_t k = 0; k < n; ++k) {
        const LinkRun& run = runs[k];
        const int64_t at = line_start_[run.line] + run.first;
        part.line_packets[at] += static_cast<int64_t>(m);
        part.line_packets[at + run.count] -= static_cast<int64_t>(m);
        if (bits) {
            part.line_bits[at] += static_cast<int64_t>(bits);
            part.line_bits[at + run.count] -= static_cast<int64_t>(bits);
        }
        if (!part.line_touched[run.line]) {
            part.line_touched[run.line] = 1;
            part.touched_lines.push_back(run.line);
        }
    }
}

void Traffic::start_sender(int32_t p, int32_t src) {
    Part& part = parts_[p];
    part.sender = src;
    part.from = mesh_.start_place(src);
    if (part.from.chip != part.ways_from) {  // the ways' packets came from another chip
        add_legs(part);
        part.ways_from = part.from.chip;
    }
    const Place& at = part.departing_at;
    if (part.from.chip != at.chip || part.from.x != at.x || part.from.y != at.y) {  // from another router
        add_departures(part);
        part.departing_at = part.from;
        for (int d = 0; d < kChipDirections; ++d) {
            const Place& port = mesh_.port_place(d);
            part.first_hops[d][kEastWest] = std::abs(port.x - part.from.x);
            part.first_hops[d][kNorthSouth] = std::abs(port.y - part.from.y);
        }
    }
}

void Traffic::add_departures(Part& part) {
    for (int d = 0; d < kChipDirections; ++d) {
        Load& load = part.departing[d];
        if (!load.packets) continue;
        const Place& port = mesh_.port_place(d);
        add_path(part, part.departing_at.chip, part.departing_at, port.x, port.y, load);
        load = Load{};
    }
}

void Traffic::fill_way(ChipWay& way, int32_t a, int32_t b) const {
    const ChipLeg& leg = mesh_.leg(a, b);
    way.from = a;
    way.departure = leg.departure;
    way.arrival = leg.arrival;
    way.entry_x = leg.entry_x;
    way.entry_y = leg.entry_y;
    std::copy(leg.hops, leg.hops + kLinkKinds, way.hops);
    way.entered = leg.arrival * mesh_.n_routers();
    way.leg = &leg;
}

template <bool kBits>
void Traffic::reach_other_chips(Part& part, const int32_t* reached, size_t n, Reach& sums) {
    Reach reach = sums;
    const Place from = part.from;
    uint64_t* const reached_packets = part.reached_packets.data();
    uint64_t* const reached_bits = part.reached_bits.data();
    ChipWay* const ways = part.ways.data();
    int32_t* const touched_ways = part.touched_ways.data();
    uint64_t* const entered_packets = part.entered_packets.data();
    uint64_t* const entered_bits = part.entered_bits.data();
    Entering* const touched_entered = part.touched_entered.data();
    size_t n_ways = part.n_ways, n_entered = part.n_entered;  // (locals: not reloaded after each store)
    for (size_t k = 0; k < n; ++k) {
        const int32_t c = reached[k];
        const Seat& to = seats_[c];
        const int32_t r = to.router;
        const Load load{reached_packets[r], kBits ? reached_bits[r] : 0};
        reached_packets[r] = 0;
        if (kBits) reached_bits[r] = 0;
        ChipWay& way = ways[to.chip];
        if (__builtin_expect(way.from != from.chip, 0)) fill_way(way, from.chip, to.chip);
        touched_ways[n_ways] = to.chip;
        n_ways += way.load.packets == 0;
        way.load.packets += load.packets;
        way.load.bits += load.bits;
        part.departing[way.departure].packets += load.packets;
        part.departing[way.departure].bits += load.bits;
        uint64_t& in = entered_packets[way.entered + r];
        touched_entered[n_entered] = {way.arrival, c};
        n_entered += in == 0;
        in += load.packets;
        if (kBits) entered_bits[way.entered + r] += load.bits;
        const int32_t hops[kLinkKinds] = {
            part.first_hops[way.departure][kEastWest] + way.hops[kEastWest] + std::abs(to.x - way.entry_x),
            part.first_hops[way.departure][kNorthSouth] + way.hops[kNorthSouth] + std::abs(to.y - way.entry_y),
            way.hops[kChipToChip]};
        reach.add(hops, load);
    }
    part.n_ways = n_ways;
    part.n_entered = n_entered;
    sums = reach;
}

void Traffic::end_sender(Sender sender) {
    Part& part = parts_[sender.part_];
    const Place from = part.from;
    Reach reach{CoreTraffic{}, 0, part.hops_seen.data(), part.most_east_west.data(), ns_span_};
    for (size_t k = 0; k < sender.n_on_chip_; ++k) {
        const int32_t c = part.on_chip[k];
        const Seat& to = seats_[c];
        const Load load{part.reached_packets[to.router], part.reached_bits[to.router]};
        part.reached_packets[to.router] = part.reached_bits[to.router] = 0;
        LinkRun runs[2];
        int32_t hops[kLinkKinds] = {0, 0, 0};
        add_runs(part, runs, mesh_.xy_runs(to.chip, from.x, from.y, to.x, to.y, runs, hops), load.packets, load.bits);
        reach.add(hops, load);
    }
    const uint64_t same_chip = reach.sent.packets;
    if (sender.any_bits_) reach_other_chips<true>(part, part.off_chip.data(), sender.n_off_chip_, reach);
    else reach_other_chips<false>(part, part.off_chip.data(), sender.n_off_chip_, reach);
    const CoreTraffic& sent = reach.sent;
    const uint64_t to_self = sender.to_self_;
    uint64_t* row = part.row;
    row[kTrafficPackets] += sent.packets;
    row[kTrafficDeliveries] += sent.packets;
    row[kTrafficIntraCore] += to_self;
    row[kTrafficIntraChip] += same_chip - to_self;
    row[kTrafficInterChip] += sent.packets - same_chip;
    row[kTrafficPayloadBitHops] += reach.bit_hops;
    for (int kind = 0; kind < kLinkKinds; ++kind) row[kTrafficHopsEastWest + kind] += sent.hops[kind];
    if (part.sender >= 0 && sent.packets) {
        CoreTraffic& t = core_sums(part, part.sender);
        t.packets += sent.packets;
        for (int kind = 0; kind < kLinkKinds; ++kind) t.hops[kind] += sent.hops[kind];
    } else {
        part.host[0] += sent.packets;
        for (int kind = 0; kind < kLinkKinds; ++kind) part.host[1 + kind] += sent.hops[kind];
    }
}

void Traffic::add_legs(Part& part) {
    for (size_t k = 0; k < part.n_ways; ++k) {
        ChipWay& way = part.ways[part.touched_ways[k]];
        add_runs(part, mesh_.runs(*way.leg), way.leg->run_end - way.leg->run_begin, way.load.packets, way.load.bits);
        way.load = Load{};
    }
    part.n_ways = 0;
}

void Traffic::clear_run() {
    std::fill(link_packets_.begin(), link_packets_.end(), 0);
    std::fill(link_bits_.begin(), link_bits_.end(), 0);
    std::fill(router_packets_.begin(), router_packets_.end(), 0);
    std::fill(hop_histogram_.begin(), hop_histogram_.end(), 0);
    std::fill(started_.begin(), started_.end(), 0);
    for (RouteTally& t : routes_) t.run_packets = 0;
}

void Traffic::clear_lines(Part& part) {
    for (int64_t line : part.touched_lines) {
        part.line_touched[line] = 0;
        std::fill(part.line_packets.begin() + line_start_[line],
                  part.line_packets.begin() + line_start_[line + 1], 0);
        std::fill(part.line_bits.begin() + line_start_[line], part.line_bits.begin() + line_start_[line + 1], 0);
    }
    part.touched_lines.clear();
}

void Traffic::discard_step() {
    for (Part& part : parts_) {
        for (int32_t r : part.touched_routes) routes_[r].packets = routes_[r].bits = 0;
        part.touched_routes.clear();
        std::fill(part.reached_packets.begin(), part.reached_packets.end(), 0);  // (a sender may be half way)
        std::fill(part.reached_bits.begin(), part.reached_bits.end(), 0);
        std::fill(std::begin(part.departing), std::end(part.departing), Load{});
        for (size_t k = 0; k < part.n_ways; ++k) part.ways[part.touched_ways[k]].load = Load{};
        part.n_ways = 0;
        std::fill(part.entered_packets.begin(), part.entered_packets.end(), 0);
        std::fill(part.entered_bits.begin(), part.entered_bits.end(), 0);
        part.n_entered = 0;
        std::fill(part.most_east_west.begin(), part.most_east_west.end(), 0);
        std::fill(part.hops_seen.begin(), part.hops_seen.end(), 0);
        std::fill(std::begin(part.row), std::end(part.row), 0);
        std::fill(std::begin(part.latency), std::end(part.latency), 0.0);
        std::fill(std::begin(part.host), std::end(part.host), 0);
        std::fill(part.cores.begin(), part.cores.end(), CoreTraffic{});
        part.touched_cores.clear();
        std::fill(part.packets_in.begin(), part.packets_in.end(), 0);
        clear_lines(part);
    }
}

void Traffic::finish_run() {
    for (int32_t r = 0; r < mesh_.n_routes(); ++r) {
        const uint64_t m = routes_[r].run_packets;
        if (!m) continue;
        routes_[r].run_packets = 0;
        const Route& route = mesh_.route(r);
        const Delivery* d = mesh_.deliveries(route);
        for (int64_t k = 0, nd = route.delivery_end - route.delivery_begin; k < nd; ++k)
            hop_histogram_[d[k].hops[0] + d[k].hops[1] + d[k].hops[2]] += m;
    }
    // a packet passes the router it starts at and the one at the end of each link it crosses
    for (size_t r = 0; r < started_.size(); ++r) router_packets_[r] += started_[r];
    for (int64_t l = 0; l < mesh_.n_links(); ++l)
        if (link_packets_[l]) router_packets_[mesh_.link_end(l)] += link_packets_[l];
}

void Traffic::end_part(int32_t p) {
    Part& part = parts_[p];
    const int64_t n_routers = mesh_.n_routers();
    for (size_t k = 0; k < part.n_entered; ++k) {  // unicast packets on their last chip
        const Entering& e = part.touched_entered[k];
        const Seat& to = seats_[e.core];
        const int64_t at = e.arrival * n_routers + to.router;
        add_path(part, to.chip, mesh_.port_place(e.arrival), to.x, to.y, {part.entered_packets[at], part.entered_bits[at]});
        part.entered_packets[at] = part.entered_bits[at] = 0;
    }
    part.n_entered = 0;
    add_legs(part);
    add_departures(part);
    uint64_t* row = part.row;
    for (size_t k = 0; k < part.most_east_west.size(); ++k) {
        int32_t& most = part.most_east_west[k];
        if (!most) continue;
        const int32_t hops[kLinkKinds] = {most - 1, static_cast<int32_t>(k % ns_span_),
                                          static_cast<int32_t>(k / ns_span_)};
        most = 0;
        row[kTrafficLongestHops] =
            std::max<uint64_t>(row[kTrafficLongestHops], static_cast<uint64_t>(hops[0] + hops[1] + hops[2]));
        for (int v = 0; v < 3; ++v) part.latency[v] = std::max(part.latency[v], latency(hops, v));
    }
    for (int32_t r : part.touched_routes) {
        RouteTally& tally = routes_[r];
        const uint64_t m = tally.packets, bits = tally.bits;
        tally.packets = tally.bits = 0;
        tally.run_packets += m;  // routers and hop histogram: once, at finish_run()
        const Route& route = mesh_.route(r);
        const int32_t src = route.source_core;
        const int32_t src_chip = src >= 0 ? mesh_.core_chip(src) : -1;
        row[kTrafficPackets] += m;
        uint64_t link_hops = 0;
        CoreTraffic* sender = src >= 0 ? &core_sums(part, src) : nullptr;  // (m > 0)
        for (int k = 0; k < kLinkKinds; ++k) {
            const uint64_t h = m * static_cast<uint64_t>(route.hops[k]);
            row[kTrafficHopsEastWest + k] += h;
            link_hops += static_cast<uint64_t>(route.hops[k]);
            if (sender) sender->hops[k] += h;
            else part.host[1 + k] += h;
        }
        row[kTrafficPayloadBitHops] += bits * link_hops;
        if (sender) sender->packets += m;
        else part.host[0] += m;
        const Delivery* d = mesh_.deliveries(route);
        for (int64_t k = 0, nd = route.delivery_end - route.delivery_begin; k < nd; ++k) {
            part.packets_in[d[k].core] += m;
            const int column = d[k].core == src ? kTrafficIntraCore
                               : mesh_.core_chip(d[k].core) == src_chip || (src < 0 && d[k].hops[kChipToChip] == 0)
                                   ? kTrafficIntraChip : kTrafficInterChip;
            row[column] += m;
            row[kTrafficDeliveries] += m;
        }
        row[kTrafficLongestHops] = std::max<uint64_t>(row[kTrafficLongestHops], tally.longest);
        for (int v = 0; v < 3; ++v) part.latency[v] = std::max(part.latency[v], tally.latency[v]);
        add_runs(part, mesh_.runs(route), route.run_end - route.run_begin, m, bits);
    }
    part.touched_routes.clear();
}

void Traffic::end_step(uint64_t* row, double* time, uint64_t* host) {
    Part& first = parts_[0];
    for (Part& part : parts_) {
        for (int k = 0; k < kTrafficColumns; ++k)
            row[k] = k == kTrafficLongestHops ? std::max(row[k], part.row[k]) : row[k] + part.row[k];
        for (int v = 0; v < 3; ++v) time[kTimeLatency + v] = std::max(time[kTimeLatency + v], part.latency[v]);
        for (int k = 0; k <= kLinkKinds; ++k) host[k] += part.host[k];
        started_[mesh_.router_index(mesh_.start_place(-1))] += part.host[0];
        for (size_t h = 0; h < part.hops_seen.size(); ++h) {
            hop_histogram_[h] += part.hops_seen[h];
            part.hops_seen[h] = 0;
        }
        std::fill(std::begin(part.row), std::end(part.row), 0);
        std::fill(std::begin(part.latency), std::end(part.latency), 0.0);
        std::fill(std::begin(part.host), std::end(part.host), 0);
        for (int32_t c : part.touched_cores) {
            CoreTraffic& t = part.cores[c];
            uint64_t* v = cores_[c]->v;
            v[kPackets] += t.packets;
            for (int k = 0; k < kLinkKinds; ++k) v[kHopsEastWest + k] += t.hops[k];
            started_[seats_[c].router] += t.packets;
            t = CoreTraffic{};
        }
        part.touched_cores.clear();
        for (size_t c = 0; c < part.packets_in.size(); ++c) {  // (a step reaches most cores of a busy system)
            if (!part.packets_in[c]) continue;
            cores_[c]->v[kPacketsIn] += part.packets_in[c];
            part.packets_in[c] = 0;
        }
        if (&part == &first) continue;
        for (int64_t line : part.touched_lines) {  // the other parts' lines into the first's
            if (!first.line_touched[line]) {
                first.line_touched[line] = 1;
                first.touched_lines.push_back(line);
            }
            for (int64_t at = line_start_[line]; at < line_start_[line + 1]; ++at) {
                first.line_packets[at] += part.line_packets[at];
                first.line_bits[at] += part.line_bits[at];
            }
        }
        clear_lines(part);
    }
    int64_t busiest = -1;
    uint64_t most = 0;
    for (int64_t line : first.touched_lines) {
        first.line_touched[line] = 0;
        int64_t* dp = first.line_packets.data() + line_start_[line];
        int64_t* db = first.line_bits.data() + line_start_[line];
        int64_t packets = 0, bits = 0;
        for (int32_t pos = 0, n = mesh_.line_length(line); pos <= n; ++pos) {
            packets += dp[pos];
            bits += db[pos];
            dp[pos] = db[pos] = 0;
            if (packets == 0 || pos == n) continue;
            const int64_t l = mesh_.link_at(line, pos);
            const uint64_t p = static_cast<uint64_t>(packets), b = static_cast<uint64_t>(bits);
            link_packets_[l] += p;
            link_bits_[l] += b;
            if (p > most || (p == most && l < busiest)) {
                most = p;
                busiest = l;
            }
            const double carried = static_cast<double>(p) * timing_.packet_bits + static_cast<double>(b);
            const LinkKind kind = mesh_.kind(l);
            for (int v = 0; v < 3; ++v)
                time[kTimeSerialisation + v] =
                    std::max(time[kTimeSerialisation + v], carried * timing_.bit[v][kind]);
        }
    }
    first.touched_lines.clear();
    row[kTrafficBusiestLink] = static_cast<uint64_t>(busiest);
    row[kTrafficBusiestLinkPackets] = most;
}

uint64_t Traffic::memory_bytes() const {
    uint64_t bytes = routes_.size() * sizeof(RouteTally) + seats_.size() * sizeof(Seat) +
                     (line_start_.size() + link_packets_.size() + link_bits_.size() +
                      router_packets_.size() + hop_histogram_.size() + started_.size()) * sizeof(uint64_t);
    for (const Part& part : parts_)
        bytes += (part.reached_packets.size() + part.reached_bits.size() + part.entered_packets.size() +
                  part.entered_bits.size()) * sizeof(uint64_t) +
                 (part.on_chip.size() + part.off_chip.size() + part.touched_ways.size() +
                  part.most_east_west.size()) * sizeof(int32_t) +
                 part.ways.size() * sizeof(ChipWay) + part.touched_entered.size() * sizeof(Entering) + part.hops_seen.size() * sizeof(uint64_t) +
                 part.cores.size() * sizeof(CoreTraffic) + part.packets_in.size() * sizeof(uint64_t) +
                 (part.line_packets.size() + part.line_bits.size()) * sizeof(int64_t) + part.line_touched.size();
    return bytes;
}

}  // namespace emu
