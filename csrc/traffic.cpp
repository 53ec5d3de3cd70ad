#include "traffic.hpp"

#include <algorithm>

namespace emu {

Traffic::Traffic(const Mesh& mesh, std::vector<Counters*> cores, const Timing& timing)
    : mesh_(mesh), cores_(std::move(cores)), timing_(timing) {
    const int32_t n = mesh.n_routes();
    route_packets_.assign(n, 0);
    route_bits_.assign(n, 0);
    run_route_packets_.assign(n, 0);
    route_latency_.assign(3 * static_cast<size_t>(n), 0.0);
    route_longest_.assign(n, 0);
    int32_t longest = 0;
    for (int32_t r = 0; r < n; ++r) {
        const Route& route = mesh.route(r);
        const Delivery* d = mesh.deliveries(route);
        for (int64_t k = 0, nd = route.delivery_end - route.delivery_begin; k < nd; ++k) {
            const int32_t hops = d[k].hops[0] + d[k].hops[1] + d[k].hops[2];
            route_longest_[r] = std::max(route_longest_[r], hops);
            for (int v = 0; v < 3; ++v) {
                double t = timing.packet[v];
                for (int kind = 0; kind < kLinkKinds; ++kind) t += d[k].hops[kind] * timing.hop[v][kind];
                route_latency_[3 * r + v] = std::max(route_latency_[3 * r + v], t);
            }
        }
        longest = std::max(longest, route_longest_[r]);
    }
    hop_histogram_.assign(static_cast<size_t>(longest) + 1, 0);
    step_link_packets_.assign(mesh.n_links(), 0);
    step_link_bits_.assign(mesh.n_links(), 0);
    link_packets_.assign(mesh.n_links(), 0);
    link_bits_.assign(mesh.n_links(), 0);
    router_packets_.assign(mesh.n_routers(), 0);
}

void Traffic::clear_run() {
    std::fill(link_packets_.begin(), link_packets_.end(), 0);
    std::fill(link_bits_.begin(), link_bits_.end(), 0);
    std::fill(router_packets_.begin(), router_packets_.end(), 0);
    std::fill(hop_histogram_.begin(), hop_histogram_.end(), 0);
    std::fill(run_route_packets_.begin(), run_route_packets_.end(), 0);
}

void Traffic::finish_run() {
    for (int32_t r = 0; r < mesh_.n_routes(); ++r) {
        const uint64_t m = run_route_packets_[r];
        if (!m) continue;
        run_route_packets_[r] = 0;
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
        const uint64_t m = route_packets_[r], bits = route_bits_[r];
        route_packets_[r] = route_bits_[r] = 0;
        run_route_packets_[r] += m;  // routers and hop histogram: once, at finish_run()
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
        row[kTrafficLongestHops] = std::max<uint64_t>(row[kTrafficLongestHops], route_longest_[r]);
        for (int v = 0; v < 3; ++v)
            time[kTimeLatency + v] = std::max(time[kTimeLatency + v], route_latency_[3 * r + v]);
        const int32_t* links = mesh_.links(route);
        for (int64_t k = 0, nl = route.link_end - route.link_begin; k < nl; ++k) {
            const int32_t l = links[k];
            if (!step_link_packets_[l]) touched_links_.push_back(l);
            step_link_packets_[l] += m;
            step_link_bits_[l] += bits;
        }
    }
    touched_routes_.clear();
    int64_t busiest = -1;
    uint64_t most = 0;
    for (int64_t l : touched_links_) {
        const uint64_t p = step_link_packets_[l], b = step_link_bits_[l];
        step_link_packets_[l] = step_link_bits_[l] = 0;
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
    touched_links_.clear();
    row[kTrafficBusiestLink] = static_cast<uint64_t>(busiest);
    row[kTrafficBusiestLinkPackets] = most;
}

uint64_t Traffic::memory_bytes() const {
    return (route_packets_.size() + route_bits_.size() + run_route_packets_.size() +
            step_link_packets_.size() +
            step_link_bits_.size() + link_packets_.size() + link_bits_.size() +
            router_packets_.size() + hop_histogram_.size()) * sizeof(uint64_t) +
           route_latency_.size() * sizeof(double) + route_longest_.size() * sizeof(int32_t);
}

}  // namespace emu
