#include "traffic.hpp"

#include <algorithm>

namespace emu {

Traffic::Traffic(const Mesh& mesh, std::vector<Counters*> cores, const Timing& timing)
    : mesh_(mesh), cores_(std::move(cores)), timing_(timing) {
    const int32_t n = mesh.n_routes();
    routes_.assign(n, RouteTally{});
    int32_t longest = 0;
    for (int32_t r = 0; r < n; ++r) {
        const Route& route = mesh.route(r);
        const Delivery* d = mesh.deliveries(route);
        for (int64_t k = 0, nd = route.delivery_end - route.delivery_begin; k < nd; ++k) {
            const int32_t hops = d[k].hops[0] + d[k].hops[1] + d[k].hops[2];
            routes_[r].longest = std::max(routes_[r].longest, hops);
            for (int v = 0; v < 3; ++v) {
                double t = timing.packet[v];
                for (int kind = 0; kind < kLinkKinds; ++kind) t += d[k].hops[kind] * timing.hop[v][kind];
                routes_[r].latency[v] = std::max(routes_[r].latency[v], t);
            }
        }
        longest = std::max(longest, routes_[r].longest);
    }
    hop_histogram_.assign(static_cast<size_t>(longest) + 1, 0);
    line_start_.assign(mesh.n_lines() + 1, 0);
    for (int64_t l = 0; l < mesh.n_lines(); ++l) line_start_[l + 1] = line_start_[l] + mesh.line_length(l) + 1;
    line_packets_.assign(line_start_.back(), 0);
    line_bits_.assign(line_start_.back(), 0);
    line_touched_.assign(mesh.n_lines(), 0);
    link_packets_.assign(mesh.n_links(), 0);
    link_bits_.assign(mesh.n_links(), 0);
    router_packets_.assign(mesh.n_routers(), 0);
}

void Traffic::clear_run() {
    std::fill(link_packets_.begin(), link_packets_.end(), 0);
    std::fill(link_bits_.begin(), link_bits_.end(), 0);
    std::fill(router_packets_.begin(), router_packets_.end(), 0);
    std::fill(hop_histogram_.begin(), hop_histogram_.end(), 0);
    for (RouteTally& t : routes_) t.run_packets = 0;
}

void Traffic::discard_step() {
    for (int32_t r : touched_routes_) routes_[r].packets = routes_[r].bits = 0;
    touched_routes_.clear();
    for (int64_t line : touched_lines_) {  // an end_step that stopped half way
        line_touched_[line] = 0;
        std::fill(line_packets_.begin() + line_start_[line], line_packets_.begin() + line_start_[line + 1], 0);
        std::fill(line_bits_.begin() + line_start_[line], line_bits_.begin() + line_start_[line + 1], 0);
    }
    touched_lines_.clear();
}

void Traffic::finish_run() {
    for (int32_t r = 0; r < mesh_.n_routes(); ++r) {
        const uint64_t m = routes_[r].run_packets;
        if (!m) continue;
        routes_[r].run_packets = 0;
        const Route& route = mesh_.route(r);
        const int32_t* routers = mesh_.routers(route);
        for (int64_t k = 0, nr = route.router_end - route.router_begin; k < nr; ++k)
            router_packets_[routers[k]] += m;
        const Delivery* d = mesh_.deliveries(route);
        for (int64_t k = 0, nd = route.delivery_end - route.delivery_begin; k < nd; ++k)
            hop_histogram_[d[k].hops[0] + d[k].hops[1] + d[k].hops[2]] += m;
    }
}

void Traffic::end_step(uint64_t* row, double* time, uint64_t* host) {
    for (int32_t r : touched_routes_) {
        RouteTally& tally = routes_[r];
        const uint64_t m = tally.packets, bits = tally.bits;
        tally.packets = tally.bits = 0;
        tally.run_packets += m;  // routers and hop histogram: once, at finish_run()
        const Route& route = mesh_.route(r);
        const int32_t src = route.source_core;
        const int32_t src_chip = src >= 0 ? mesh_.core_chip(src) : -1;
        row[kTrafficPackets] += m;
        uint64_t link_hops = 0;
        for (int k = 0; k < kLinkKinds; ++k) {
            const uint64_t h = m * static_cast<uint64_t>(route.hops[k]);
            row[kTrafficHopsEastWest + k] += h;
            link_hops += static_cast<uint64_t>(route.hops[k]);
            if (src >= 0) cores_[src]->v[kHopsEastWest + k] += h;
            else host[1 + k] += h;
        }
        row[kTrafficPayloadBitHops] += bits * link_hops;
        if (src >= 0) cores_[src]->v[kPackets] += m;
        else host[0] += m;
        const Delivery* d = mesh_.deliveries(route);
        for (int64_t k = 0, nd = route.delivery_end - route.delivery_begin; k < nd; ++k) {
            cores_[d[k].core]->v[kPacketsIn] += m;
            const int column = d[k].core == src ? kTrafficIntraCore
                               : mesh_.core_chip(d[k].core) == src_chip || (src < 0 && d[k].hops[kChipToChip] == 0)
                                   ? kTrafficIntraChip : kTrafficInterChip;
            row[column] += m;
            row[kTrafficDeliveries] += m;
        }
        row[kTrafficLongestHops] = std::max<uint64_t>(row[kTrafficLongestHops], tally.longest);
        for (int v = 0; v < 3; ++v)
            time[kTimeLatency + v] = std::max(time[kTimeLatency + v], tally.latency[v]);
        const LinkRun* runs = mesh_.runs(route);
        for (int64_t k = 0, nr = route.run_end - route.run_begin; k < nr; ++k) {
            const LinkRun& run = runs[k];
            const int64_t at = line_start_[run.line] + run.first;
            line_packets_[at] += static_cast<int64_t>(m);
            line_packets_[at + run.count] -= static_cast<int64_t>(m);
            line_bits_[at] += static_cast<int64_t>(bits);
            line_bits_[at + run.count] -= static_cast<int64_t>(bits);
            if (!line_touched_[run.line]) {
                line_touched_[run.line] = 1;
                touched_lines_.push_back(run.line);
            }
        }
    }
    touched_routes_.clear();
    int64_t busiest = -1;
    uint64_t most = 0;
    for (int64_t line : touched_lines_) {
        line_touched_[line] = 0;
        int64_t* dp = line_packets_.data() + line_start_[line];
        int64_t* db = line_bits_.data() + line_start_[line];
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
    touched_lines_.clear();
    row[kTrafficBusiestLink] = static_cast<uint64_t>(busiest);
    row[kTrafficBusiestLinkPackets] = most;
}

uint64_t Traffic::memory_bytes() const {
    return routes_.size() * sizeof(RouteTally) +
           (line_packets_.size() + line_bits_.size() + line_start_.size() + link_packets_.size() +
            link_bits_.size() + router_packets_.size() + hop_histogram_.size()) * sizeof(uint64_t) +
           line_touched_.size();
}

}  // namespace emu
