#include "output_axons.hpp"

#include <string>

#include "errors.hpp"

namespace emu {

OutputAxons::OutputAxons(Borrowed<int64_t> src_ptr, Borrowed<int16_t> core16,
                         Borrowed<int32_t> core32, Borrowed<int32_t> axons, bool by_core)
    : src_ptr_(std::move(src_ptr)), core16_(std::move(core16)), core32_(std::move(core32)),
      axons_(std::move(axons)), by_core_(by_core) {
    if (!core16_.empty() && !core32_.empty())
        throw LoadError("system: output-axon table has destination cores twice");
}

void OutputAxons::validate(int64_t n_sources, const std::vector<int32_t>& n_axons,
                           const std::vector<uint8_t>& in_order) {
    const int64_t n = n_entries();
    const int32_t n_cores = static_cast<int32_t>(n_axons.size());
    if (src_ptr_.size() != static_cast<size_t>(n_sources) + 1 || src_ptr_[0] != 0 ||
        src_ptr_[n_sources] != n)
        throw LoadError("system: output-axon table has " + std::to_string(src_ptr_.size()) +
                        " offsets for " + std::to_string(n_sources) + " sources and " +
                        std::to_string(n) + " destinations; inconsistent");
    for (int64_t s = 0; s < n_sources; ++s)
        if (src_ptr_[s] > src_ptr_[s + 1])
            throw LoadError("system: output-axon table decreases at source " + std::to_string(s));
    std::vector<int64_t> entries(n_cores, 0);
    for (int64_t e = 0; e < n; ++e) {
        const int32_t c = core(e);
        require_range("system output axons", "destination core", c, 0, n_cores - 1);
        ++entries[c];
    }
    int64_t stored = 0;
    first_.assign(by_core_ ? n_cores : 0, -1);
    for (int32_t c = 0; c < n_cores && by_core_; ++c) {
        if (in_order[c]) continue;
        first_[c] = stored;
        stored += entries[c];
    }
    if (static_cast<int64_t>(axons_.size()) != (by_core_ ? stored : n))
        throw LoadError("system: output-axon table has " + std::to_string(axons_.size()) +
                        " axons; its cores need " + std::to_string(by_core_ ? stored : n));
    Axons axon_of(*this);
    for (int64_t e = 0; e < n; ++e)
        require_range("system output axons", "destination axon", axon_of(e), 0, n_axons[core(e)] - 1);
}

}  // namespace emu
