// The microcode of one learning rule (dw, dd or dt): a sum of products, each a
// dependency (x0, y0 or uK), a constant m * 2^e and up to four factors (spec
// neurocore.md section 7). emulator/learning.py parses the rule strings and packs them
// into int32 words; this class checks every word it loads and evaluates the sum for one
// synapse into the 16-bit accumulator.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace emu {

// Variable codes (the order of emulator.learning.VARIABLES).
enum RuleVar : int32_t { kVarX0 = 0, kVarY0, kVarX1, kVarX2, kVarY1, kVarY2, kVarY3, kVarW,
                         kVarD, kVarT, kNumRuleVars };
enum FactorKind : int32_t { kFactorPlain = 0, kFactorOffset, kFactorSign };
enum Dependency : int32_t { kDepX0 = 0, kDepY0, kDepU, kNumDeps };

// The 16-bit accumulator's range (quirk: the lower bound is -2^15 - 1).
constexpr int64_t kAccMin = -(int64_t{1} << 15) - 1;
constexpr int64_t kAccMax = (int64_t{1} << 15) - 1;
constexpr int kMaxFactors = 4;

struct RuleFactor {
    int32_t kind, var;
    int64_t constant, lo, hi;  // the value clips to [lo, hi] = [-2^width, 2^width - 1]
};

struct RuleProduct {
    int32_t dep, k, m, e, shift, n_factors;
    RuleFactor factor[kMaxFactors];
};

class LearningRule {
  public:
    LearningRule() = default;
    // words: per product dep, K, m, e, n_factors, then (kind, var, const) per factor.
    LearningRule(const std::string& where, const std::vector<int32_t>& words);

    bool empty() const { return products_.empty(); }
    bool uses(int32_t dep) const {
        for (const auto& p : products_)
            if (p.dep == dep) return true;
        return false;
    }
    // The K of the rule's uK dependencies (-1 if none).
    int32_t u_k() const {
        for (const auto& p : products_)
            if (p.dep == kDepU) return p.k;
        return -1;
    }

    // acc = var * 2^7 plus every product, clipped after each. dep[d]: the value (0 or 1)
    // of dependency d for this synapse; value(d, var): variable var as a product with
    // dependency d sees it (traces at the history step d picks).
    template <class Value>
    int64_t accumulate(int64_t var, const int64_t* dep, const Value& value) const {
        int64_t acc = var * 128;
        for (const auto& p : products_) {
            int64_t mac = 0;
            if (dep[p.dep]) {
                mac = p.m;
                for (int32_t f = 0; f < p.n_factors; ++f) {
                    const RuleFactor& x = p.factor[f];
                    int64_t v = value(p.dep, x.var);
                    if (x.kind == kFactorOffset) v += x.constant;
                    else if (x.kind == kFactorSign) v = (v + x.constant > 0) - (v + x.constant < 0);
                    mac *= std::clamp(v, x.lo, x.hi);
                }
                // floor(mac, shift) * 2^(e + 7); e >= -7, and |mac| < 2^40 here
                mac = (mac >> p.shift) * (int64_t{1} << (p.e + 7));
            }
            acc = std::clamp(acc + std::clamp(mac, kAccMin, kAccMax), kAccMin, kAccMax);
        }
        return acc;
    }

  private:
    std::vector<RuleProduct> products_;
};

}  // namespace emu
