#include "system.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <type_traits>
#include <map>
#include <unordered_map>
#ifndef _WIN32
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#endif

#include "errors.hpp"
#include "fixed_point.hpp"

namespace emu {

namespace {
PayloadWidth checked_width(int32_t payload_bits, bool strict) {
    require_range("system", "payload_bits", payload_bits, 1, 32);
    return PayloadWidth(payload_bits, strict);
}
}  // namespace

System::System(int32_t n_inputs, int32_t n_cores, int32_t payload_bits, bool strict)
    : n_inputs_(n_inputs), width_(checked_width(payload_bits, strict)) {
    require_range("system", "n_inputs", n_inputs, 0, 1 << 30);
    require_range("system", "n_cores", n_cores, 0, 1 << 20);
    cores_.reserve(n_cores);
    for (int32_t c = 0; c < n_cores; ++c) cores_.emplace_back(c, width_);
}

namespace {
int64_t current_pid() {
#ifndef _WIN32
    return static_cast<int64_t>(getpid());
#else
    return 0;
#endif
}
}  // namespace

System::~System() {
    // In a forked child the team's threads do not exist: it must not wait for them.
    if (team_ && team_pid_ != current_pid()) team_.release();
}

void System::set_graded_inputs(std::vector<uint8_t> graded) {
    if (finalized_) throw LoadError("system: inputs cannot change after finalize()");
    graded_inputs_ = std::move(graded);
}

void System::set_network(MeshSpec spec, bool multicast, std::vector<MulticastTable> tables,
                         int32_t key_shift) {
    if (finalized_) throw LoadError("system: the network cannot change after finalize()");
    require_range("system", "multicast key shift", key_shift, 0, 31);
    mesh_spec_ = std::make_unique<MeshSpec>(std::move(spec));
    multicast_ = multicast;
    tables_ = std::move(tables);
    key_shift_ = key_shift;
}

void System::set_timing(Timing timing) {
    if (finalized_) throw LoadError("system: timing cannot change after finalize()");
    auto check = [](const double* v, size_t n, const char* what, bool signed_ok = false) {
        for (size_t k = 0; k < n; ++k)
            if (!std::isfinite(v[k]) || (v[k] < 0 && !signed_ok))
                throw LoadError(std::string("system timing: ") + what + " " + std::to_string(v[k]) +
                                " is not a finite time" + (signed_ok ? "" : " >= 0"));
    };
    // A per-operation time may be negative to take a subset's share back out of a
    // counter that includes it (dense synaptic events on a MAC array: energy/model.py).
    check(&timing.core[0][0], 3 * kNumCounters, "per-operation time", true);
    check(timing.core_fixed.data(), timing.core_fixed.size(), "fixed time per step");
    check(timing.packet, 3, "packet latency");
    check(&timing.hop[0][0], 3 * kLinkKinds, "hop latency");
    check(&timing.bit[0][0], 3 * kLinkKinds, "seconds per bit");
    require_range("system timing", "packet_bits", timing.packet_bits, 0, 1 << 16);
    timing.set = true;
    timing_ = std::move(timing);
}

void System::set_threads(int32_t n, bool exact) {
    if (finalized_) throw LoadError("system: threads cannot change after finalize()");
    require_range("system", "threads", n, 1, 1024);
    threads_ = n;
    threads_exact_ = exact;
}

Core& System::core(int32_t c) {
    if (finalized_) throw LoadError("system: cores cannot change after finalize()");
    require_range("system", "core index", c, 0, n_cores() - 1);
    return cores_[c];
}

void System::set_output_axons(OutputAxons table) {
    if (finalized_) throw LoadError("system: output axons cannot change after finalize()");
    out_ = std::move(table);
}

int32_t System::add_plastic(std::unique_ptr<PlasticConnection> plastic, uint64_t n_synapses) {
    if (finalized_) throw LoadError("system: plastic connections cannot change after finalize()");
    plastic_.push_back(std::move(plastic));
    plastic_synapses_.push_back(n_synapses);
    return static_cast<int32_t>(plastic_.size()) - 1;
}

void System::add_plastic_group(int32_t plastic, int32_t core, int32_t group,
                               std::vector<int32_t> row_pre, int32_t post_start) {
    require_range("system", "plastic connection", plastic, 0,
                  static_cast<int32_t>(plastic_.size()) - 1);
    Core& c = this->core(core);
    require_range(plastic_[plastic]->where(), "group", group, 0,
                  static_cast<int32_t>(c.groups().size()) - 1);
    for (const auto& p : plastic_)  // a group learns under one rule set only
        if (p->holds(c.groups()[group].get()))
            throw LoadError(plastic_[plastic]->where() + ": core " + std::to_string(core) +
                            " group " + std::to_string(group) + " is already plastic");
    plastic_[plastic]->add_group(c.groups()[group].get(), &c.counters(), std::move(row_pre),
                                 post_start);
    c.groups()[group]->set_plastic();
}

const PlasticConnection& System::plastic(int32_t k) const {
    if (k < 0 || k >= static_cast<int32_t>(plastic_.size()))
        throw RunError("system: no plastic connection " + std::to_string(k));
    return *plastic_[k];
}

int64_t System::plastic_probe_columns(const PlasticProbeSpec& p) const {
    const int64_t n = plastic(p.plastic).n_values(p.var);
    if (n < 0) throw RunError("probe: plastic connections have no variable '" + p.var + "'");
    return n;
}

void System::finalize() {
    if (finalized_) throw LoadError("system: finalize() called twice");
    source_base_.resize(cores_.size());
    n_sources_ = n_inputs_;
    for (auto& c : cores_) {
        c.finalize();
        source_base_[c.index()] = n_sources_;
        n_sources_ += c.n_compartments();
    }
    if (n_sources_ > INT32_MAX) throw LoadError("system: more than 2^31 - 1 sources");
    std::vector<int32_t> n_axons;
    std::vector<uint8_t> in_order;  // (a core whose axons are its rows numbers them by sender)
    for (const auto& c : cores_) {
        n_axons.push_back(c.n_axons());
        in_order.push_back(c.row_axons());
    }
    out_.validate(n_sources_, n_axons, in_order);
    if (graded_inputs_.empty()) graded_inputs_.assign(n_inputs_, 0);
    if (graded_inputs_.size() != static_cast<size_t>(n_inputs_))
        throw LoadError("system: " + std::to_string(graded_inputs_.size()) +
                        " graded-input flags for " + std::to_string(n_inputs_) + " inputs");
    for (size_t k = 0; k < plastic_.size(); ++k)
        plastic_[k]->finalize(n_sources_, plastic_synapses_[k]);
    if (!plastic_.empty()) step_payload_.assign(n_sources_, 0);
    source_graded_.assign(n_sources_, 0);
    std::copy(graded_inputs_.begin(), graded_inputs_.end(), source_graded_.begin());
    for (auto& c : cores_) {
        int64_t s = source_base_[c.index()];
        for (const auto& block : c.blocks())
            for (int32_t i = 0; i < block->size(); ++i, ++s) source_graded_[s] = block->graded();
    }
    if (timing_.set && !timing_.core_fixed.empty() && timing_.core_fixed.size() != 3 * cores_.size())
        throw LoadError("system timing: " + std::to_string(timing_.core_fixed.size()) +
                        " fixed times for " + std::to_string(cores_.size()) + " cores (3 each)");
    split_cores();
    finalize_network();
    for (auto& c : cores_) counters_.push_back(&c.counters());
    const int32_t parts = threads();
    // per-core sums (per thread) only for per-core counting, totals only without it
    costs_.build(cores_, out_, source_base_, traffic_ ? parts : 0, !traffic_);
    fanout_.build(cores_, out_, partition_);
    emitted_.assign(parts, Emitted{});
    partition_reads_.assign(parts, Counters{});
    // The layout and the costs hold all that the tables said.
    for (auto& c : cores_) c.release_axons();
    out_.release();
    finalized_ = true;
#ifdef __GLIBC__
    // The load's tables were many blocks of the heap; hand what they held back to the
    // system, or the process stays as large as its load was.
    malloc_trim(0);
#endif
}

void System::finalize_network() {
    if (!mesh_spec_) return;
    if (mesh_spec_->core_chip.size() != cores_.size())
        throw LoadError("system: the network places " + std::to_string(mesh_spec_->core_chip.size()) +
                        " cores; the system has " + std::to_string(cores_.size()));
    mesh_ = std::make_unique<Mesh>(std::move(*mesh_spec_));
    mesh_spec_.reset();
    if (multicast_) {  // a spike's tree is its core's
        source_core_.assign(n_sources_, -1);
        for (auto& c : cores_)
            std::fill(source_core_.begin() + source_base_[c.index()],
                      source_core_.begin() + source_base_[c.index()] + c.n_compartments(), c.index());
    }
    const int64_t n_cores = static_cast<int64_t>(cores_.size());
    int32_t longest_unicast = 0;
    if (!multicast_) {
        // Unicast paths, from each sender (the host is -1) to each core it reaches: their
        // legs between chips readied (and checked), the longest's length noted.
        std::vector<int64_t> reached_by(n_cores, -2);
        for (int64_t s = 0, c = -1; s < n_sources_; ++s) {
            while (c + 1 < n_cores && s >= source_base_[c + 1]) ++c;  // -1 for the inputs
            for (int64_t e = out_.begin(s); e < out_.end(s); ++e) {
                const int32_t dst = out_.core(e);
                if (reached_by[dst] == c) continue;
                reached_by[dst] = c;
                longest_unicast = std::max(longest_unicast, mesh_->add_unicast(static_cast<int32_t>(c), dst));
            }
        }
    } else {
        // The host's packets: one multicast tree per input channel along the chip paths
        // (no table holds them), shared by the channels that reach the same cores.
        std::map<std::vector<int32_t>, int32_t> tree_of;
        input_route_.assign(n_inputs_, -1);
        for (int32_t j = 0; j < n_inputs_; ++j) {
            std::vector<int32_t> dsts;
            for (int64_t e = out_.begin(j); e < out_.end(j); ++e) dsts.push_back(out_.core(e));
            std::sort(dsts.begin(), dsts.end());
            dsts.erase(std::unique(dsts.begin(), dsts.end()), dsts.end());
            if (dsts.empty()) continue;
            auto it = tree_of.find(dsts);
            if (it == tree_of.end()) it = tree_of.emplace(dsts, mesh_->add_tree(-1, dsts)).first;
            input_route_[j] = it->second;
        }
        if (tables_.size() != static_cast<size_t>(mesh_->n_chips()))
            throw LoadError("system: " + std::to_string(tables_.size()) + " multicast tables for " +
                            std::to_string(mesh_->n_chips()) + " chips");
        for (size_t k = 0; k < tables_.size(); ++k)
            tables_[k].validate("multicast table of chip " + std::to_string(k),
                                mesh_->cores_per_chip());
        if (((n_cores - 1) << key_shift_) >= (int64_t{1} << 32))
            throw LoadError("system: " + std::to_string(n_cores) + " cores do not fit 32-bit keys "
                            "shifted by " + std::to_string(key_shift_));
        core_route_.assign(n_cores, -1);
        std::vector<int32_t> reached(n_cores, -1);
        for (int32_t c = 0; c < n_cores; ++c) {
            const int64_t first = source_base_[c], last = first + cores_[c].n_compartments();
            // A core without destinations sends nothing; the compiler leaves what its key
            // would match undefined (covering entries may catch it anywhere).
            if (out_.begin(first) == out_.begin(last)) continue;
            const int32_t r = core_route_[c] = mesh_->add_multicast(c, tables_, key_shift_);
            if (r >= 0) {
                const Route& route = mesh_->route(r);
                const Delivery* d = mesh_->deliveries(route);
                for (int64_t k = 0; k < route.delivery_end - route.delivery_begin; ++k) reached[d[k].core] = c;
            }
            for (int64_t e = out_.begin(first); e < out_.begin(last); ++e)
                if (reached[out_.core(e)] != c)
                    throw LoadError("system: the multicast tables do not deliver the spikes of core " +
                                    std::to_string(c) + " to core " + std::to_string(out_.core(e)));
        }
        tables_.clear();
    }
    std::vector<Counters*> counters;
    for (auto& c : cores_) counters.push_back(&c.counters());
    traffic_ = std::make_unique<Traffic>(*mesh_, std::move(counters), timing_, threads(), !multicast_,
                                         longest_unicast);
}

namespace {
// A thread per this many synapses and neurons, at least, when the count is not exact:
// below it the barriers between phases cost more than the work they share.
constexpr uint64_t kMinWorkPerThread = 50000;
// A sender with this many spikes in a step, or more, has its messages tallied per
// destination core before they are summed and sent (SourceCosts::tally): spikes of one
// core share destinations.
constexpr size_t kTallyFrom = 4;
// Compartments whose outputs emit_core() tests at once.
constexpr int32_t kEmitBlock = 16;
}  // namespace

void System::split_cores() {
    const int32_t n = n_cores();
    std::vector<uint64_t> work(n, 0);
    uint64_t total = 0;
    for (int32_t c = 0; c < n; ++c) {
        work[c] = static_cast<uint64_t>(cores_[c].n_compartments());
        for (const auto& g : cores_[c].groups()) work[c] += g->n_synapses();
        total += work[c];
    }
    int64_t parts = std::min<int64_t>(threads_, std::max(n, 1));
    if (!threads_exact_) parts = std::min<int64_t>(parts, std::max<uint64_t>(1, total / kMinWorkPerThread));
    // cut p: the first core boundary with p / parts of the work before it, leaving at
    // least a core for each later partition
    partition_.assign(1, 0);
    uint64_t before = 0;
    int32_t c = 0;
    for (int64_t p = 1; p < parts; ++p) {
        while (c < n - (parts - p) && (c < partition_.back() + 1 || before * parts < total * p))
            before += work[c++];
        partition_.push_back(c);
    }
    partition_.push_back(n);
}

void System::each_partition(const std::function<void(int32_t)>& job) {
    if (threads() == 1) {
        job(0);
        return;
    }
    const int64_t pid = current_pid();
    if (!team_ || team_pid_ != pid) {  // a forked child has none of its parent's threads
        team_.release();               // (nor may it join them)
        team_ = std::make_unique<ThreadTeam>(threads());
        team_pid_ = pid;
    }
    team_->run(job);
}

void System::check_probes(const std::vector<ProbeSpec>& probes) const {
    for (const auto& p : probes) {
        if (p.core < 0 || p.core >= n_cores()) throw RunError("probe: no core " + std::to_string(p.core));
        const auto& blocks = cores_[p.core].blocks();
        if (p.block < 0 || p.block >= static_cast<int32_t>(blocks.size()))
            throw RunError("probe: core " + std::to_string(p.core) + " has no block " +
                           std::to_string(p.block));
        const auto& b = blocks[p.block];
        if (!b->copy_state(p.var, 0, 0, nullptr))
            throw RunError("probe: the model of core " + std::to_string(p.core) + " block " +
                           std::to_string(p.block) + " has no state variable '" + p.var + "'");
        if (p.first < 0 || p.count < 0 || static_cast<int64_t>(p.first) + p.count > b->size())
            throw RunError("probe: compartments out of the block's range");
    }
}

void System::count_messages(int32_t p, const Spikes& own, const Spikes& inputs, bool per_core,
                            Counters& total) {
    if (traffic_ && !multicast_) count_spikes<true>(p, own, inputs, per_core, total);
    else count_spikes<false>(p, own, inputs, per_core, total);
}

template <bool kUnicast>
void System::count_spikes(int32_t p, const Spikes& own, const Spikes& inputs, bool per_core, Counters& total) {
    Traffic* const unicast = kUnicast ? traffic_.get() : nullptr;
    Traffic* const multicast = traffic_ && multicast_ ? traffic_.get() : nullptr;
    Traffic::Sender packets{};  // (kUnicast) the packets of the sender being counted
    bool tallied = false;       // the sender's spikes are tallied first (SourceCosts)
    // Spikes in source order, their entries fetched in stages ahead (prefetch.hpp).
    auto fetch = [&](const Spikes& spikes, size_t k) {
        if (k + 2 * kFetchStage < spikes.n) costs_.fetch_offsets(spikes.src[k + 2 * kFetchStage]);
        if (k + kFetchStage < spikes.n) costs_.fetch(spikes.src[k + kFetchStage]);
    };
    auto count = [&](int64_t s, int32_t from, uint32_t bits) {
        if (tallied) costs_.tally(s, from, bits, p);
        else costs_.count<kUnicast>(s, from, bits, p, packets);
    };
    auto start_sender = [&](int32_t from, size_t spikes) {
        tallied = per_core && spikes >= kTallyFrom;
        if (kUnicast) packets = unicast->begin_sender(p, from);
    };
    auto finish_sender = [&] {
        if (tallied) costs_.flush<kUnicast>(p, packets);
        if (kUnicast) unicast->end_sender(packets);
    };
    // The host's spikes, shared out between the parts (each sums what it counts apart);
    // on multicast targets all on part 0, since channels share the host's trees.
    const int64_t parts = multicast ? 1 : threads();
    if (p < parts) {
        const Spikes host = inputs.part(inputs.n * p / parts, inputs.n * (p + 1) / parts);
        if (host.n) start_sender(-1, host.n);
        for (size_t k = 0; k < host.n; ++k) {
            const int32_t j = host.src[k];
            fetch(host, k);
            if (!per_core) {
                costs_.count_total(j, total);
                continue;
            }
            const uint32_t bits = graded_inputs_[j] ? signed_width(host.payload[k]) : 0;
            count(j, -1, bits);
            if (multicast && input_route_[j] >= 0) multicast->send(p, input_route_[j], 1, bits);
        }
        if (host.n) finish_sender();
    }
    // The spikes of part p's cores, in the order of their sources (and so of their cores:
    // a source's entries are read relative to its core, and unicast packets are sent a
    // core at a time). Their messages are summed per sender (the core's counters).
    int32_t sender = -1;
    int64_t next_base = 0;
    uint64_t messages = 0, graded = 0, payload_bits = 0;
    auto end_sender = [&] {
        uint64_t* v = cores_[sender].counters().v;
        v[kMessages] += messages;
        v[kGradedMessages] += graded;
        v[kPayloadBits] += payload_bits;
        messages = graded = payload_bits = 0;
        finish_sender();
    };
    for (size_t k = 0; k < own.n; ++k) {
        const int64_t s = own.src[k];
        fetch(own, k);
        if (s >= next_base) {  // a new sender (the last one's spikes were all counted)
            if (sender >= 0) end_sender();
            sender = core_of_source(s);
            next_base = sender + 1 < n_cores() ? source_base_[sender + 1] : n_sources_;
            start_sender(sender, static_cast<size_t>(std::lower_bound(own.src + k, own.src + own.n, next_base) -
                                                     (own.src + k)));
        }
        const uint64_t fanout = costs_.messages(s);
        const uint32_t bits = source_graded_[s] ? signed_width(own.payload[k]) : 0;
        messages += fanout;
        graded += bits ? fanout : 0;
        payload_bits += fanout * bits;
        if (!per_core) {
            costs_.count_total(s, total);
            continue;
        }
        count(s, sender, bits);
        if (multicast && fanout) {  // one packet per spike, down its core's tree
            const int32_t r = core_route_[source_core_[s]];
            if (r >= 0) multicast->send(p, r, 1, bits);
        }
    }
    if (sender >= 0) end_sender();
    if (per_core) traffic_->end_part(p);  // (per_core: there is a network)
}

int32_t System::core_of_source(int64_t s) const {
    return static_cast<int32_t>(std::upper_bound(source_base_.begin(), source_base_.end(), s) -
                                source_base_.begin()) - 1;
}

void System::time_cores(double* time, uint64_t* row) {
    int64_t slowest = -1;
    double longest = -1.0;
    for (auto& core : cores_) {
        const int32_t c = core.index();
        const uint64_t* v = core.counters().v;
        uint64_t* last = last_counters_.data() + static_cast<size_t>(c) * kNumCounters;
        double busy[3] = {0.0, 0.0, 0.0};
        if (!timing_.core_fixed.empty())
            for (int q = 0; q < 3; ++q) busy[q] = timing_.core_fixed[3 * static_cast<size_t>(c) + q];
        for (int k = 0; k < kNumCounters; ++k) {
            const uint64_t d = v[k] - last[k];
            last[k] = v[k];
            if (d)
                for (int q = 0; q < 3; ++q) busy[q] += static_cast<double>(d) * timing_.core[q][k];
        }
        for (int q = 0; q < 3; ++q) time[kTimeCore + q] = std::max(time[kTimeCore + q], busy[q]);
        if (busy[1] > longest) {
            longest = busy[1];
            slowest = c;
        }
    }
    row[kTrafficSlowestCore] = static_cast<uint64_t>(slowest);
}

void System::learn(int64_t t, const int32_t* src, const int32_t* payload, size_t n,
                   const int32_t* input_row) {
    if (plastic_.empty()) return;
    std::copy(input_row, input_row + n_inputs_, step_payload_.begin());
    for (size_t k = 0; k < n; ++k) step_payload_[src[k]] = payload[k];
    for (auto& p : plastic_) p->step(t, step_payload_.data());
    std::fill(step_payload_.begin(), step_payload_.begin() + n_inputs_, 0);
    for (size_t k = 0; k < n; ++k) step_payload_[src[k]] = 0;
}

void System::emit_core(int32_t c, std::vector<int32_t>& src, std::vector<int32_t>& payloads) {
    Core& core = cores_[c];
    const int32_t* payload = core.payload();
    int32_t s = static_cast<int32_t>(source_base_[c]);
    const int32_t n = core.n_compartments();
    uint64_t spikes = 0;
    // Most compartments are silent in a step: a block of them is skipped on one test (an
    // OR the compiler vectorises) rather than tested one by one.
    for (int32_t i0 = 0; i0 < n; i0 += kEmitBlock) {
        const int32_t end = std::min(n, i0 + kEmitBlock);
        int32_t any = 0;
        for (int32_t i = i0; i < end; ++i) any |= payload[i];
        if (!any) continue;
        for (int32_t i = i0; i < end; ++i) {
            if (payload[i] == 0) continue;
            ++spikes;
            src.push_back(s + i);
            payloads.push_back(payload[i]);
        }
    }
    core.counters().v[kSpikes] += spikes;
}

void System::count_host(const Spikes& inputs, uint64_t* host, uint64_t* outputs) const {
    for (size_t k = 0; k < inputs.n; ++k) {
        const int32_t j = inputs.src[k];
        ++outputs[j];
        const uint64_t fanout = costs_.messages(j);
        ++host[kHostSpikes];
        host[kHostMessages] += fanout;
        if (graded_inputs_[j]) {
            host[kHostGradedMessages] += fanout;
            host[kHostPayloadBits] += fanout * signed_width(inputs.payload[k]);
        }
    }
}

void System::step(int64_t t, const int32_t* input_row, RunOutput& out, uint64_t* host_row,
                  uint64_t* traffic_row, double* time_row, Counters& reads) {
    const int32_t parts = threads();
    each_partition([&](int32_t p) {  // update and emit
        // one partition appends straight to the record; more each fill their own
        std::vector<int32_t>& src = parts == 1 ? out.spike_source : emitted_[p].src;
        std::vector<int32_t>& payload = parts == 1 ? out.spike_payload : emitted_[p].payload;
        for (int32_t c = partition_[p]; c < partition_[p + 1]; ++c) {
            cores_[c].update(t, fanout_.core_input(p, c, t));
            emit_core(c, src, payload);
        }
    });
    const size_t lo = out.step_ptr.back();
    // where each part's spikes start among the step's (a part counts those of its cores)
    spike_offset_.assign(1, 0);
    if (parts > 1)
        for (Emitted& e : emitted_) {  // in partition order: source order
            out.spike_source.insert(out.spike_source.end(), e.src.begin(), e.src.end());
            out.spike_payload.insert(out.spike_payload.end(), e.payload.begin(), e.payload.end());
            spike_offset_.push_back(spike_offset_.back() + e.src.size());
            e.src.clear();
            e.payload.clear();
        }
    out.step_ptr.push_back(static_cast<int64_t>(out.spike_source.size()));
    const size_t n = out.spike_source.size() - lo;
    if (parts == 1) spike_offset_.push_back(n);
    const int32_t* src = out.spike_source.data() + lo;
    const int32_t* payload = out.spike_payload.data() + lo;
    const Spikes emitted{src, payload, n};
    inputs_.src.clear();
    inputs_.payload.clear();
    for (int32_t j = 0; j < n_inputs_; ++j)
        if (input_row[j] != 0) {
            inputs_.src.push_back(j);
            inputs_.payload.push_back(input_row[j]);
        }
    const Spikes inputs{inputs_.src.data(), inputs_.payload.data(), inputs_.src.size()};
    const bool per_core = traffic_ != nullptr;
    each_partition([&](int32_t p) {  // deliver and count
        fanout_.deliver(p, t, emitted, inputs);
        count_messages(p, emitted.part(spike_offset_[p], spike_offset_[p + 1]), inputs, per_core,
                       partition_reads_[p]);
    });
    if (per_core) {
        costs_.end_step(counters_.data(), !multicast_);
    } else {
        for (Counters& r : partition_reads_) {
            for (int k = 0; k < kNumCounters; ++k) reads.v[k] += r.v[k];
            r.clear();
        }
    }
    learn(t, src, payload, n, input_row);
    count_host(inputs, host_row, out.source_outputs.data());
    if (traffic_) {
        traffic_->end_step(traffic_row, time_row, host_row + kHostPackets);
        time_cores(time_row, traffic_row);
    }
}

namespace {
// Folds one step's traffic row into a row of run totals (see RunOptions::per_step).
void fold_traffic(const uint64_t* step, uint64_t* total) {
    for (int k = 0; k < kTrafficColumns; ++k) {
        if (k == kTrafficLongestHops || k == kTrafficBusiestLinkPackets)
            total[k] = std::max(total[k], step[k]);
        else if (k == kTrafficBusiestLink || k == kTrafficSlowestCore)
            total[k] = static_cast<uint64_t>(-1);  // no one link or core stands for a run
        else
            total[k] += step[k];
    }
}
}  // namespace

void System::run(int64_t steps, const int32_t* raster, const std::vector<ProbeSpec>& probes,
                 int64_t* probe_out, const std::vector<PlasticProbeSpec>& plastic_probes,
                 int32_t* plastic_out, RunOutput& out, const RunOptions& options) {
    OneCall call(busy_, "run()");
    if (!finalized_) throw RunError("system: run() before finalize()");
    if (broken_)
        throw RunError("system: a previous run stopped on an error in the middle of step " +
                       std::to_string(t_) + "; reset() the simulator before running again");
    if (steps < 0) throw RunError("system: steps must be >= 0");
    check_probes(probes);
    int64_t n_cols = 0, n_plastic_cols = 0;
    for (const auto& p : probes) n_cols += p.count;
    for (const auto& p : plastic_probes) n_plastic_cols += plastic_probe_columns(p);
    for (auto& c : cores_) c.counters().clear();
    const bool per_step = options.per_step;
    const size_t rows = per_step ? static_cast<size_t>(steps) : 1;
    out.step_counters.assign(rows * kNumCounters, 0);
    out.host_steps.assign(rows * kHostColumns, 0);
    uint64_t traffic_row[kTrafficColumns];
    double time_row[kTimeColumns];
    if (traffic_) {
        out.traffic_steps.assign(rows * kTrafficColumns, 0);
        out.time_steps.assign(rows * kTimeColumns, 0.0);
        out.time_totals.assign(kTimeTotals, 0.0);
        traffic_->clear_run();
        last_counters_.assign(cores_.size() * kNumCounters, 0);
    }
    Counters before;
    out.source_outputs.assign(static_cast<size_t>(n_sources_), 0);
    out.step_ptr.assign(1, 0);
    out.step_ptr.reserve(steps + 1);
    stop_requested_.store(false);
    PollPace pace;

    int64_t s = 0;
    for (; s < steps; ++s) {
        if (stop_requested_.load(std::memory_order_relaxed)) {
            out.stop = RunStop::kRequested;
            break;
        }
        if (options.watch && pace.due() && !options.watch->poll(s)) {
            out.stop = RunStop::kWatch;
            break;
        }
        if (2 * sizeof(int32_t) * out.spike_source.size() > options.record_budget) {
            out.stop = RunStop::kRecordBudget;
            break;
        }
        const size_t row = per_step ? static_cast<size_t>(s) : 0;
        uint64_t* host_row = out.host_steps.data() + row * kHostColumns;
        std::fill(traffic_row, traffic_row + kTrafficColumns, 0);
        std::fill(time_row, time_row + kTimeColumns, 0.0);
        Counters reads;  // a step's synapse reads, when the cores do not count them
        try {
            step(++t_, raster + s * n_inputs_, out, host_row, traffic_row, time_row, reads);
        } catch (...) {  // a step stopped half way: the state is not a step boundary
            broken_ = true;
            throw;
        }
        if (traffic_) {
            if (per_step) {
                std::copy(traffic_row, traffic_row + kTrafficColumns,
                          out.traffic_steps.data() + row * kTrafficColumns);
                std::copy(time_row, time_row + kTimeColumns, out.time_steps.data() + row * kTimeColumns);
            } else {
                fold_traffic(traffic_row, out.traffic_steps.data());
                for (int k = 0; k < kTimeColumns; ++k) out.time_steps[k] += time_row[k];
            }
            double* totals = out.time_totals.data();
            for (int v = 0; v < 3; ++v) {
                const double network = std::max(time_row[kTimeLatency + v], time_row[kTimeSerialisation + v]);
                totals[kTotalNetwork + v] += network;
                totals[kMaxCore + v] = std::max(totals[kMaxCore + v], time_row[kTimeCore + v]);
                totals[kMaxNetwork + v] = std::max(totals[kMaxNetwork + v], network);
            }
        }
        int64_t* dst = probe_out + s * n_cols;
        for (const auto& p : probes) {
            cores_[p.core].blocks()[p.block]->copy_state(p.var, p.first, p.count, dst);
            dst += p.count;
        }
        int32_t* learned = plastic_out + s * n_plastic_cols;
        for (const auto& p : plastic_probes) {
            plastic_[p.plastic]->copy(p.var, learned);
            learned += plastic_[p.plastic]->n_values(p.var);
        }
        Counters now;
        for (auto& c : cores_)
            for (int k = 0; k < kNumCounters; ++k) now.v[k] += c.counters().v[k];
        for (int k = 0; k < kNumCounters; ++k)
            out.step_counters[row * kNumCounters + k] += now.v[k] - before.v[k] + reads.v[k];
        before = now;
    }
    // The cores' spikes per source, from the record (here rather than as they are emitted:
    // one pass of independent increments, whose cache misses overlap).
    for (size_t k = 0, n = static_cast<size_t>(out.step_ptr.back()); k < n; ++k)
        ++out.source_outputs[out.spike_source[k]];
    // Without per-step detail, the run's reads go to the cores at once.
    if (!traffic_) costs_.count_run(out.source_outputs.data(), counters_.data());
    out.steps_run = s;
    if (per_step) {
        out.step_counters.resize(static_cast<size_t>(s) * kNumCounters);
        out.host_steps.resize(static_cast<size_t>(s) * kHostColumns);
        if (traffic_) {
            out.traffic_steps.resize(static_cast<size_t>(s) * kTrafficColumns);
            out.time_steps.resize(static_cast<size_t>(s) * kTimeColumns);
        }
    }
    out.core_counters.resize(cores_.size() * kNumCounters);
    for (auto& c : cores_)
        for (int k = 0; k < kNumCounters; ++k)
            out.core_counters[c.index() * kNumCounters + k] = c.counters().v[k];
    if (traffic_) {
        traffic_->finish_run();
        out.link_packets = traffic_->link_packets();
        out.link_bits = traffic_->link_bits();
        out.router_packets = traffic_->router_packets();
        out.hop_histogram = traffic_->hop_histogram();
    }
}

void System::reset() {
    OneCall call(busy_, "reset()");
    for (auto& c : cores_) c.reset();
    fanout_.reset();
    for (auto& p : plastic_) p->reset();
    // what a step that stopped half way (an error in a thread) may have left behind
    for (Emitted& e : emitted_) {
        e.src.clear();
        e.payload.clear();
    }
    for (Counters& r : partition_reads_) r.clear();
    costs_.discard_step();
    if (traffic_) traffic_->discard_step();
    t_ = 0;
    broken_ = false;
}

std::vector<uint64_t> System::memory_parts() const {
    std::vector<uint64_t> parts(kMemParts, 0);
    parts[kMemSynapses] = synapse_memory_bytes();
    parts[kMemAccounting] = costs_.memory_bytes();
    parts[kMemRing] = fanout_.ring_bytes();
    if (mesh_) parts[kMemNetwork] = mesh_->memory_bytes() + traffic_->memory_bytes();
    parts[kMemNetwork] += (core_route_.size() + input_route_.size() + source_core_.size()) *
                              sizeof(int32_t) + source_graded_.size();
    for (const auto& c : cores_) {
        parts[kMemCores] += c.memory_bytes();
        for (const auto& g : c.groups()) parts[kMemCores] -= g->memory_bytes();  // in synapses
    }
    return parts;
}

uint64_t System::memory_bytes() const {
    uint64_t bytes = 0;
    for (uint64_t b : memory_parts()) bytes += b;
    return bytes;
}

uint64_t System::synapse_memory_bytes() const {
    uint64_t bytes = fanout_.memory_bytes();
    for (const auto& c : cores_)
        for (const auto& g : c.groups()) bytes += g->memory_bytes();
    return bytes;
}

uint64_t System::n_synapses() const {
    uint64_t n = 0;
    for (const auto& c : cores_)
        for (const auto& g : c.groups()) n += g->n_synapses();
    return n;
}

}  // namespace emu
