#include "learning_rule.hpp"

#include "errors.hpp"

namespace emu {

namespace {
// Factor widths (spec section 7): x0, y0 1 bit; traces 7; w, d, t 9.
constexpr int32_t kWidth[kNumRuleVars] = {1, 1, 7, 7, 7, 7, 7, 9, 9, 9};
constexpr int32_t kMaxConstant = 1 << 15;  // |n| of (var + n) and sgn(var + n)
constexpr int32_t kMaxProducts = 16;
}  // namespace

LearningRule::LearningRule(const std::string& where, const std::vector<int32_t>& words) {
    size_t pos = 0;
    auto next = [&](const char* what) -> int32_t {
        if (pos >= words.size())
            throw LoadError(where + ": microcode ends inside a product (reading " + what + ")");
        return words[pos++];
    };
    while (pos < words.size()) {
        RuleProduct p{};
        p.dep = next("dependency");
        p.k = next("K");
        p.m = next("mantissa");
        p.e = next("exponent");
        p.n_factors = next("factor count");
        require_range(where, "dependency", p.dep, 0, kNumDeps - 1);
        require_range(where, "K", p.k, 0, 9);
        require_range(where, "mantissa", p.m, -8, 7);
        require_range(where, "exponent", p.e, -7, 8);
        require_range(where, "factor count", p.n_factors, 0, kMaxFactors);
        int32_t widths = 0;
        for (int32_t f = 0; f < p.n_factors; ++f) {
            RuleFactor& x = p.factor[f];
            x.kind = next("factor kind");
            x.var = next("variable");
            x.constant = next("constant");
            require_range(where, "factor kind", x.kind, 0, 2);
            const int32_t lowest = x.kind == kFactorPlain ? 0 : x.kind == kFactorOffset ? kVarX1 : kVarW;
            require_range(where, "variable", x.var, lowest, kNumRuleVars - 1);
            require_range<int64_t>(where, "constant", x.constant,
                                   x.kind == kFactorPlain ? 0 : -kMaxConstant,
                                   x.kind == kFactorPlain ? 0 : kMaxConstant);
            const int32_t width = kWidth[x.var];
            x.lo = -(int64_t{1} << width);
            x.hi = (int64_t{1} << width) - 1;
            widths += width;
        }
        p.shift = std::max(0, widths + 4 - 15);
        products_.push_back(p);
    }
    require_range(where, "products", static_cast<int32_t>(products_.size()), 0, kMaxProducts);
}

}  // namespace emu
