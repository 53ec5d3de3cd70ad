// pybind11 module emulator._core: the kernel's Python API. numpy arrays in, numpy arrays
// out; run() releases the GIL. Every array is checked for dtype and rank here and for
// values by the kernel, so nothing Python passes can make the kernel read out of bounds.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "errors.hpp"
#include "neurons.hpp"
#include "system.hpp"

namespace py = pybind11;
using namespace emu;

namespace {

// Copies a 1-D array of exactly dtype T (no silent casts: a narrowing cast could hide an
// out-of-range value from the kernel's validation).
template <typename T>
std::vector<T> take(const py::array& a, const char* name) {
    if (!py::dtype::of<T>().is(a.dtype()) && !a.dtype().equal(py::dtype::of<T>()))
        throw LoadError(std::string(name) + ": dtype " + std::string(py::str(a.dtype())) +
                        "; expected " + std::string(py::str(py::dtype::of<T>())));
    if (a.ndim() != 1)
        throw LoadError(std::string(name) + ": expected a 1-D array, got " +
                        std::to_string(a.ndim()) + " dimensions");
    auto c = py::array_t<T, py::array::c_style>::ensure(a);
    return std::vector<T>(c.data(), c.data() + c.size());
}

template <typename T>
py::array_t<T> to_numpy(const std::vector<T>& v) {
    py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
    std::copy(v.begin(), v.end(), a.mutable_data());
    return a;
}

void add_lif_block(System& s, int32_t core, const std::string& where, const py::array& du,
                   const py::array& dv, const py::array& vth, const py::array& bias_mant,
                   const py::array& bias_exp) {
    auto du_ = take<int32_t>(du, "du"), dv_ = take<int32_t>(dv, "dv");
    auto vth_ = take<int32_t>(vth, "vth"), bm = take<int32_t>(bias_mant, "bias_mant");
    auto be = take<int32_t>(bias_exp, "bias_exp");
    const size_t n = du_.size();
    if (n == 0 || dv_.size() != n || vth_.size() != n || bm.size() != n || be.size() != n)
        throw LoadError(where + ": LIF parameter arrays differ in length or are empty");
    s.core(core).add_block(std::make_unique<LifBlock>(where, static_cast<int32_t>(n), du_.data(),
                                                      dv_.data(), vth_.data(), bm.data(), be.data()));
}

void add_group(System& s, int32_t core, const std::string& where, int32_t post_base,
               int32_t n_post, int32_t n_rows, bool dense, const py::array& row_ptr,
               const py::array& post, const py::array& weight, const py::array& delay,
               int32_t weight_exp, bool graded) {
    s.core(core).add_group(std::make_unique<SynapseGroup>(
        where, post_base, n_post, n_rows, dense, take<int64_t>(row_ptr, "row_ptr"),
        take<uint16_t>(post, "post"), take<int16_t>(weight, "weight"),
        take<uint8_t>(delay, "delay"), weight_exp, graded));
}

py::dict run(System& s, int64_t steps, const py::array& raster_in,
             const std::vector<std::tuple<int32_t, int32_t, std::string, int32_t, int32_t>>& probes_in) {
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
    py::array_t<int64_t> probe_out({steps, n_cols});
    int64_t* probe_ptr = probe_out.mutable_data();
    const int32_t* raster_ptr = raster.data();
    RunOutput out;
    {
        py::gil_scoped_release release;
        s.run(steps, raster_ptr, probes, probe_ptr, out);
    }
    py::dict d;
    d["step_ptr"] = to_numpy(out.step_ptr);
    d["spike_source"] = to_numpy(out.spike_source);
    d["spike_payload"] = to_numpy(out.spike_payload);
    auto cc = to_numpy(out.core_counters);
    d["core_counters"] = cc.reshape({static_cast<py::ssize_t>(s.n_cores()), py::ssize_t{kNumCounters}});
    auto sc = to_numpy(out.step_counters);
    d["step_counters"] = sc.reshape({static_cast<py::ssize_t>(steps), py::ssize_t{kNumCounters}});
    auto hs = to_numpy(out.host_steps);
    d["host_steps"] = hs.reshape({static_cast<py::ssize_t>(steps), py::ssize_t{2}});
    d["probes"] = probe_out;
    return d;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "The C++ neurocore kernel of the emulator (see emulator/runtime.py).";

    // Looked up when raised (not cached in statics, which would outlive the interpreter).
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const LoadError& e) {
            auto cls = py::module_::import("emulator.errors").attr("ProgramFormatError");
            PyErr_SetString(cls.ptr(), e.what());
        } catch (const RunError& e) {
            auto cls = py::module_::import("emulator.errors").attr("InputError");
            PyErr_SetString(cls.ptr(), e.what());
        }
    });

    m.attr("COUNTERS") = py::make_tuple("synops", "updates_active", "updates_inactive", "spikes",
                                        "messages");

    py::class_<System>(m, "System")
        .def(py::init<int32_t, int32_t>(), py::arg("n_inputs"), py::arg("n_cores"))
        .def("add_lif_block", &add_lif_block)
        .def("add_group", &add_group)
        .def("set_axons",
             [](System& s, int32_t core, const py::array& ptr, const py::array& group,
                const py::array& row) {
                 s.core(core).set_axons(take<int64_t>(ptr, "axon_ptr"),
                                        take<int32_t>(group, "axon_group"),
                                        take<int32_t>(row, "axon_row"));
             })
        .def("set_output_axons",
             [](System& s, const py::array& ptr, const py::array& core, const py::array& axon) {
                 s.set_output_axons(take<int64_t>(ptr, "src_ptr"), take<int32_t>(core, "dst_core"),
                                    take<int32_t>(axon, "dst_axon"));
             })
        .def("finalize", &System::finalize)
        .def("run", &run, py::arg("steps"), py::arg("raster"), py::arg("probes"))
        .def("reset", &System::reset)
        .def_property_readonly("n_inputs", &System::n_inputs)
        .def_property_readonly("n_cores", &System::n_cores)
        .def_property_readonly("n_sources", &System::n_sources)
        .def_property_readonly("steps_done", &System::steps_done)
        .def_property_readonly("memory_bytes", &System::memory_bytes)
        .def_property_readonly("synapse_memory_bytes", &System::synapse_memory_bytes)
        .def_property_readonly("n_synapses", &System::n_synapses);
}
