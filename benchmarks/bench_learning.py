"""Learning-engine throughput: synaptic updates per second on a 1000 x 1000 plastic layer.

Run: python benchmarks/bench_learning.py [--steps 1000] [--repeat 3]

1000 input channels (each spiking with p = 0.02 per step) feed 1000 LIF neurons through
one plastic connection (dense, or sparse at 10 %), at t_epoch 1 and 4. Rules:
  stdp        dw = 2^-2*x1*y0 - 2^-2*y1*x0             (touches the rows and columns of
                                                         neurons that spiked in the epoch)
  stdp+decay  the same - 2^-7*u0*w                       (u0: every synapse, every epoch)
Each row times Simulator.run with learning and the same network without it (a static
connection); "learn s" is the difference, "upd/s" the synaptic updates (the kernel's
synaptic_updates counter) per second of it, "touched" the updates as a fraction of
synapses x epochs: the engine's cost follows the synapses it touches, not all synapses.
"""
import argparse
import os
import time

import numpy as np
import scipy.sparse as sp

import emulator
from bench_kernel import poisson

RULES = {"stdp": "2^-2*x1*y0 - 2^-2*y1*x0",
         "stdp+decay": "2^-2*x1*y0 - 2^-2*y1*x0 - 2^-7*u0*w"}


def build(rule, t_epoch, density, seed=0):
    rng = np.random.default_rng(seed)
    net = emulator.Network()
    x = net.input(1000, name="x")
    h = net.population(1000, emulator.LIF(du=410, dv=410, vth=500), name="h")
    # about 20 input spikes a step; scaled so that a post neuron spikes at a few percent
    if density < 1:
        w = sp.random(1000, 1000, density=density, format="csr", random_state=rng,
                      data_rvs=lambda k: rng.integers(0, 200, size=k))
    else:
        w = rng.integers(0, 40, size=(1000, 1000))
    learning = None if rule is None else emulator.LearningRule(
        dw=RULES[rule], x1_impulse=20, x1_tau=10, y1_impulse=20, y1_tau=10, t_epoch=t_epoch)
    net.connect(x, h, weights=w, sign_mode="excitatory", weight_exp=-6 if density == 1 else -5,
                rule=learning)
    return net


def best_run(net, inputs, steps, repeat):
    sim = emulator.Simulator(emulator.compile(net, target="loihi2"))
    best, result = None, None
    for _ in range(repeat):
        sim.reset()
        t0 = time.perf_counter()
        result = sim.run(steps, inputs=inputs)
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    return best, result, sim


def measure(rule, t_epoch, density, steps, repeat):
    inputs = {"x": poisson(0.02)(np.random.default_rng(1), steps, 1000)}
    plastic_s, result, sim = best_run(build(rule, t_epoch, density), inputs, steps, repeat)
    static_s, static, _ = best_run(build(None, t_epoch, density), inputs, steps, repeat)
    updates = result.counters["synaptic_updates"]
    learn_s = max(plastic_s - static_s, 1e-9)
    epochs = steps // t_epoch
    return {"rule": rule, "t_epoch": t_epoch, "density": density, "synapses": sim.n_synapses,
            "plastic_s": plastic_s, "static_s": static_s, "learn_s": learn_s,
            "updates": updates, "updates_per_s": updates / learn_s,
            "touched": updates / (sim.n_synapses * epochs),
            "spike_rate": result.counters["spikes"] / (1000 * steps)}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rows = [measure(rule, t_epoch, density, args.steps, args.repeat)
            for density in (1.0, 0.1) for rule in RULES for t_epoch in (1, 4)]
    print(f"learning benchmark, 1000 x 1000 plastic layer, {args.steps} steps, best of "
          f"{args.repeat}, {os.cpu_count()} CPUs visible, one thread")
    head = (f"{'layer':<8}{'rule':<12}{'t_epoch':>8}{'plastic s':>10}{'static s':>10}"
            f"{'learn s':>9}{'updates':>12}{'upd/s':>11}{'touched':>9}{'post rate':>10}")
    print(head)
    print("-" * len(head))
    for r in rows:
        layer = "dense" if r["density"] == 1 else f"{r['density']:.0%}"
        print(f"{layer:<8}{r['rule']:<12}{r['t_epoch']:>8}{r['plastic_s']:>10.3f}"
              f"{r['static_s']:>10.3f}{r['learn_s']:>9.3f}{r['updates']:>12d}"
              f"{r['updates_per_s']:>11.3e}{r['touched']:>9.3f}{r['spike_rate']:>10.4f}")


if __name__ == "__main__":
    main()
