"""Kernel throughput: synaptic events and neuron updates per second, memory per synapse.

Run: python benchmarks/bench_kernel.py [--steps 1000] [--repeat 3]

Workloads A-C are LIF (issue 2's targets); B' and B'' spread B over many chips (Loihi 2
and SpiNNaker 2 variants of 12 cores per chip, 64 neurons per core) to measure the
network's cost where packets cross chips. D-F compare the neuron models per neuron: the
same 100,000 neurons behind one graded input channel that sends a slow sine to all of
them every step (one synapse each), as LIF, SigmaDelta and ResonateFire.
Times Simulator.run (every step in C++) plus reading the results back (spike arrays of
every population), not compilation, with the mesh network counted (the default) and, in
the column "no-net s", with Simulator(network=False); "net +%" is what routing and
counting the packets adds. Prints one table row per workload. Memory per
synapse: "mem" is synaptic memory alone (weights, indices, delays, row offsets); "all"
adds the input-axon and output-axon routing tables.

"numpy s" times a plain numpy loop of the same work in the same process, as a yardstick
on this shared, noisy machine: per step, each connection's scipy CSR matrix times its
source's spikes of the previous step, and a float CUBA LIF update of every neuron (one
BLAS thread); "x numpy" is numpy s / run s (above 1: the kernel is faster).
"""
import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the yardstick on one thread, as the kernel

import numpy as np
import scipy.sparse as sp

import emulator


def workload_a(rng):
    """1000 inputs (p = 0.05) -> dense 1000 x 1000 -> 1000 LIF."""
    net = emulator.Network()
    x = net.input(1000, name="x")
    h = net.population(1000, emulator.LIF(du=410, dv=410, vth=200), name="h")
    net.connect(x, h, weights=rng.integers(-30, 30, size=(1000, 1000)))
    return net, {"x": poisson(0.05)}


def workload_b(rng):
    """10,000 LIF, 1 % recurrent (weights in [-30, 30)), 1000 inputs (p = 0.05) at 1 %."""
    n, n_in = 10_000, 1000
    net = emulator.Network()
    x = net.input(n_in, name="x")
    h = net.population(n, emulator.LIF(du=410, dv=410, vth=200), name="h")
    rec = sp.random(n, n, density=0.01, format="csr", random_state=rng,
                    data_rvs=lambda k: rng.integers(-30, 30, size=k))
    inp = sp.random(n, n_in, density=0.01, format="csr", random_state=rng,
                    data_rvs=lambda k: rng.integers(1, 60, size=k))
    net.connect(x, h, weights=inp)
    net.connect(h, h, weights=rec)
    return net, {"x": poisson(0.05)}


def workload_c(rng):
    """100,000 LIF neurons driven by their bias alone: the neuron update rate."""
    n = 100_000
    net = emulator.Network()
    net.input(1, name="x")
    net.population(n, emulator.LIF(du=410, dv=410, vth=100,
                                   bias_mant=rng.integers(0, 300, n), bias_exp=2), name="h")
    return net, {"x": poisson(0.0)}


def poisson(p):
    """Binary raster maker: each of n channels spikes with probability p per step."""
    return lambda rng, steps, n: (rng.random((steps, n)) < p).astype(np.int8)


def sine(rng, steps, n):
    """Graded raster maker: a slow integer sine (period 50 steps, amplitude 100)."""
    wave = np.round(100 * np.sin(2 * np.pi * np.arange(steps) / 50)).astype(np.int32)
    return np.repeat(wave[:, None], n, axis=1)


def driven(model, port=None):
    """100,000 neurons of `model`, each with one synapse from one graded input channel."""
    def build(rng):
        n = 100_000
        net = emulator.Network()
        x = net.input(1, name="x", graded=True)
        h = net.population(n, model, name="h")
        net.connect(x, h, weights=rng.integers(1, 30, size=(n, 1)), num_message_bits=16,
                    port=port)
        return net, {"x": sine}
    return build


def numpy_loop(net, inputs, steps):
    """Seconds of a plain numpy simulation of `net`'s synaptic work and a float LIF
    update of its neurons, `steps` steps."""
    offset, n_total = {}, 0
    for obj in (*net.inputs, *net.populations):
        offset[obj.name] = n_total
        n_total += obj.n
    n_in = sum(i.n for i in net.inputs)
    cat = lambda parts: np.concatenate(parts) if parts else np.zeros(0)  # noqa: E731
    rows = cat([c.post_index + offset[c.post.name] - n_in for c in net.connections])
    cols = cat([c.pre_index + offset[c.pre.name] for c in net.connections])
    data = cat([c.weights.astype(np.float64) for c in net.connections])
    n_neurons = n_total - n_in
    w = sp.csr_matrix((data, (rows, cols)), shape=(n_neurons, n_total))
    raster = np.concatenate([inputs[i.name] for i in net.inputs], axis=1).astype(np.float64)
    u, v, s = np.zeros(n_neurons), np.zeros(n_neurons), np.zeros(n_total)
    t0 = time.perf_counter()
    for t in range(steps):
        a = w @ s
        u = 0.9 * u + a
        v = 0.9 * v + u
        fired = v > 100.0
        v[fired] = 0.0
        s[:n_in] = raster[t]
        s[n_in:] = fired
    return time.perf_counter() - t0


