"""A model from another framework, through NIR: import, quantize, map, run, cost, metrics.

    pip install "emulator[nir]"
    python examples/06_from_nir.py

NIR (the Neuromorphic Intermediate Representation, PyPI `nir`) is what snnTorch, Norse,
Lava-dl, Sinabs and others export. This script stands in for such an export: it builds a
small convolutional spiking network with the nir package's own API (a 1 x 8 x 8 input,
a 3 x 3 convolution to 4 channels, 2 x 2 sum pooling, a flatten and a linear readout to
10 CubaLIF neurons) and writes it to model.nir. Then it does what a user does with a
file they were given: `emulator.io.from_nir` reads it as a float network (convolutions
unrolled into sparse connections), `emulator.compile(..., dt=...)` quantizes and maps it,
and the run gives spikes, an energy report and NeuroBench-style metrics. The same file
works from the shell: `neuroemu compile model.nir -o model.prog`.
"""
import numpy as np

import emulator

DT = 1e-3          # seconds per step
STEPS = 60


def export_like_a_framework(path, rng):
    """A NIR graph built with the nir package alone (not with emulator.io.to_nir)."""
    import nir
    n_conv = 4 * 6 * 6    # 4 channels of 6 x 6 after a 3 x 3 'valid' convolution of 8 x 8
    n_pool = 4 * 3 * 3    # after 2 x 2 sum pooling
    graph = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([1, 8, 8])),
            "conv": nir.Conv2d(input_shape=(8, 8), weight=rng.normal(3.0, 1.0, (4, 1, 3, 3)),
                               stride=1, padding=0, dilation=1, groups=1, bias=np.zeros(4)),
            "lif1": nir.LIF(tau=np.full((4, 6, 6), 0.02), r=np.ones((4, 6, 6)),
                            v_leak=np.zeros((4, 6, 6)), v_threshold=np.ones((4, 6, 6))),
            "pool": nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
                                  padding=np.array([0, 0])),
            "flat": nir.Flatten(input_type={"input": np.array([4, 3, 3])}, start_dim=0),
            "fc": nir.Linear(weight=rng.normal(2.0, 1.0, (10, n_pool))),
            "lif2": nir.CubaLIF(tau_syn=np.full(10, 0.005), tau_mem=np.full(10, 0.02),
                                r=np.ones(10), v_leak=np.zeros(10), v_threshold=np.ones(10)),
            "output": nir.Output(output_type=np.array([10])),
        },
        edges=[("input", "conv"), ("conv", "lif1"), ("lif1", "pool"), ("pool", "flat"),
               ("flat", "fc"), ("fc", "lif2"), ("lif2", "output")],
        type_check=False)  # (nir 1.0.8's own shape inference trips on pooled convolutions)
    nir.write(path, graph)
    return n_conv


def main():
    rng = np.random.default_rng(6)
    n_conv = export_like_a_framework("model.nir", rng)
    net = emulator.io.from_nir("model.nir", dt=DT)
    print("imported:", ", ".join(f"{p.name} ({p.n} {type(p.model).__name__})"
                                 for p in net.populations))
    assert net.population_named("lif1").n == n_conv

    # a moving bar on the 8 x 8 input, one pixel column per few steps
    frames = np.zeros((STEPS, 1, 8, 8), np.int8)
    for t in range(STEPS):
        frames[t, 0, :, (t // 4) % 8] = rng.random(8) < 0.8
    inputs = {net.inputs[0].name: frames.reshape(STEPS, -1)}

    program = emulator.compile(net, "loihi2", dt=DT)
    # what quantization lost, per connection (the summary prints the whole table)
    q = program.meta["compile"]["quantization"]
    for name, entry in q["connections"].items():
        w = entry["weights"]
        print(f"quantized {name}: RMS relative error {w['rms_relative']:.3g}, "
              f"{w['zeroed']} of the weights rounded to 0")
    result = emulator.Simulator(program).run(STEPS, inputs)
    for pop in net.populations:
        print(f"  {pop.name}: {int(result.spikes[pop.name].sum())} spikes")
    report = emulator.energy.estimate(result, steps_per_inference=20)
    print(f"energy per inference {report.energy_per_inference[1]:.3g} J "
          f"({report.energy_per_inference[0]:.3g}..{report.energy_per_inference[2]:.3g}), "
          f"latency {report.latency[1] * 1e6:.3g} us")
    m = result.metrics(steps_per_inference=20)
    ops = m["synaptic_operations"]
    print(f"metrics per inference: {ops['effective_acs']:.0f} effective ACs of "
          f"{ops['dense']:.0f} dense synaptic operations; activation sparsity "
          f"{m['activation_sparsity']:.3f}; connection sparsity {m['connection_sparsity']:.3f}")
    return result


if __name__ == "__main__":
    main()
