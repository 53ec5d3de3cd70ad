#include "traffic.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>

namespace emu {

Traffic::Traffic(const Mesh& mesh, std::vector<Counters*> cores, const Timing& timing,
                 int32_t n_parts, int32_t longest_unicast)
    : mesh_(mesh), cores_(std::move(cores)), timing_(timing) {
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
    parts_.resize(n_parts);
    for (Part& part : parts_) {
        part.cores.assign(cores_.size(), CoreTraffic{});
        part.line_packets.assign(line_start_.back(), 0);
        part.line_bits.assign(line_start_.back(), 0);
        part.line_touched.assign(mesh.n_lines(), 0);
        part.chip_packets.assign(mesh.n_chips(), 0);
        part.chip_bits.assign(mesh.n_chips(), 0);
        part.chip_leg.assign(mesh.n_chips(), nullptr);
        part.chip_hops.assign(mesh.n_chips(), {0, 0, 0});
        part.entered.assign(cores_.size() * kChipDirections, Part::Entered{});
        part.hops_seen.assign(hop_histogram_.size(), 0);
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

void Traffic::begin_sender(int32_t p, int32_t src) {
    Part& part = parts_[p];
    part.sender = src;
    part.from = mesh_.start_place(src);
}

void Traffic::unicast(int32_t p, int32_t dst, uint64_t m, uint64_t bits) {
    Part& part = parts_[p];
    const Place& from = part.from;
    const Place& to = mesh_.core_place(dst);
    int32_t hops[kLinkKinds] = {0, 0, 0};
    if (from.chip == to.chip) {
        LinkRun runs[2];
        add_runs(part, runs, mesh_.xy_runs(to.chip, from.x, from.y, to.x, to.y, runs, hops), m, bits);
    } else {
        const int32_t b = to.chip;
        if (!part.chip_packets[b]) {  // the sender's first packet to chip b: its leg, and hops up to b
            const ChipLeg& leg = mesh_.leg(from.chip, b);
            part.chip_leg[b] = &leg;
            LinkRun first[2];
            std::array<int32_t, kLinkKinds>& h = part.chip_hops[b];
            h = {leg.hops[0], leg.hops[1], leg.hops[2]};
            mesh_.xy_runs(from.chip, from.x, from.y, leg.exit_x, leg.exit_y, first, h.data());
            part.touched_chips.push_back(b);
        }
        part.chip_packets[b] += m;
        part.chip_bits[b] += bits;
        const ChipLeg& leg = *part.chip_leg[b];
        hops[kEastWest] = part.chip_hops[b][kEastWest] + std::abs(to.x - leg.entry_x);
        hops[kNorthSouth] = part.chip_hops[b][kNorthSouth] + std::abs(to.y - leg.entry_y);
        hops[kChipToChip] = part.chip_hops[b][kChipToChip];
        const int64_t k = int64_t{leg.arrival} * static_cast<int64_t>(cores_.size()) + dst;
        Part::Entered& e = part.entered[k];
        if (!e.packets) part.touched_entered.push_back(k);
        e.packets += static_cast<uint32_t>(m);
        e.bits += static_cast<uint32_t>(bits);
    }
    uint64_t* row = part.row;
    const int32_t total = hops[0] + hops[1] + hops[2];
    row[kTrafficPackets] += m;
    row[kTrafficDeliveries] += m;
    row[dst == part.sender ? kTrafficIntraCore : from.chip == to.chip ? kTrafficIntraChip : kTrafficInterChip] += m;
    row[kTrafficPayloadBitHops] += bits * static_cast<uint64_t>(total);
    row[kTrafficLongestHops] = std::max<uint64_t>(row[kTrafficLongestHops], static_cast<uint64_t>(total));
    part.sent.packets += m;
    for (int k = 0; k < kLinkKinds; ++k) {
        const uint64_t h = m * static_cast<uint64_t>(hops[k]);
        row[kTrafficHopsEastWest + k] += h;
        part.sent.hops[k] += h;
    }
    if (from.chip == to.chip) core_sums(part, dst).packets_in += m;  // (else at end_part)
    for (int v = 0; v < 3; ++v) part.latency[v] = std::max(part.latency[v], latency(hops, v));
    part.hops_seen[total] += m;
}

void Traffic::end_sender(int32_t p) {
    Part& part = parts_[p];
    const Place& from = part.from;
    for (int32_t b : part.touched_chips) {
        const ChipLeg& leg = *part.chip_leg[b];
        LinkRun runs[2];
        int32_t hops[kLinkKinds] = {0, 0, 0};
        const uint64_t m = part.chip_packets[b], bits = part.chip_bits[b];
        add_runs(part, runs, mesh_.xy_runs(from.chip, from.x, from.y, leg.exit_x, leg.exit_y, runs, hops), m, bits);
        add_runs(part, mesh_.runs(leg), leg.run_end - leg.run_begin, m, bits);
        part.chip_packets[b] = part.chip_bits[b] = 0;
    }
    part.touched_chips.clear();
    const CoreTraffic& sent = part.sent;
    if (sent.packets) {
        if (part.sender >= 0) {
            CoreTraffic& t = core_sums(part, part.sender);
            t.packets += sent.packets;
            for (int k = 0; k < kLinkKinds; ++k) t.hops[k] += sent.hops[k];
        } else {
            part.host[0] += sent.packets;
            for (int k = 0; k < kLinkKinds; ++k) part.host[1 + k] += sent.hops[k];
        }
    }
    part.sent = CoreTraffic{};
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
        for (int32_t b : part.touched_chips) part.chip_packets[b] = part.chip_bits[b] = 0;
        part.touched_chips.clear();
        part.sent = CoreTraffic{};
        for (int64_t k : part.touched_entered) part.entered[k] = Part::Entered{};
        part.touched_entered.clear();
        std::fill(part.hops_seen.begin(), part.hops_seen.end(), 0);
        std::fill(std::begin(part.row), std::end(part.row), 0);
        std::fill(std::begin(part.latency), std::end(part.latency), 0.0);
        std::fill(std::begin(part.host), std::end(part.host), 0);
        std::fill(part.cores.begin(), part.cores.end(), CoreTraffic{});
        part.touched_cores.clear();
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
    const int64_t n_cores = static_cast<int64_t>(cores_.size());
    for (int64_t k : part.touched_entered) {  // unicast packets on their last chip
        const int32_t dst = static_cast<int32_t>(k % n_cores);
        const Place& entry = mesh_.port_place(static_cast<int32_t>(k / n_cores));
        const Place& to = mesh_.core_place(dst);
        Part::Entered& e = part.entered[k];
        LinkRun runs[2];
        int32_t hops[kLinkKinds] = {0, 0, 0};
        add_runs(part, runs, mesh_.xy_runs(to.chip, entry.x, entry.y, to.x, to.y, runs, hops), e.packets, e.bits);
        core_sums(part, dst).packets_in += e.packets;
        e = Part::Entered{};
    }
    part.touched_entered.clear();
    uint64_t* row = part.row;
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
            core_sums(part, d[k].core).packets_in += m;
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
            v[kPacketsIn] += t.packets_in;
            for (int k = 0; k < kLinkKinds; ++k) v[kHopsEastWest + k] += t.hops[k];
            if (t.packets)
                started_[mesh_.router_index(mesh_.core_place(c))] += t.packets;
            t = CoreTraffic{};
        }
        part.touched_cores.clear();
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
    uint64_t bytes = routes_.size() * sizeof(RouteTally) +
                     (line_start_.size() + link_packets_.size() + link_bits_.size() +
                      router_packets_.size() + hop_histogram_.size() + started_.size()) * sizeof(uint64_t);
    for (const Part& part : parts_)
        bytes += part.cores.size() * sizeof(CoreTraffic) +
                 (part.line_packets.size() + part.line_bits.size()) * sizeof(int64_t) +
                 part.line_touched.size() +
                 part.chip_packets.size() * (2 * sizeof(uint64_t) + sizeof(const ChipLeg*) + 3 * sizeof(int32_t)) +
                 part.entered.size() * sizeof(Part::Entered);
    return bytes;
}

}  // namespace emu