def measure(name, build, steps, repeat, seed=0, target="loihi2", **compile_options):
    rng = np.random.default_rng(seed)
    net, rates = build(rng)
    t0 = time.perf_counter()
    program = emulator.compile(net, target=target, **compile_options)
    compile_s = time.perf_counter() - t0
    sizes = {i.name: i.n for i in net.inputs}
    inputs = {name_: make(rng, steps, sizes[name_]) for name_, make in rates.items()}
    times = {}
    for network in (False, True):
        sim = emulator.Simulator(program, network=network)
        for _ in range(repeat):
            sim.reset()
            t0 = time.perf_counter()
            result = sim.run(steps, inputs=inputs)
            spikes = {p.name: result.spikes[p.name] for p in net.populations}
            elapsed = time.perf_counter() - t0
            times[network] = min(times.get(network, elapsed), elapsed)
    baseline = min(numpy_loop(net, inputs, steps) for _ in range(repeat))
    best = times[True]
    n_neurons = sum(p.n for p in net.populations)
    synops = result.counters["synops"]
    rec_spikes = int(np.count_nonzero(spikes["h"]))
    return {
        "workload": name, "steps": steps, "run_s": best, "compile_s": compile_s,
        "no_network_s": times[False], "network_pct": 100 * (best / times[False] - 1),
        "syn_events_per_s": synops / best, "updates_per_s": n_neurons * steps / best,
        "bytes_per_synapse": sim.memory_bytes / sim.n_synapses if sim.n_synapses else float("nan"),
        "synapse_bytes": sim.synapse_memory_bytes / sim.n_synapses if sim.n_synapses else float("nan"),
        "spikes": rec_spikes, "rate": rec_spikes / (n_neurons * steps),
        "numpy_s": baseline, "x_numpy": baseline / best,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rows = [measure("A dense 1000x1000", workload_a, args.steps, args.repeat),
            measure("B 10k recurrent 1%", workload_b, args.steps, args.repeat),
            measure("B' on 14 chips", workload_b, args.steps, args.repeat,
                    target=emulator.targets.loihi2(n_chips=16, cores_per_chip=12),
                    max_neurons_per_core=64),
            measure("B'' multicast", workload_b, args.steps, args.repeat,
                    target=emulator.targets.spinnaker2(n_chips=16, cores_per_chip=12),
                    max_neurons_per_core=64),
            measure("C 100k LIF bias only", workload_c, args.steps, args.repeat),
            measure("D 100k LIF driven", driven(emulator.LIF(du=410, dv=410, vth=60000)),
                    args.steps, args.repeat),
            measure("E 100k SigmaDelta", driven(emulator.SigmaDelta(vth=5000, state_exp=2)),
                    args.steps, args.repeat),
            measure("F 100k ResonateFire", driven(emulator.ResonateFire(
                period=50, alpha=0.05, vth=500, state_exp=6), port="real"),
                    args.steps, args.repeat)]
    print(f"kernel benchmark, {args.steps} steps, best of {args.repeat}, "
          f"{os.cpu_count()} CPUs visible, one thread")
    head = (f"{'workload':<22}{'run s':>8}{'no-net s':>9}{'net +%':>7}{'numpy s':>9}"
            f"{'x numpy':>8}{'syn events/s':>15}{'updates/s':>12}"
            f"{'B/syn mem':>10}{'B/syn all':>10}{'spikes':>10}{'rate':>8}{'compile s':>11}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['workload']:<22}{r['run_s']:>8.3f}{r['no_network_s']:>9.3f}"
              f"{r['network_pct']:>7.1f}{r['numpy_s']:>9.3f}{r['x_numpy']:>8.2f}"
              f"{r['syn_events_per_s']:>15.3e}"
              f"{r['updates_per_s']:>12.3e}{r['synapse_bytes']:>10.2f}"
              f"{r['bytes_per_synapse']:>10.2f}{r['spikes']:>10d}"
              f"{r['rate']:>8.4f}{r['compile_s']:>11.2f}")


if __name__ == "__main__":
    main()
