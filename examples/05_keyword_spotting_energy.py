"""What would a keyword spotter cost on each chip? One network, three targets, side by side.

    pip install "emulator[plot]"    # for the figures (matplotlib)
    python examples/05_keyword_spotting_energy.py

The network has the shape of a small keyword spotter:

    390 inputs -> 256 LIF -> 256 LIF -> 29 LIF

It is not trained: its weights are drawn in the script (Gaussian, scaled by
1/sqrt(fan-in)), and each layer's scale is then calibrated so that the hidden layers fire
at a few percent per step. The dynamic energy of a spiking network follows its activity
(synaptic operations, neuron updates, packets), so an estimate from random weights is
only as good as their firing rates: the script measures them and prints them.

The input is a stand-in for encoded audio, not audio: 390 Poisson channels, each with a
spike probability per step drawn from 2-20 % afresh for every inference (every
"utterance"). An inference is STEPS_PER_INFERENCE steps; the network is not reset between
inferences (the state simply carries on, as it would on a chip fed a stream).

emulator.energy.compare compiles the network for loihi1, loihi2 and spinnaker2, runs the
same input on each (the spikes are the same on every target: only resources, routing and
costs differ) and prints energy and latency per inference side by side. The script then
prints loihi2's full report (energy by operation, time by part) and its network traffic,
and writes keyword_spotting_energy_<target>.png for each target: the energy by operation
and a heat map of the packets over the chip's mesh.
"""
import numpy as np

import emulator
from emulator.errors import UnsupportedFeatureError

N_IN, N_HIDDEN, N_OUT = 390, 256, 29
LAYERS = (("h1", N_HIDDEN), ("h2", N_HIDDEN), ("out", N_OUT))
TARGETS = ("loihi1", "loihi2", "spinnaker2")
INFERENCES, STEPS_PER_INFERENCE = 5, 20
STEPS = INFERENCES * STEPS_PER_INFERENCE
TARGET_RATE = {"h1": 0.05, "h2": 0.05, "out": 0.03}  # spikes per neuron and step
INPUT_RATES = (0.02, 0.20)                           # per-channel spike probability range
# One LIF for every layer: u decays by ~1/4 per step, v by ~1/8 (a few steps of memory,
# short next to an inference); the threshold vth << 6 = 12800 is ~200 units of weight
# arriving at once. Only LIF with binary spikes, so that loihi1 can take it too.
NEURON = emulator.LIF(du=1024, dv=512, vth=200)


def utterances(rng, inferences=INFERENCES):
    """A (inferences * STEPS_PER_INFERENCE, N_IN) 0/1 raster: per inference, every channel
    gets its own spike probability from INPUT_RATES and spikes at random with it."""
    rates = rng.uniform(*INPUT_RATES, size=(inferences, 1, N_IN))
    spikes = rng.random((inferences, STEPS_PER_INFERENCE, N_IN)) < rates
    return spikes.reshape(-1, N_IN).astype(np.int8)


def draw_weights(rng):
    """Unit-scale Gaussian weights, (n_post, n_pre) per layer, variance 1 / fan-in."""
    shapes = ((N_HIDDEN, N_IN), (N_HIDDEN, N_HIDDEN), (N_OUT, N_HIDDEN))
    return [rng.standard_normal(s) / np.sqrt(s[1]) for s in shapes]


def integer_weights(w, gain):
    """gain x w rounded to the chip's 8-bit mixed-sign weights (a larger gain clips)."""
    return np.clip(np.round(gain * w), -256, 255).astype(np.int64)


def build(weights, gains):
    """The network with each layer's weights scaled by its gain."""
    net = emulator.Network()
    pre = net.input(N_IN, name="x")
    for (name, n), w, gain in zip(LAYERS, weights, gains):
        post = net.population(n, NEURON, name=name)
        net.connect(pre, post, weights=integer_weights(w, gain))
        pre = post
    return net


def firing_rates(net, raster, target="loihi2"):
    """{layer: spikes per neuron and step} of one run (network=False: routing the packets
    is not needed to count spikes, and it is faster without)."""
    program = emulator.compile(net, target=target)
    result = emulator.Simulator(program, network=False).run(len(raster), inputs={"x": raster})
    return {name: float(result.spikes[name].mean()) for name, _ in LAYERS}


def calibrate(weights, raster, iterations=12):
    """Gains that bring every layer to its TARGET_RATE on `raster`. Layer by layer, since a
    layer's rate depends only on the layers below it: bisect its gain on a log scale (a
    rate rises with the gain), the gains below already fixed."""
    gains = [1.0] * len(LAYERS)
    for k, (name, _) in enumerate(LAYERS):
        lo, hi = 1.0, 4096.0  # 4096 / sqrt(256): a weight std of 256, most clipped
        for _ in range(iterations):
            gains[k] = np.sqrt(lo * hi)
            rate = firing_rates(build(weights, gains), raster)[name]
            lo, hi = (gains[k], hi) if rate < TARGET_RATE[name] else (lo, gains[k])
        gains[k] = np.sqrt(lo * hi)
    return gains


def write_plots(comparison):
    """One figure per target; returns the paths written (none without matplotlib)."""
    paths = []
    for name, report in comparison.reports.items():
        try:
            paths.append(report.plot(f"keyword_spotting_energy_{name}.png"))
        except UnsupportedFeatureError:
            print("(matplotlib is not installed: pip install 'emulator[plot]' for the figures)")
            break
    return paths


def main():
    rng = np.random.default_rng(2024)
    weights = draw_weights(rng)
    # Calibrate on other utterances than the ones measured below, and on more of them
    # (the 29 output neurons give a noisy rate over a few inferences).
    gains = calibrate(weights, utterances(rng, inferences=4 * INFERENCES))
    net = build(weights, gains)
    print("weights per layer (gain x N(0, 1/fan-in), rounded to 8-bit integers):")
    for (name, _), gain, c in zip(LAYERS, gains, net.connections):
        print(f"  {name:<4} gain {gain:5.0f}: std {c.weights.std():4.1f}, "
              f"range [{c.weights.min()}, {c.weights.max()}]")

    raster = utterances(rng)
    print(f"\n{INFERENCES} inferences of {STEPS_PER_INFERENCE} steps; input rate "
          f"{raster.mean():.3f} spikes per channel and step")
    print(f"\nenergy and latency per inference, {N_IN} -> {N_HIDDEN} -> {N_HIDDEN} -> {N_OUT}:")
    comparison = emulator.energy.compare(net, targets=TARGETS, inputs={"x": raster},
                                         steps=STEPS, steps_per_inference=STEPS_PER_INFERENCE)
    # the runs behind the reports: the same spikes on every target
    spikes = comparison.results["loihi2"].spikes
    print("\nfiring rates (spikes per neuron and step; calibration target in brackets):")
    for name, _ in LAYERS:
        print(f"  {name:<4} {spikes[name].mean():.3f}  ({TARGET_RATE[name]:.3f})")
    # "static" is the chips' static power x the run's time, "dynamic" what the activity
    # itself costs. One target in full, and where its packets went:
    report = comparison.reports["loihi2"]
    print()
    print(report.table())
    print()
    print(report.traffic.table())

    paths = write_plots(comparison)
    if paths:
        print("\nwrote " + ", ".join(str(p) for p in paths) + " in the current directory")
    return comparison


if __name__ == "__main__":
    main()
