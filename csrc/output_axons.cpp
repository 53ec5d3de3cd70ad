#include "output_axons.hpp"

#include <string>

#include "errors.hpp"

namespace emu {

OutputAxons::OutputAxons(Borrowed<int64_t> src_ptr, Borrowed<int16_t> core16,
                         Borrowed<int32_t> core32, bool stored_axons, Borrowed<int32_t> axons)
    : src_ptr_(std::move(src_ptr)), core16_(std::move(core16)), core32_(std::move(core32)),
      stored_axons_(stored_axons), axons_(std::move(axons)) {
    if (!core16_.empty() && !core32_.empty())
        throw LoadError("system: output-axon table has destination cores twice");
}

void OutputAxons::validate(int64_t n_sources, const std::vector<int32_t>& n_axons) const {
    const int64_t n = n_entries();
    if (src_ptr_.size() != static_cast<size_t>(n_sources) + 1 || src_ptr_[0] != 0 ||
        src_ptr_[n_sources] != n || (stored_axons_ && static_cast<int64_t>(axons_.size()) != n))
        throw LoadError("system: output-axon table has " + std::to_string(src_ptr_.size()) +
                        " offsets for " + std::to_string(n_sources) + " sources and " +
                        std::to_string(n) + " destinations; inconsistent");
    for (int64_t s = 0; s < n_sources; ++s)
        if (src_ptr_[s] > src_ptr_[s + 1])
            throw LoadError("system: output-axon table decreases at source " + std::to_string(s));
    const int32_t n_cores = static_cast<int32_t>(n_axons.size());
    std::vector<int32_t> used(stored_axons_ ? 0 : n_cores, 0);
    for (int64_t e = 0; e < n; ++e) {
        const int32_t c = core(e);
        require_range("system output axons", "destination core", c, 0, n_cores - 1);
        // numbered in source order, a core's k-th entry names its axon k
        const int32_t a = stored_axons_ ? axons_[e] : used[c]++;
        require_range("system output axons", "destination axon", a, 0, n_axons[c] - 1);
    }
}

}  // namespace emu
