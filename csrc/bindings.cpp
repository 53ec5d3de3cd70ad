// pybind11 module emulator._core: the kernel's Python API. numpy arrays in, numpy arrays
// out; run() releases the GIL. Every array is checked for dtype and rank here and for
// values by the kernel, so nothing Python passes can make the kernel read out of bounds.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <initializer_list>
#ifndef _WIN32
#include <unistd.h>
#endif
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "axon_tables.hpp"
#include "errors.hpp"
#include "learning.hpp"
#include "lif.hpp"
#include "pcg64.hpp"
#include "resonator.hpp"
#include "sigma_delta.hpp"
#include "synapse_rows.hpp"
#include "system.hpp"

namespace py = pybind11;
using namespace emu;

namespace {

// A 1-D array of exactly dtype T (no silent casts: a narrowing cast could hide an
// out-of-range value from the kernel's validation), C-contiguous, without a copy when it
// already is.
template <typename T>
py::array_t<T, py::array::c_style> view(const py::array& a, const char* name) {
    if (!py::dtype::of<T>().is(a.dtype()) && !a.dtype().equal(py::dtype::of<T>()))
        throw LoadError(std::string(name) + ": dtype " + std::string(py::str(a.dtype())) +
                        "; expected " + std::string(py::str(py::dtype::of<T>())));
    if (a.ndim() != 1)
        throw LoadError(std::string(name) + ": expected a 1-D array, got " +
                        std::to_string(a.ndim()) + " dimensions");
    return py::array_t<T, py::array::c_style>::ensure(a);
}

// The same, copied into a vector (what the kernel keeps).
template <typename T>
std::vector<T> take(const py::array& a, const char* name) {
    auto c = view<T>(a, name);
    return std::vector<T>(c.data(), c.data() + c.size());
}

// The same, lent to the kernel while it loads (borrowed.hpp): the array's own memory
// when it is C-contiguous (the binding keeps the array alive with the System: see
// py::keep_alive below; the Program's arrays do not change while a Simulator loads
// them), else a copy.
template <typename T>
Borrowed<T> lend(const py::array& a, const char* name) {
    auto c = view<T>(a, name);
    if (c.ptr() == a.ptr()) return Borrowed<T>::view(c.data(), static_cast<size_t>(c.size()));
    return Borrowed<T>(std::vector<T>(c.data(), c.data() + c.size()));
}

// Row or axon offsets, int32 (lent as they are: offsets are checked to start at 0 and
// never decrease, so none is negative) or int64 (copied, each checked to fit 32 bits).
Borrowed<uint32_t> lend_offsets(const py::array& a, const char* name) {
    if (a.dtype().equal(py::dtype::of<int32_t>())) {
        Borrowed<int32_t> b = lend<int32_t>(a, name);
        if (b.owned_bytes() == 0)
            return Borrowed<uint32_t>::view(reinterpret_cast<const uint32_t*>(b.data()), b.size());
        return Borrowed<uint32_t>(std::vector<uint32_t>(b.begin(), b.end()));
    }
    auto c = view<int64_t>(a, name);
    std::vector<uint32_t> out(static_cast<size_t>(c.size()));
    for (py::ssize_t k = 0; k < c.size(); ++k) {
        require_range<int64_t>(name, "offset", c.data()[k], 0, UINT32_MAX);
        out[k] = static_cast<uint32_t>(c.data()[k]);
    }
    return Borrowed<uint32_t>(std::move(out));
}

template <typename T>
py::array_t<T> to_numpy(const std::vector<T>& v) {
    py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
    std::copy(v.begin(), v.end(), a.mutable_data());
    return a;
}

// The same without a copy: the array takes the vector over (a run's spike record can be
// hundreds of megabytes, and copying it would delay even an interrupted run's return).
template <typename T>
py::array_t<T> to_numpy(std::vector<T>&& v) {
    auto* owned = new std::vector<T>(std::move(v));
    py::capsule free_when_done(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
    return py::array_t<T>(static_cast<py::ssize_t>(owned->size()), owned->data(), free_when_done);
}

// A neuron model's parameters: exactly the names `expected`, each an int32 array of n.
class BlockParams {
  public:
    BlockParams(const std::string& where, const py::dict& arrays, int32_t n,
                std::initializer_list<const char*> expected)
        : where_(where), n_(n) {
        for (const char* name : expected) {
            if (!arrays.contains(name)) throw LoadError(where + ": parameter " + name + " is missing");
            values_[name] = take<int32_t>(arrays[name], name);
            if (values_[name].size() != static_cast<size_t>(n))
                throw LoadError(where + ": parameter " + name + " has " +
                                std::to_string(values_[name].size()) + " values for " +
                                std::to_string(n) + " neurons");
        }
        for (const auto& item : arrays) {
            const std::string key = py::str(item.first);
            if (!values_.count(key)) throw LoadError(where + ": unexpected parameter " + key);
        }
    }
    const int32_t* operator[](const char* name) const { return values_.at(name).data(); }

  private:
    std::string where_;
    int32_t n_;
    std::map<std::string, std::vector<int32_t>> values_;
};

// Adds a block of n compartments of model `kind` (the names of emulator.neurons.MODELS).
void add_block(System& s, int32_t core, const std::string& kind, const std::string& where,
               int32_t n, const py::dict& arrays) {
    require_range(where, "neurons", n, 1, 1 << 20);
    std::unique_ptr<NeuronBlock> block;
    if (kind == "lif") {
        BlockParams p(where, arrays, n, {"du", "dv", "vth", "bias_mant", "bias_exp"});
        block = std::make_unique<LifBlock>(where, n, p["du"], p["dv"], p["vth"], p["bias_mant"],
                                           p["bias_exp"]);
    } else if (kind == "sigma_delta") {
        BlockParams p(where, arrays, n, {"vth", "bias", "relu", "cum_error", "corrected", "state_exp"});
        block = std::make_unique<SigmaDeltaBlock>(where, n, false, p["vth"], p["bias"], p["relu"],
                                                  p["cum_error"], p["corrected"], p["state_exp"],
                                                  nullptr);
    } else if (kind == "delta") {
        BlockParams p(where, arrays, n, {"vth", "cum_error", "corrected", "state_exp", "input_exp"});
        block = std::make_unique<SigmaDeltaBlock>(where, n, true, p["vth"], nullptr, nullptr,
                                                  p["cum_error"], p["corrected"], p["state_exp"],
                                                  p["input_exp"]);
    } else if (kind == "sigma") {
        BlockParams p(where, arrays, n, {});
        block = std::make_unique<SigmaBlock>(where, n);
    } else if (kind == "rf") {
        BlockParams p(where, arrays, n, {"sin_d", "cos_d", "vth", "decay_bits", "state_exp", "iz"});
        block = std::make_unique<ResonatorBlock>(where, n, p["sin_d"], p["cos_d"], p["vth"],
                                                 p["decay_bits"], p["state_exp"], p["iz"]);
    } else {
        throw LoadError(where + ": unknown neuron model '" + kind + "'");
    }
    s.core(core).add_block(std::move(block));
}

void add_group(System& s, int32_t core, const std::string& where, int32_t post_base,
               int32_t n_post, int32_t n_rows, bool dense, const py::array& row_ptr,
               const py::array& post, const py::array& weight, const py::array& delay,
               int32_t weight_exp, bool graded) {
    s.core(core).add_group(std::make_unique<SynapseGroup>(
        where, post_base, n_post, n_rows, dense, lend_offsets(row_ptr, "row_ptr"),
        lend<uint16_t>(post, "post"), lend<int16_t>(weight, "weight"), lend<uint8_t>(delay, "delay"),
        weight_exp, graded));
}

// A plastic connection (see csrc/learning.hpp); returns its index.
int32_t add_plastic(System& s, const std::string& where, int32_t n_pre, int32_t n_post,
                    int32_t t_epoch, int32_t sign_mode, const py::array& dw, const py::array& dd,
                    const py::array& dt, const py::array& impulse_int,
                    const py::array& impulse_frac, const py::array& decay,
                    const py::array& streams, const py::array& pre_source,
                    const py::array& post_source, const py::array& modulator_y2,
                    const py::array& modulator_y3, uint64_t n_synapses) {
    const std::vector<int32_t> rules[kNumRules] = {take<int32_t>(dw, "dw"), take<int32_t>(dd, "dd"),
                                                   take<int32_t>(dt, "dt")};
    const auto ints = take<int32_t>(impulse_int, "impulse_int");
    const auto fracs = take<int32_t>(impulse_frac, "impulse_frac");
    const auto decays = take<double>(decay, "decay");
    if (ints.size() != kNumTraces || fracs.size() != kNumTraces || decays.size() != kNumTraces)
        throw LoadError(where + ": trace parameters need one value per trace (x1 x2 y1 y2 y3)");
    std::vector<TraceParams> traces;
    for (int tr = 0; tr < kNumTraces; ++tr) traces.push_back({ints[tr], fracs[tr], decays[tr]});
    return s.add_plastic(
        std::make_unique<PlasticConnection>(
            where, n_pre, n_post, t_epoch, sign_mode, rules, traces,
            take<uint64_t>(streams, "streams"), take<int32_t>(pre_source, "pre_source"),
            take<int32_t>(post_source, "post_source"), take<int32_t>(modulator_y2, "modulator_y2"),
            take<int32_t>(modulator_y3, "modulator_y3")),
        n_synapses);
}

// numpy-compatible draws of one PCG64 state (six words, see csrc/pcg64.hpp): "random"
// (Generator.random) or "integers" (Generator.integers(0, 128)). For the tests.
py::array_t<double> pcg64_draws(const py::array& words_in, int64_t n, const std::string& kind) {
    const auto words = take<uint64_t>(words_in, "state");
    if (words.size() != kStreamWords) throw RunError("pcg64_draws: expected 6 state words");
    if (kind != "random" && kind != "integers")
        throw RunError("pcg64_draws: kind must be 'random' or 'integers'");
    Pcg64 stream(words.data());
    py::array_t<double> out(n);
    for (int64_t i = 0; i < n; ++i)
        out.mutable_data()[i] = kind == "random" ? stream.random() : stream.below128();
    return out;
}

// Looks into a run from Python between steps. The GIL is taken only when there is
// something to do, since waiting for it while another Python thread computes would stall
// the kernel: when a signal has arrived, to run Python's handlers (Ctrl-C raises
// KeyboardInterrupt there), and every `interval` seconds to call `progress(steps done,
// steps)`. A signal is seen without the GIL through Python's wakeup file descriptor
// (signal.set_wakeup_fd: Python's C-level handler writes a byte to it); `signal_fd` is
// its reading end, non-blocking, or -1 where there is none (then every poll takes the
// GIL to check). The bytes read are kept for the caller to pass on to the wakeup fd it
// displaced. An exception from a handler or the callback stops the run; it is kept to be
// handed back with the outputs.
class PythonWatch : public RunWatch {
  public:
    PythonWatch(py::object progress, int64_t steps, double interval, bool signals, int signal_fd)
        : progress_(std::move(progress)), steps_(steps), interval_(interval), signals_(signals),
          signal_fd_(signal_fd), last_(std::chrono::steady_clock::now()) {}

    bool poll(int64_t done) override {
        bool signalled = signals_ && signal_fd_ < 0;
#ifndef _WIN32
        if (signals_ && signal_fd_ >= 0) {
            char buffer[64];
            for (ssize_t n; (n = ::read(signal_fd_, buffer, sizeof buffer)) > 0;) {
                received_.append(buffer, static_cast<size_t>(n));
                signalled = true;
            }
        }
#endif
        const auto now = std::chrono::steady_clock::now();
        const bool report = !progress_.is_none() &&
                            std::chrono::duration<double>(now - last_).count() >= interval_;
        if (!signalled && !report) return true;
        py::gil_scoped_acquire gil;
        try {
            if (signalled && PyErr_CheckSignals() != 0) throw py::error_already_set();
            if (report) {
                last_ = now;
                progress_(done, steps_);
            }
        } catch (py::error_already_set& e) {
            error_ = e.value();
            return false;
        }
        return true;
    }
    // The exception that stopped the run, or None.
    py::object error() const { return error_; }
    // The bytes read from the signal fd.
    py::bytes received() const { return py::bytes(received_); }

  private:
    py::object progress_;
    int64_t steps_;
    double interval_;
    bool signals_;
    int signal_fd_;
    std::chrono::steady_clock::time_point last_;
    std::string received_;
    py::object error_ = py::none();
};

const char* stop_name(RunStop stop) {
    switch (stop) {
        case RunStop::kNone: return nullptr;
        case RunStop::kRequested: return "requested";
        case RunStop::kWatch: return "watch";
        case RunStop::kRecordBudget: return "record budget";
    }
    return nullptr;
}

// Runs `steps` steps without the GIL. Returns the outputs of the steps that ran (all of
// them unless the run stopped: "stop" names why, "error" holds the exception a signal
// handler or the progress callback raised). per_step: RunOptions::per_step.
// record_budget: bytes the spike record may take (0: no bound). signals: check Python's
// signals between steps (only the main thread can run their handlers), seen on
// signal_fd (see PythonWatch).
py::dict run(System& s, int64_t steps, const py::array& raster_in,
             const std::vector<std::tuple<int32_t, int32_t, std::string, int32_t, int32_t>>& probes_in,
             const std::vector<std::tuple<int32_t, std::string>>& plastic_in, bool per_step,
             const py::object& progress, double progress_interval, bool signals,
             int signal_fd, uint64_t record_budget) {
    if (!raster_in.dtype().equal(py::dtype::of<int32_t>()) || raster_in.ndim() != 2 ||
        raster_in.shape(0) != steps || raster_in.shape(1) != s.n_inputs())
        throw RunError("raster: expected an int32 array of shape (" + std::to_string(steps) +
                       ", " + std::to_string(s.n_inputs()) + ")");
    auto raster = py::array_t<int32_t, py::array::c_style>::ensure(raster_in);
    std::vector<ProbeSpec> probes;
    int64_t n_cols = 0;
    for (const auto& [core, block, var, first, count] : probes_in) {
        probes.push_back(ProbeSpec{core, block, var, first, count});
        n_cols += count;
    }
    s.check_probes(probes);
    std::vector<PlasticProbeSpec> plastic;
    int64_t n_plastic_cols = 0;
    for (const auto& [k, var] : plastic_in) {
        plastic.push_back(PlasticProbeSpec{k, var});
        n_plastic_cols += s.plastic_probe_columns(plastic.back());
    }
    py::array_t<int64_t> probe_out({steps, n_cols});
    py::array_t<int32_t> plastic_out({steps, n_plastic_cols});
    int64_t* probe_ptr = probe_out.mutable_data();
    int32_t* plastic_ptr = plastic_out.mutable_data();
    const int32_t* raster_ptr = raster.data();
    PythonWatch watch(progress, steps, progress_interval, signals, signal_fd);
    RunOptions options;
    options.per_step = per_step;
    options.watch = (signals || !progress.is_none()) ? &watch : nullptr;
    options.record_budget = record_budget ? record_budget : UINT64_MAX;
    RunOutput out;
    {
        py::gil_scoped_release release;
        s.run(steps, raster_ptr, probes, probe_ptr, plastic, plastic_ptr, out, options);
    }
    const py::ssize_t ran = out.steps_run, rows = per_step ? ran : 1;
    const auto first = [ran](const py::array& a) { return a[py::slice(0, ran, 1)]; };
    py::dict d;
    d["steps_run"] = ran;
    d["stop"] = stop_name(out.stop) ? py::object(py::str(stop_name(out.stop))) : py::none();
    d["error"] = watch.error();
    d["signal_bytes"] = watch.received();
    d["step_ptr"] = to_numpy(std::move(out.step_ptr));
    d["spike_source"] = to_numpy(std::move(out.spike_source));
    d["spike_payload"] = to_numpy(std::move(out.spike_payload));
    d["source_outputs"] = to_numpy(out.source_outputs);
    auto cc = to_numpy(out.core_counters);
    d["core_counters"] = cc.reshape({static_cast<py::ssize_t>(s.n_cores()), py::ssize_t{kNumCounters}});
    auto sc = to_numpy(out.step_counters);
    d["step_counters"] = sc.reshape({rows, py::ssize_t{kNumCounters}});
    auto hs = to_numpy(out.host_steps);
    d["host_steps"] = hs.reshape({rows, py::ssize_t{kHostColumns}});
    d["probes"] = ran == steps ? py::object(probe_out) : py::object(first(probe_out));
    d["plastic_probes"] = ran == steps ? py::object(plastic_out) : py::object(first(plastic_out));
    if (s.mesh()) {
        // signed: the busiest-link and slowest-core columns hold -1 for "none"
        auto ts = py::array(py::dtype::of<int64_t>(), {rows, py::ssize_t{kTrafficColumns}},
                            out.traffic_steps.data());
        d["traffic_steps"] = ts;
        d["time_steps"] = to_numpy(out.time_steps).reshape({rows, py::ssize_t{kTimeColumns}});
        d["time_totals"] = to_numpy(out.time_totals);
        d["link_packets"] = to_numpy(out.link_packets);
        d["link_bits"] = to_numpy(out.link_bits);
        d["router_packets"] = to_numpy(out.router_packets);
        d["hop_histogram"] = to_numpy(out.hop_histogram);
    }
    return d;
}

// The network: where cores sit, the chip grid, and (multicast) every chip's table as a
// tuple of arrays (value, mask, links, core_ptr, core_slot).
void set_network(System& s, int32_t grid_x, int32_t grid_y, int32_t cores_per_router,
                 int32_t cores_per_chip, bool hexagonal, const py::array& chip_x,
                 const py::array& chip_y, const py::array& port_router, const py::array& core_chip,
                 const py::array& core_slot, int32_t host_chip, int32_t host_router,
                 bool multicast, const py::list& tables, int32_t key_shift) {
    MeshSpec spec;
    spec.grid_x = grid_x;
    spec.grid_y = grid_y;
    spec.cores_per_router = cores_per_router;
    spec.cores_per_chip = cores_per_chip;
    spec.hexagonal = hexagonal;
    spec.chip_x = take<int32_t>(chip_x, "chip_x");
    spec.chip_y = take<int32_t>(chip_y, "chip_y");
    spec.port_router = take<int32_t>(port_router, "port_router");
    spec.core_chip = take<int32_t>(core_chip, "core_chip");
    spec.core_slot = take<int32_t>(core_slot, "core_slot");
    spec.host_chip = host_chip;
    spec.host_router = host_router;
    std::vector<MulticastTable> loaded;
    for (const auto& item : tables) {
        const auto t = item.cast<py::tuple>();
        if (t.size() != 5) throw LoadError("multicast table: expected 5 arrays");
        MulticastTable m;
        m.value = take<int64_t>(t[0].cast<py::array>(), "multicast value");
        m.mask = take<int64_t>(t[1].cast<py::array>(), "multicast mask");
        m.links = take<uint8_t>(t[2].cast<py::array>(), "multicast links");
        m.core_ptr = take<int64_t>(t[3].cast<py::array>(), "multicast core_ptr");
        m.core_slot = take<int16_t>(t[4].cast<py::array>(), "multicast core_slot");
        loaded.push_back(std::move(m));
    }
    s.set_network(std::move(spec), multicast, std::move(loaded), key_shift);
}

// Times per figure variant (rows low, typical, high): per counter (3 x n counters), fixed
// per core and step (3 x n_cores, or empty), packet latency (3), per hop and per bit by
// link kind (3 x 3 each).
void set_timing(System& s, const py::array_t<double, py::array::c_style | py::array::forcecast>& core,
                const py::array_t<double, py::array::c_style | py::array::forcecast>& core_fixed,
                const py::array_t<double, py::array::c_style | py::array::forcecast>& packet,
                const py::array_t<double, py::array::c_style | py::array::forcecast>& hop,
                const py::array_t<double, py::array::c_style | py::array::forcecast>& bit,
                int32_t packet_bits) {
    auto shape = [](const py::array& a, std::initializer_list<py::ssize_t> want, const char* name) {
        std::vector<py::ssize_t> w(want);
        bool ok = a.ndim() == static_cast<py::ssize_t>(w.size());
        for (size_t k = 0; ok && k < w.size(); ++k) ok = a.shape(k) == w[k];
        if (!ok) throw LoadError(std::string("system timing: ") + name + " has the wrong shape");
    };
    shape(core, {3, kNumCounters}, "per-operation times");
    shape(packet, {3}, "packet latency");
    shape(hop, {3, kLinkKinds}, "hop latency");
    shape(bit, {3, kLinkKinds}, "seconds per bit");
    if (core_fixed.size() && (core_fixed.ndim() != 2 || core_fixed.shape(1) != 3))
        throw LoadError("system timing: fixed times must be (n_cores, 3)");
    Timing t;
    std::copy(core.data(), core.data() + 3 * kNumCounters, &t.core[0][0]);
    t.core_fixed.assign(core_fixed.data(), core_fixed.data() + core_fixed.size());
    std::copy(packet.data(), packet.data() + 3, t.packet);
    std::copy(hop.data(), hop.data() + 3 * kLinkKinds, &t.hop[0][0]);
    std::copy(bit.data(), bit.data() + 3 * kLinkKinds, &t.bit[0][0]);
    t.packet_bits = packet_bits;
    s.set_timing(std::move(t));
}

// The (steps, n) payload array of one population from a run's event list: the events
// whose source belongs to population `pop` (pop_of[source]) land at neuron
// neuron_of[source]. One pass over the events, without the GIL.
py::array_t<int32_t> scatter_events(const py::array& step_ptr_in, const py::array& source_in,
                                    const py::array& payload_in, const py::array& pop_of_in,
                                    const py::array& neuron_of_in, int32_t pop, int32_t n) {
    const auto step_ptr_a = view<int64_t>(step_ptr_in, "step_ptr");
    const auto source_a = view<int32_t>(source_in, "spike_source");
    const auto payload_a = view<int32_t>(payload_in, "spike_payload");
    const auto pop_of_a = view<int32_t>(pop_of_in, "pop_of");
    const auto neuron_of_a = view<int32_t>(neuron_of_in, "neuron_of");
    const int64_t* step_ptr = step_ptr_a.data();
    const int32_t *source = source_a.data(), *payload = payload_a.data();
    const int32_t *pop_of = pop_of_a.data(), *neuron_of = neuron_of_a.data();
    const int64_t steps = step_ptr_a.size() - 1, n_sources = pop_of_a.size();
    if (steps < 0 || step_ptr[0] != 0 || step_ptr[steps] != source_a.size() ||
        payload_a.size() != source_a.size() || neuron_of_a.size() != n_sources || n < 0)
        throw RunError("scatter_events: inconsistent event arrays");
    for (int64_t t = 0; t < steps; ++t)  // all offsets checked before any event is read
        if (step_ptr[t] > step_ptr[t + 1]) throw RunError("scatter_events: step_ptr decreases");
    py::array_t<int32_t> out({steps, static_cast<int64_t>(n)});
    int32_t* o = out.mutable_data();
    {
        py::gil_scoped_release release;
        std::fill(o, o + steps * n, 0);
        for (int64_t t = 0; t < steps; ++t) {
            for (int64_t e = step_ptr[t]; e < step_ptr[t + 1]; ++e) {
                const int32_t s = source[e];
                if (s < 0 || s >= n_sources)
                    throw RunError("scatter_events: source out of range");
                if (pop_of[s] != pop) continue;
                const int32_t i = neuron_of[s];
                if (i < 0 || i >= n) throw RunError("scatter_events: neuron out of range");
                o[t * n + i] = payload[e];
            }
        }
    }
    return out;
}

// Compiler passes (synapse_rows.hpp), on a connection's canonical arrays.
py::tuple block_rows_py(const py::array& pre_in, const py::array& post_in, int64_t n_pre,
                        int64_t n_post, int64_t size, const py::array& cost_in) {
    const auto pre = view<int64_t>(pre_in, "pre_index");
    const auto post = view<int64_t>(post_in, "post_index");
    const auto cost = view<int64_t>(cost_in, "cost");
    if (pre.size() != post.size())
        throw LoadError("block_rows: pre_index has " + std::to_string(pre.size()) +
                        " synapses, post_index " + std::to_string(post.size()));
    BlockRows r;
    {
        py::gil_scoped_release release;
        r = block_rows(pre.data(), post.data(), pre.size(), n_pre, n_post, size, cost.data(),
                       cost.size());
    }
    return py::make_tuple(to_numpy(r.axons), to_numpy(r.bits), to_numpy(r.rows_per_pre));
}

py::tuple group_synapses_py(const py::array& pre_in, const py::array& post_in,
                            const py::array& weight_in, const py::object& delay_in,
                            int64_t n_pre, const py::array& pre_order_in,
                            const py::array& block_of_post_in, const py::array& block_start_in) {
    const auto pre = view<int64_t>(pre_in, "pre_index");
    const auto pre_order = view<int64_t>(pre_order_in, "pre_order");
    require_range<int64_t>("group_synapses", "n_pre", n_pre, 0, INT32_MAX);
    if (pre_order.size() != n_pre)
        throw LoadError("group_synapses: pre_order has " + std::to_string(pre_order.size()) +
                        " entries for " + std::to_string(n_pre) + " pre neurons");
    const auto post = view<int64_t>(post_in, "post_index");
    const auto weight = view<int64_t>(weight_in, "weights");
    const auto block_of_post = view<int32_t>(block_of_post_in, "block_of_post");
    const auto block_start = view<int64_t>(block_start_in, "block_start");
    py::array_t<int64_t, py::array::c_style> delay;
    if (!delay_in.is_none()) delay = view<int64_t>(delay_in.cast<py::array>(), "delays");
    if (pre.size() != post.size() || weight.size() != pre.size() ||
        (!delay_in.is_none() && delay.size() != pre.size()))
        throw LoadError("group_synapses: pre_index, post_index, weights and delays have " +
                        std::to_string(pre.size()) + ", " + std::to_string(post.size()) + ", " +
                        std::to_string(weight.size()) + " and " +
                        std::to_string(delay_in.is_none() ? pre.size() : delay.size()) +
                        " entries; expected one length");
    const int64_t n = pre.size(), n_blocks = block_start.size();
    // outputs filled in place (see axon_tables_py); row_start is cut to its rows after
    py::array_t<int32_t> out_pre(n);
    py::array_t<uint16_t> out_post(n);
    py::array_t<int16_t> out_weight(n);
    py::array_t<uint8_t> out_delay(delay_in.is_none() ? 0 : n);
    py::array_t<int64_t> block_ptr(n_blocks + 1), row_start(n), block_row_ptr(n_blocks + 1);
    int64_t n_rows;
    {
        py::gil_scoped_release release;
        n_rows = group_synapses(pre.data(), post.data(), weight.data(),
                                delay_in.is_none() ? nullptr : delay.data(), n, n_pre,
                                pre_order.data(), block_of_post.data(), block_of_post.size(), block_start.data(),
                                n_blocks, out_pre.mutable_data(), out_post.mutable_data(),
                                out_weight.mutable_data(),
                                delay_in.is_none() ? nullptr : out_delay.mutable_data(),
                                block_ptr.mutable_data(), row_start.mutable_data(),
                                block_row_ptr.mutable_data());
    }
    py::array rows = row_start[py::slice(0, static_cast<py::ssize_t>(n_rows), 1)];
    if (2 * n_rows < n) rows = rows.attr("copy")();  // long rows: do not keep n slots alive
    return py::make_tuple(out_pre, out_post, out_weight, out_delay, block_ptr, rows,
                          block_row_ptr);
}

// Input- and output-axon tables (axon_tables.hpp). groups_per_core: for each core, the
// sender arrays (int64) of its groups' rows. The outputs are numpy arrays filled in
// place (numpy backs large arrays with huge pages; a copy would touch everything twice).
py::tuple axon_tables_py(const py::list& groups_per_core, int64_t n_sources) {
    require_range<int64_t>("axon tables", "n_sources", n_sources, 0, INT32_MAX);
    std::vector<py::array_t<int64_t, py::array::c_style>> keep;  // alive while C++ reads
    std::vector<std::vector<const int64_t*>> sources;
    std::vector<std::vector<int64_t>> n_rows;
    std::vector<int64_t> first{0};  // core c's entries: [first[c], first[c+1])
    for (const auto& core : groups_per_core) {
        sources.emplace_back();
        n_rows.emplace_back();
        for (const auto& senders : core.cast<py::list>()) {
            keep.push_back(view<int64_t>(senders.cast<py::array>(), "group sources"));
            sources.back().push_back(keep.back().data());
            n_rows.back().push_back(keep.back().size());
            // group and row indices are stored as int32
            require_range<int64_t>("axon tables", "rows of a group", keep.back().size(), 0,
                                   INT32_MAX);
        }
        require_range<int64_t>("axon tables", "groups of a core",
                               static_cast<int64_t>(sources.back().size()), 0, INT32_MAX);
        int64_t entries = 0;
        for (int64_t k : n_rows.back()) entries += k;
        // a core's axons are numbered in int32
        require_range<int64_t>("axon tables", "rows of a core", entries, 0, INT32_MAX);
        first.push_back(first.back() + entries);
    }
    // one array of each kind for all cores (views per core): large enough for huge pages
    const size_t n_cores = sources.size();
    require_range<int64_t>("axon tables", "cores", static_cast<int64_t>(n_cores), 0, INT32_MAX);
    py::array_t<int64_t> ptr(first.back() + static_cast<int64_t>(n_cores)), sender(first.back());
    py::array_t<int32_t> group(first.back()), row(first.back());
    std::vector<int64_t> n_axons(n_cores);
    std::vector<const int64_t*> senders(n_cores);
    {
        py::gil_scoped_release release;
        AxonScratch scratch(n_sources);
        for (size_t c = 0; c < n_cores; ++c) {
            const int64_t at = first[c];
            n_axons[c] = input_axons(sources[c], n_rows[c], static_cast<int64_t>(c), scratch,
                                     ptr.mutable_data() + at + static_cast<int64_t>(c),
                                     group.mutable_data() + at, row.mutable_data() + at,
                                     sender.mutable_data() + at);
            senders[c] = sender.data() + at;
        }
    }
    int64_t total = 0;
    for (int64_t a : n_axons) total += a;
    py::array_t<int64_t> src_ptr(n_sources + 1);
    py::array_t<int32_t> dst_core(total), dst_axon(total);
    {
        py::gil_scoped_release release;
        output_axons(senders, n_axons, n_sources, src_ptr.mutable_data(),
                     dst_core.mutable_data(), dst_axon.mutable_data());
    }
    py::list per_core;
    for (size_t c = 0; c < n_cores; ++c) {
        const auto at = static_cast<py::ssize_t>(first[c]), k = static_cast<py::ssize_t>(c);
        per_core.append(py::make_tuple(
            ptr[py::slice(at + k, at + k + n_axons[c] + 1, 1)],
            group[py::slice(at, static_cast<py::ssize_t>(first[c + 1]), 1)],
            row[py::slice(at, static_cast<py::ssize_t>(first[c + 1]), 1)]));
    }
    return py::make_tuple(per_core, py::make_tuple(src_ptr, dst_core, dst_axon));
}

}  // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "The C++ neurocore kernel of the emulator (see emulator/runtime.py).";

