// The learning engine of one plastic connection (spec neurocore.md section 7): pre traces
// x1, x2 per pre neuron, post traces y1, y2, y3 per post neuron, the last spike step of
// each neuron in the epoch (tx, ty), the tag t and delay field d per synapse, and five
// PCG64 streams (x decay, x impulse, y decay, y impulse, synapse rounding).
//
// The connection's synapses live in SynapseGroups on the cores that hold its post
// neurons; the engine reaches them through PlasticGroup. There is one engine (one set of
// streams, one copy of every trace) per connection however it is split, so the mapping
// never changes a draw.
//
// Each step, after the step's spikes are delivered (the weights of step t carried them):
//   1. repeat pre spikes of the epoch add their x impulses at once; tx = w_t
//   2. the trace streams draw
//   3. repeat post spikes add their y impulses with this draw; ty = w_t; modulated
//      traces (third factor) take their source's payload
//   4. the trace streams draw again; at the end of an epoch, learn() with these draws.
// learn() builds each trace's history H[0..t_epoch] and updates only the synapses with an
// active dependency: rows of pre neurons that spiked (x0 rules), columns of post neurons
// that spiked (y0 rules), or every synapse in epochs where uK is 1. Every other synapse
// would keep its values exactly -- except a tag at -257, which the accumulator's clip
// moves, so while any tag sits there and a dt rule exists, every synapse is updated.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "counters.hpp"
#include "learning_rule.hpp"
#include "pcg64.hpp"
#include "synapses.hpp"

namespace emu {

// Traces, in this order everywhere (x1, x2, y1, y2, y3).
enum Trace : int { kX1 = 0, kX2, kY1, kY2, kY3, kNumTraces };
constexpr int kNumPreTraces = 2;
// Rules, in this order: dw (weight), dd (delay field), dt (tag).
enum RuleTarget : int { kRuleW = 0, kRuleD, kRuleT, kNumRules };
// Streams: x decay, x impulse, y decay, y impulse, synapse.
constexpr int kNumStreams = 5;
constexpr int kStreamWords = 6;  // see Pcg64(const uint64_t*)

struct TraceParams {
    int32_t impulse_int;   // floor(impulse)
    int32_t impulse_frac;  // round_half_even(frac(impulse) * 256), 0..256
    double decay;          // exp(-1/tau), 0 for tau = 0
};

// The part of a plastic connection held by one synapse group.
struct PlasticGroup {
    SynapseGroup* group;
    Counters* counters;            // of the group's core
    std::vector<int32_t> row_pre;  // pre neuron of each row
    int32_t post_start;            // post neuron of the group's local post 0
    std::vector<int16_t> initial_weight, tag;
    std::vector<uint8_t> delay_field;
    // Sparse groups: synapses by local post (col_ptr offsets; each one's index and row).
    std::vector<uint64_t> col_ptr, col_syn;
    std::vector<int32_t> col_row;
};

class PlasticConnection {
  public:
    // sign_mode: 0 mixed, 1 excitatory, 2 inhibitory. rules: microcode of dw, dd, dt (an
    // empty vector: that variable does not learn). streams: kNumStreams x kStreamWords.
    // pre_source, post_source: the global source of each pre and post neuron;
    // modulator[k] (y2, y3): the source whose payload drives that trace at each post
    // neuron, or empty.
    PlasticConnection(const std::string& where, int32_t n_pre, int32_t n_post, int32_t t_epoch,
                      int32_t sign_mode, const std::vector<int32_t> (&rules)[kNumRules],
                      const std::vector<TraceParams>& traces, const std::vector<uint64_t>& streams,
                      std::vector<int32_t> pre_source, std::vector<int32_t> post_source,
                      std::vector<int32_t> modulator_y2, std::vector<int32_t> modulator_y3);

    // A group of this connection; row_pre: the pre neuron of each of its rows.
    void add_group(SynapseGroup* group, Counters* counters, std::vector<int32_t> row_pre,
                   int32_t post_start);
    // Checks sources against the system's n_sources and that every synapse is covered once.
    void finalize(int64_t n_sources, uint64_t n_synapses);

    // Step t's spike phase (and learning phase at an epoch's end). payload: what every
    // source emitted at step t (0 = no spike).
    void step(int64_t t, const int32_t* payload);
    void reset();

    // Probe variables: weights, tags, delay_fields (one value per synapse, groups in the
    // order added, each in storage order), x1, x2 (per pre neuron), y1, y2, y3 (per post).
    int64_t n_values(const std::string& var) const;  // -1 for an unknown name
    void copy(const std::string& var, int32_t* out) const;
    bool holds(const SynapseGroup* group) const {
        for (const auto& g : groups_)
            if (g.group == group) return true;
        return false;
    }
    const std::string& where() const { return where_; }

  private:
    void learn(int64_t t, const double* r_dec, const int32_t* r_imp, double r_syn);
    void build_history(int side, double r_dec, int32_t r_imp);
    void update_synapse(PlasticGroup& g, uint64_t k, int32_t j, int32_t i, bool u_active,
                        int64_t r128);

    std::string where_;
    int32_t n_pre_, n_post_, t_epoch_, sign_mode_;
    LearningRule rule_[kNumRules];
    TraceParams params_[kNumTraces];
    Pcg64 initial_stream_[kNumStreams], stream_[kNumStreams];
    std::vector<int32_t> pre_source_, post_source_, modulator_[2];
    std::vector<PlasticGroup> groups_;
    uint64_t n_synapses_ = 0;
    bool uses_x0_ = false, uses_y0_ = false;
    int32_t u_k_ = -1;                   // K of the uK dependencies, -1 if none
    uint64_t tags_at_floor_ = 0;         // tags equal to -257

    std::vector<int32_t> trace_[kNumTraces];  // stored traces, per neuron of their side
    std::vector<int32_t> tx_, ty_;            // last spike step in the epoch, 0 = none
    std::vector<int32_t> history_[kNumTraces];  // (t_epoch + 1) x neurons, during learn()
};

}  // namespace emu
