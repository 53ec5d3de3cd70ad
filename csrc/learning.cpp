#include "learning.hpp"

#include <algorithm>
#include <cmath>

#include "errors.hpp"

namespace emu {

namespace {
constexpr int32_t kTraceMax = 127;                 // traces are unsigned 7-bit
constexpr int32_t kMaxTEpoch = 63;
constexpr int64_t kTagMin = -257, kTagMax = 255;   // final clip of the tag t
constexpr int64_t kDelayFieldMax = 255;            // final clip of the delay field d
// Weight range of each sign mode (mixed, excitatory, inhibitory).
constexpr int64_t kWeightLo[3] = {-256, 0, -255};
constexpr int64_t kWeightHi[3] = {255, 255, 0};
enum Stream : int { kXDecay = 0, kXImpulse, kYDecay, kYImpulse, kSynapse };

// One stochastic decay of a trace value: floor(val) + (r_dec < frac(val)).
inline int32_t decay(int32_t value, double factor, double r_dec) {
    const double val = factor * static_cast<double>(value);
    const double low = std::floor(val);
    return static_cast<int32_t>(static_cast<int64_t>(low) + (r_dec < val - low));
}

// A trace plus an impulse's integer part and its rounding bit, clipped to [0, 127]
// (in 64 bits: a modulated trace may hold any payload).
inline int32_t add_impulse(int32_t trace, const TraceParams& p, bool round_up) {
    return static_cast<int32_t>(std::clamp<int64_t>(
        int64_t{trace} + p.impulse_int + round_up, 0, kTraceMax));
}

// acc / 128 rounded stochastically, floor(acc / 128) + (r_syn < frac(acc / 128)), then
// clipped to [lo, hi]. With acc's low 7 bits a: r_syn < a / 128 exactly when
// floor(r_syn * 128) < a (scaling by 128 is exact), so r128 = floor(r_syn * 128).
inline int64_t round_and_clip(int64_t acc, int64_t r128, int64_t lo, int64_t hi) {
    return std::clamp((acc >> 7) + (r128 < (acc & 127)), lo, hi);
}

void check_sources(const std::string& where, const char* what, const std::vector<int32_t>& src,
                   int64_t n_sources) {
    for (int32_t s : src) require_range<int64_t>(where, what, s, 0, n_sources - 1);
}
}  // namespace

PlasticConnection::PlasticConnection(const std::string& where, int32_t n_pre, int32_t n_post,
                                     int32_t t_epoch, int32_t sign_mode,
                                     const std::vector<int32_t> (&rules)[kNumRules],
                                     const std::vector<TraceParams>& traces,
                                     const std::vector<uint64_t>& streams,
                                     std::vector<int32_t> pre_source,
                                     std::vector<int32_t> post_source,
                                     std::vector<int32_t> modulator_y2,
                                     std::vector<int32_t> modulator_y3)
    : where_(where), n_pre_(n_pre), n_post_(n_post), t_epoch_(t_epoch), sign_mode_(sign_mode),
      pre_source_(std::move(pre_source)), post_source_(std::move(post_source)) {
    require_range(where, "n_pre", n_pre, 1, 1 << 30);
    require_range(where, "n_post", n_post, 1, 1 << 30);
    require_range(where, "t_epoch", t_epoch, 1, kMaxTEpoch);
    require_range(where, "sign_mode", sign_mode, 0, 2);
    static const char* names[kNumRules] = {"dw", "dd", "dt"};
    bool any = false;
    for (int r = 0; r < kNumRules; ++r) {
        rule_[r] = LearningRule(where + " rule " + names[r], rules[r]);
        any |= !rule_[r].empty();
        uses_x0_ |= rule_[r].uses(kDepX0);
        uses_y0_ |= rule_[r].uses(kDepY0);
        const int32_t k = rule_[r].u_k();
        if (k >= 0 && u_k_ >= 0 && k != u_k_)
            throw LoadError(where + ": the rules use u" + std::to_string(u_k_) + " and u" +
                            std::to_string(k) + "; every uK must have the same K");
        if (k >= 0) u_k_ = k;
    }
    if (!any) throw LoadError(where + ": a plastic connection needs at least one rule");
    if (traces.size() != kNumTraces) throw LoadError(where + ": expected 5 trace parameter sets");
    for (int tr = 0; tr < kNumTraces; ++tr) {
        params_[tr] = traces[tr];
        require_range(where, "trace impulse", params_[tr].impulse_int, 0, kTraceMax);
        require_range(where, "trace impulse fraction", params_[tr].impulse_frac, 0, 256);
        if (!(params_[tr].decay >= 0.0 && params_[tr].decay < 1.0))
            throw LoadError(where + ": trace decay factor " + std::to_string(params_[tr].decay) +
                            " outside [0, 1)");
    }
    if (streams.size() != kNumStreams * kStreamWords)
        throw LoadError(where + ": expected " + std::to_string(kNumStreams * kStreamWords) +
                        " stream state words");
    for (int s = 0; s < kNumStreams; ++s) {
        const uint64_t* w = streams.data() + s * kStreamWords;
        if (w[4] > 1 || w[5] > UINT32_MAX || (w[3] & 1u) == 0)
            throw LoadError(where + ": stream " + std::to_string(s) + " state is not a PCG64 state");
        initial_stream_[s] = Pcg64(w);
    }
    if (pre_source_.size() != static_cast<size_t>(n_pre) ||
        post_source_.size() != static_cast<size_t>(n_post))
        throw LoadError(where + ": source maps of " + std::to_string(pre_source_.size()) + " pre and " +
                        std::to_string(post_source_.size()) + " post neurons; expected " +
                        std::to_string(n_pre) + " and " + std::to_string(n_post));
    modulator_[0] = std::move(modulator_y2);
    modulator_[1] = std::move(modulator_y3);
    for (const auto& m : modulator_)
        if (!m.empty() && m.size() != static_cast<size_t>(n_post))
            throw LoadError(where + ": a modulator map needs one source per post neuron");
    for (int tr = 0; tr < kNumTraces; ++tr) {
        const int32_t n = tr < kNumPreTraces ? n_pre : n_post;
        history_[tr].assign(static_cast<size_t>(t_epoch + 1) * n, 0);
    }
    reset();
}

void PlasticConnection::add_group(SynapseGroup* group, Counters* counters,
                                  std::vector<int32_t> row_pre, int32_t post_start) {
    if (row_pre.size() != static_cast<size_t>(group->n_rows()))
        throw LoadError(where_ + ": " + std::to_string(row_pre.size()) + " row pre neurons for " +
                        std::to_string(group->n_rows()) + " rows");
    for (int32_t j : row_pre) require_range(where_, "row pre neuron", j, 0, n_pre_ - 1);
    require_range<int64_t>(where_, "post_start", post_start, 0,
                           static_cast<int64_t>(n_post_) - group->n_post());
    PlasticGroup g{group, counters, std::move(row_pre), post_start, {}, {}, {}, {}, {}, {}};
    const uint64_t n = group->n_synapses();
    g.initial_weight.resize(n);
    for (uint64_t k = 0; k < n; ++k) {
        g.initial_weight[k] = group->weight_at(k);
        require_range<int64_t>(where_, "plastic weight", g.initial_weight[k],
                               kWeightLo[sign_mode_], kWeightHi[sign_mode_]);
    }
    g.tag.assign(n, 0);
    g.delay_field.assign(n, 0);
    if (!group->dense()) {  // a column index, so a post spike touches only its synapses
        g.col_ptr.assign(static_cast<size_t>(group->n_post()) + 1, 0);
        for (uint64_t k = 0; k < n; ++k) ++g.col_ptr[group->post_of(k) + 1];
        for (int32_t p = 0; p < group->n_post(); ++p) g.col_ptr[p + 1] += g.col_ptr[p];
        g.col_syn.resize(n);
        g.col_row.resize(n);
        std::vector<uint64_t> fill(g.col_ptr.begin(), g.col_ptr.end() - 1);
        for (int32_t r = 0; r < group->n_rows(); ++r)
            for (uint64_t k = group->row_begin(r); k < group->row_end(r); ++k) {
                const uint64_t c = fill[group->post_of(k)]++;
                g.col_syn[c] = k;
                g.col_row[c] = r;
            }
    }
    n_synapses_ += n;
    groups_.push_back(std::move(g));
}

void PlasticConnection::finalize(int64_t n_sources, uint64_t n_synapses) {
    check_sources(where_, "pre source", pre_source_, n_sources);
    check_sources(where_, "post source", post_source_, n_sources);
    for (const auto& m : modulator_) check_sources(where_, "modulator source", m, n_sources);
    if (n_synapses_ != n_synapses)
        throw LoadError(where_ + ": its groups hold " + std::to_string(n_synapses_) +
                        " synapses; the connection has " + std::to_string(n_synapses));
}

void PlasticConnection::reset() {
    for (int s = 0; s < kNumStreams; ++s) stream_[s] = initial_stream_[s];
    for (int tr = 0; tr < kNumTraces; ++tr)
        trace_[tr].assign(tr < kNumPreTraces ? n_pre_ : n_post_, 0);
    tx_.assign(n_pre_, 0);
    ty_.assign(n_post_, 0);
    for (auto& g : groups_) {
        for (uint64_t k = 0; k < g.initial_weight.size(); ++k)
            g.group->set_weight_at(k, g.initial_weight[k]);
        std::fill(g.tag.begin(), g.tag.end(), 0);
        std::fill(g.delay_field.begin(), g.delay_field.end(), 0);
    }
    tags_at_floor_ = 0;
}

void PlasticConnection::step(int64_t t, const int32_t* payload) {
    const int32_t w_t = static_cast<int32_t>(t % t_epoch_ == 0 ? t_epoch_ : t % t_epoch_);
    for (int32_t j = 0; j < n_pre_; ++j) {
        if (payload[pre_source_[j]] == 0) continue;
        if (tx_[j] > 0)  // a repeat spike in this epoch: its impulse goes in at once, rounded up
            for (int tr = kX1; tr <= kX2; ++tr)
                trace_[tr][j] = add_impulse(trace_[tr][j], params_[tr], params_[tr].impulse_frac > 0);
        tx_[j] = w_t;
    }
    stream_[kXDecay].random();
    stream_[kXImpulse].below128();
    stream_[kYDecay].random();
    const int32_t r_imp_y = stream_[kYImpulse].below128();
    for (int32_t i = 0; i < n_post_; ++i) {
        if (payload[post_source_[i]] == 0) continue;
        if (ty_[i] > 0)
            for (int tr = kY1; tr <= kY3; ++tr)
                trace_[tr][i] = add_impulse(trace_[tr][i], params_[tr], r_imp_y < params_[tr].impulse_frac);
        ty_[i] = w_t;
    }
    for (int m = 0; m < 2; ++m)  // third factor: y2, y3 take their source's payload
        if (!modulator_[m].empty())
            for (int32_t i = 0; i < n_post_; ++i) trace_[kY2 + m][i] = payload[modulator_[m][i]];
    const double r_dec[2] = {stream_[kXDecay].random(), stream_[kYDecay].random()};
    const int32_t r_imp[2] = {stream_[kXImpulse].below128(), stream_[kYImpulse].below128()};
    if (t % t_epoch_ == 0) learn(t, r_dec, r_imp, stream_[kSynapse].random());
}

void PlasticConnection::build_history(int side, double r_dec, int32_t r_imp) {
    const int first = side == 0 ? kX1 : kY1, last = side == 0 ? kX2 : kY3;
    const int32_t n = side == 0 ? n_pre_ : n_post_;
    const std::vector<int32_t>& spiked_at = side == 0 ? tx_ : ty_;
    for (int tr = first; tr <= last; ++tr) {
        const TraceParams& p = params_[tr];
        int32_t* h = history_[tr].data();
        std::copy(trace_[tr].begin(), trace_[tr].end(), h);
        for (int32_t k = 1; k <= t_epoch_; ++k) {
            const int32_t* prev = h + static_cast<size_t>(k - 1) * n;
            int32_t* cur = h + static_cast<size_t>(k) * n;
            for (int32_t i = 0; i < n; ++i) {
                cur[i] = decay(prev[i], p.decay, r_dec);
                if (spiked_at[i] == k) cur[i] = add_impulse(cur[i], p, r_imp < p.impulse_frac);
            }
        }
        std::copy(h + static_cast<size_t>(t_epoch_) * n, h + static_cast<size_t>(t_epoch_ + 1) * n,
                  trace_[tr].begin());
    }
}

void PlasticConnection::update_synapse(PlasticGroup& g, uint64_t k, int32_t j, int32_t i,
                                       bool u_active, int64_t r128) {
    const int64_t w = g.group->weight_at(k), d = g.delay_field[k], tag = g.tag[k];
    const int64_t dep[kNumDeps] = {tx_[j] > 0, ty_[i] > 0, u_active};
    // The history step a product reads its traces at, by its dependency.
    const int32_t step[kNumDeps] = {tx_[j], ty_[i], t_epoch_};
    auto value = [&](int32_t dependency, int32_t var) -> int64_t {
        const size_t at = static_cast<size_t>(step[dependency]);
        switch (var) {
            case kVarX0: return dep[kDepX0];
            case kVarY0: return dep[kDepY0];
            case kVarX1: return history_[kX1][at * n_pre_ + j];
            case kVarX2: return history_[kX2][at * n_pre_ + j];
            case kVarY1: return history_[kY1][at * n_post_ + i];
            case kVarY2: return history_[kY2][at * n_post_ + i];
            case kVarY3: return history_[kY3][at * n_post_ + i];
            case kVarW: return w;
            case kVarD: return d;
            default: return tag;
        }
    };
    if (!rule_[kRuleW].empty()) {
        int64_t acc = rule_[kRuleW].accumulate(w, dep, value);
        if (sign_mode_ == 1) acc = std::max<int64_t>(acc, 0);
        if (sign_mode_ == 2) acc = std::min<int64_t>(acc, 0);
        g.group->set_weight_at(k, static_cast<int16_t>(
            round_and_clip(acc, r128, kWeightLo[sign_mode_], kWeightHi[sign_mode_])));
    }
    if (!rule_[kRuleD].empty()) {
        const int64_t acc = std::max<int64_t>(rule_[kRuleD].accumulate(d, dep, value), 0);
        g.delay_field[k] = static_cast<uint8_t>(round_and_clip(acc, r128, 0, kDelayFieldMax));
    }
    if (!rule_[kRuleT].empty()) {
        const int64_t acc = rule_[kRuleT].accumulate(tag, dep, value);
        const int64_t updated = round_and_clip(acc, r128, kTagMin, kTagMax);
        tags_at_floor_ += (updated == kTagMin);
        tags_at_floor_ -= (tag == kTagMin);
        g.tag[k] = static_cast<int16_t>(updated);
    }
}

void PlasticConnection::learn(int64_t t, const double* r_dec, const int32_t* r_imp, double r_syn) {
    build_history(0, r_dec[0], r_imp[0]);
    build_history(1, r_dec[1], r_imp[1]);
    const int64_t epoch = t / t_epoch_;
    const bool u_active = u_k_ >= 0 && epoch % (int64_t{1} << u_k_) == 0;
    const bool all = u_active || (!rule_[kRuleT].empty() && tags_at_floor_ > 0);
    const int64_t r128 = static_cast<int64_t>(std::floor(r_syn * 128.0));
    for (auto& g : groups_) {
        SynapseGroup& s = *g.group;
        uint64_t updated = 0;
        for (int32_t r = 0; r < s.n_rows(); ++r) {
            const int32_t j = g.row_pre[r];
            const bool row_active = uses_x0_ && tx_[j] > 0;
            if (!all && !row_active) continue;
            const uint64_t begin = s.row_begin(r), end = s.row_end(r);
            for (uint64_t k = begin; k < end; ++k) {  // (no division for dense rows)
                const int32_t i = g.post_start +
                                  (s.dense() ? static_cast<int32_t>(k - begin) : s.post_of(k));
                updated += row_active || u_active || (uses_y0_ && ty_[i] > 0);
                update_synapse(g, k, j, i, u_active, r128);
            }
        }
        if (!all && uses_y0_) {  // columns of post neurons that spiked, rows not done above
            for (int32_t p = 0; p < s.n_post(); ++p) {
                const int32_t i = g.post_start + p;
                if (ty_[i] == 0) continue;
                auto visit = [&](uint64_t k, int32_t r) {
                    const int32_t j = g.row_pre[r];
                    if (uses_x0_ && tx_[j] > 0) return;
                    ++updated;
                    update_synapse(g, k, j, i, false, r128);
                };
                if (s.dense()) {
                    for (int32_t r = 0; r < s.n_rows(); ++r)
                        visit(static_cast<uint64_t>(r) * s.n_post() + p, r);
                } else {
                    for (uint64_t c = g.col_ptr[p]; c < g.col_ptr[p + 1]; ++c)
                        visit(g.col_syn[c], g.col_row[c]);
                }
            }
        }
        g.counters->v[kSynapticUpdates] += updated;
    }
    std::fill(tx_.begin(), tx_.end(), 0);
    std::fill(ty_.begin(), ty_.end(), 0);
}

int64_t PlasticConnection::n_values(const std::string& var) const {
    if (var == "weights" || var == "tags" || var == "delay_fields")
        return static_cast<int64_t>(n_synapses_);
    if (var == "x1" || var == "x2") return n_pre_;
    if (var == "y1" || var == "y2" || var == "y3") return n_post_;
    return -1;
}

void PlasticConnection::copy(const std::string& var, int32_t* out) const {
    static const char* traces[kNumTraces] = {"x1", "x2", "y1", "y2", "y3"};
    for (int tr = 0; tr < kNumTraces; ++tr)
        if (var == traces[tr]) {
            std::copy(trace_[tr].begin(), trace_[tr].end(), out);
            return;
        }
    const int which = var == "weights" ? 0 : var == "tags" ? 1 : 2;
    for (const auto& g : groups_) {
        const uint64_t n = g.initial_weight.size();
        for (uint64_t k = 0; k < n; ++k)
            out[k] = which == 0 ? g.group->weight_at(k) : which == 1 ? g.tag[k] : g.delay_field[k];
        out += n;
    }
}

}  // namespace emu