    // Looked up when raised (not cached in statics, which would outlive the interpreter).
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const PayloadError& e) {
            auto cls = py::module_::import("emulator.errors").attr("PayloadRangeError");
            PyErr_SetString(cls.ptr(), e.what());
        } catch (const LoadError& e) {
            auto cls = py::module_::import("emulator.errors").attr("ProgramFormatError");
            PyErr_SetString(cls.ptr(), e.what());
        } catch (const RunError& e) {
            auto cls = py::module_::import("emulator.errors").attr("InputError");
            PyErr_SetString(cls.ptr(), e.what());
        } catch (const BusyError& e) {
            auto cls = py::module_::import("emulator.errors").attr("SimulatorBusyError");
            PyErr_SetString(cls.ptr(), e.what());
        } catch (const ResourceError& e) {
            auto cls = py::module_::import("emulator.errors").attr("ResourceLimitError");
            PyErr_SetString(cls.ptr(), e.what());
        } catch (const std::bad_alloc&) {
            auto cls = py::module_::import("emulator.errors").attr("ResourceLimitError");
            PyErr_SetString(cls.ptr(), "the kernel ran out of memory (std::bad_alloc)");
        }
    });

    m.attr("COUNTERS") = py::make_tuple("synops", "updates_active", "updates_inactive", "spikes",
                                        "messages", "graded_messages", "payload_bits",
                                        "synaptic_updates", "synops_dense", "packets",
                                        "packets_in", "hops_ew", "hops_ns", "hops_chip",
                                        "synops_graded");
    m.attr("HOST_COUNTERS") = py::make_tuple("spikes", "messages", "graded_messages", "payload_bits",
                                             "packets", "hops_ew", "hops_ns", "hops_chip");
    m.attr("TRAFFIC_COLUMNS") = py::make_tuple(
        "packets", "deliveries", "intra_core", "intra_chip", "inter_chip", "hops_ew", "hops_ns",
        "hops_chip", "payload_bit_hops", "longest_hops", "busiest_link", "busiest_link_packets",
        "slowest_core");
    m.attr("TIME_COLUMNS") = py::make_tuple("core", "latency", "serialisation");
    m.def("chip_path", &chip_path, py::arg("ax"), py::arg("ay"), py::arg("bx"), py::arg("by"),
          py::arg("hexagonal"));

    m.def("block_rows", &block_rows_py, py::arg("pre_index"), py::arg("post_index"),
          py::arg("n_pre"), py::arg("n_post"), py::arg("size"), py::arg("cost"));
    m.def("group_synapses", &group_synapses_py, py::arg("pre_index"), py::arg("post_index"),
          py::arg("weights"), py::arg("delays"), py::arg("n_pre"), py::arg("pre_order"),
          py::arg("block_of_post"), py::arg("block_start"));
    m.def("axon_tables", &axon_tables_py, py::arg("groups_per_core"), py::arg("n_sources"));
    m.def("pcg64_draws", &pcg64_draws, py::arg("state"), py::arg("n"), py::arg("kind"));
    m.def("scatter_events", &scatter_events, py::arg("step_ptr"), py::arg("source"),
          py::arg("payload"), py::arg("pop_of"), py::arg("neuron_of"), py::arg("pop"), py::arg("n"));

    py::class_<System>(m, "System")
        .def(py::init<int32_t, int32_t, int32_t, bool>(), py::arg("n_inputs"), py::arg("n_cores"),
             py::arg("payload_bits"), py::arg("strict"))
        .def("add_block", &add_block)
        // (arguments 8 to 11, the group's arrays, are lent to the kernel)
        .def("add_group", &add_group, py::keep_alive<1, 8>(), py::keep_alive<1, 9>(),
             py::keep_alive<1, 10>(), py::keep_alive<1, 11>())
        .def("set_axons",
             [](System& s, int32_t core, const py::array& ptr, const py::array& group,
                const py::array& row) {
                 Borrowed<uint32_t> offsets = lend_offsets(ptr, "axon_ptr");
                 s.core(core).set_axons(std::vector<int64_t>(offsets.begin(), offsets.end()),
                                        take<int32_t>(group, "axon_group"),
                                        take<int32_t>(row, "axon_row"));
             })
        .def("set_row_axons", [](System& s, int32_t core) { s.core(core).set_row_axons(); })
        // dst_core int16 or int32; dst_axon one per entry, or (axons_by_core) core by
        // core for the cores without row axons (output_axons.hpp)
        .def("set_output_axons",
             [](System& s, const py::array& ptr, const py::array& core, const py::array& axon,
                bool by_core) {
                 const bool narrow = core.dtype().equal(py::dtype::of<int16_t>());
                 s.set_output_axons(OutputAxons(
                     lend<int64_t>(ptr, "src_ptr"),
                     narrow ? lend<int16_t>(core, "dst_core") : Borrowed<int16_t>(),
                     narrow ? Borrowed<int32_t>() : lend<int32_t>(core, "dst_core"),
                     lend<int32_t>(axon, "dst_axon"), by_core));
             },
             py::arg("src_ptr"), py::arg("dst_core"), py::arg("dst_axon"), py::arg("axons_by_core") = false,
             py::keep_alive<1, 2>(), py::keep_alive<1, 3>(), py::keep_alive<1, 4>())
        .def("set_graded_inputs",
             [](System& s, const py::array& graded) {
                 s.set_graded_inputs(take<uint8_t>(graded, "graded_inputs"));
             })
        .def("set_network", &set_network, py::arg("grid_x"), py::arg("grid_y"),
             py::arg("cores_per_router"), py::arg("cores_per_chip"), py::arg("hexagonal"),
             py::arg("chip_x"), py::arg("chip_y"), py::arg("port_router"), py::arg("core_chip"),
             py::arg("core_slot"), py::arg("host_chip"), py::arg("host_router"),
             py::arg("multicast"), py::arg("tables"), py::arg("key_shift"))
        .def("set_timing", &set_timing, py::arg("core"), py::arg("core_fixed"), py::arg("packet"),
             py::arg("hop"), py::arg("bit"), py::arg("packet_bits"))
        .def("link_table",
             [](const System& s) {
                 auto call = s.guard("link_table()");
                 const Mesh* mesh = s.mesh();
                 if (!mesh) throw RunError("system: no network was set");
                 py::array_t<int32_t> out({static_cast<py::ssize_t>(mesh->n_links()), py::ssize_t{4}});
                 int32_t* o = out.mutable_data();
                 for (int64_t l = 0; l < mesh->n_links(); ++l) mesh->describe_link(l, o + 4 * l);
                 return out;
             })
        .def("set_threads", &System::set_threads, py::arg("n"), py::arg("exact"))
        .def("finalize", &System::finalize)
        .def("add_plastic", &add_plastic)
        .def("add_plastic_group",
             [](System& s, int32_t plastic, int32_t core, int32_t group, const py::array& row_pre,
                int32_t post_start) {
                 s.add_plastic_group(plastic, core, group, take<int32_t>(row_pre, "row_pre"),
                                     post_start);
             })
        .def("plastic_state",
             [](const System& s, int32_t k, const std::string& var) {
                 auto call = s.guard("plastic_state()");
                 const PlasticConnection& p = s.plastic(k);
                 const int64_t n = p.n_values(var);
                 if (n < 0) throw RunError("plastic_state: no variable '" + var + "'");
                 py::array_t<int32_t> out(n);
                 p.copy(var, out.mutable_data());
                 return out;
             })
        .def("run", &run, py::arg("steps"), py::arg("raster"), py::arg("probes"),
             py::arg("plastic_probes"), py::arg("per_step"), py::arg("progress"),
             py::arg("progress_interval"), py::arg("signals"), py::arg("signal_fd"),
             py::arg("record_budget"))
        .def("request_stop", &System::request_stop)
        .def("reset", &System::reset)
        .def_property_readonly("n_inputs", &System::n_inputs)
        .def_property_readonly("n_cores", &System::n_cores)
        .def_property_readonly("threads", &System::threads)
        .def_property_readonly("n_sources", &System::n_sources)
        .def_property_readonly("steps_done", &System::steps_done)
        .def_property_readonly("memory_bytes",
                               [](const System& s) {
                                   auto call = s.guard("memory_bytes");
                                   return s.memory_bytes();
                               })
        .def_property_readonly("memory_parts",
                               [](const System& s) {
                                   auto call = s.guard("memory_parts");
                                   const auto parts = s.memory_parts();
                                   py::dict d;
                                   const char* names[] = {"synapses", "accounting", "ring",
                                                          "network", "cores"};
                                   for (int k = 0; k < System::kMemParts; ++k) d[names[k]] = parts[k];
                                   return d;
                               })
        .def_property_readonly("synapse_memory_bytes",
                               [](const System& s) {
                                   auto call = s.guard("synapse_memory_bytes");
                                   return s.synapse_memory_bytes();
                               })
        .def_property_readonly("n_synapses", [](const System& s) {
            auto call = s.guard("n_synapses");
            return s.n_synapses();
        });
}
