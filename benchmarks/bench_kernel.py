"""Kernel throughput: synaptic events and neuron updates per second, memory per synapse.

Run: python benchmarks/bench_kernel.py [--steps 1000] [--repeat 3] [--chip-scale [SCALE]]

Workloads A, B and U are LIF; B' and B'' spread B over many chips (Loihi 2 and SpiNNaker
2 variants of 12 cores per chip, 64 neurons per core) to measure the network's cost where
packets cross chips. D-F compare the neuron models per neuron: the same 100,000 neurons
behind one graded input channel that sends a slow sine to all of them every step (one
synapse each), as LIF, SigmaDelta and ResonateFire.
Times Simulator.run (every step in C++) plus reading the results back (spike arrays of
every population), not compilation: on one thread with the mesh network counted (the
default; "run s"), on one thread with Simulator(network=False) ("no-net s"; "net +%" is
what routing and counting the packets adds), and with the network on as many threads as
the process may use ("N thr s"; "x 1 thr" is the speed-up). Memory per synapse: "syn"
is the synapses (weights, targets, delays: the delivery layout, dense rows), "acct" the
accounting tables (what each spike costs each destination core), "all" everything the
kernel holds (with the input ring and the network's routes).

"numpy s" times a plain numpy loop of the same work in the same process, as a yardstick
on this shared, noisy machine: per step, each connection's scipy CSR matrix times its
source's spikes of the previous step, and a float CUBA LIF update of every neuron (one
BLAS thread); "x numpy" is numpy s / run s (above 1: the kernel is faster).

--chip-scale adds workload C (SCALE 1: 1,000,000 LIF neurons in 10 layers of 100,000,
each neuron with 100 random synapses from the layer before, the first layer from 100,000
input channels at 1 % per step: 1e8 synapses), compiled for the Loihi 2 chips it needs,
saved, and run in a fresh process (so that its resident memory is the emulator's alone):
program load time, steps per second on one thread and on all, each layer's firing rate,
and the process's peak resident memory. Neurons fire from their bias at about 1 % per
step; the synapses (weights uniform in [-8, 8]) add a zero-mean jitter.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
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


def workload_u(rng):
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
    for network, threads in ((False, 1), (True, 1), (True, None)):
        sim = emulator.Simulator(program, network=network, threads=threads)
        for _ in range(repeat):
            sim.reset()
            t0 = time.perf_counter()
            result = sim.run(steps, inputs=inputs)
            spikes = {p.name: result.spikes[p.name] for p in net.populations}
            elapsed = time.perf_counter() - t0
            key = (network, threads)
            times[key] = min(times.get(key, elapsed), elapsed)
    baseline = min(numpy_loop(net, inputs, steps) for _ in range(repeat))
    best = times[(True, 1)]
    n_neurons = sum(p.n for p in net.populations)
    synops = result.counters["synops"]
    rec_spikes = int(np.count_nonzero(spikes["h"]))
    per_synapse = {k: v / sim.n_synapses if sim.n_synapses else float("nan")
                   for k, v in sim.memory_parts.items()}
    return {
        "workload": name, "steps": steps, "run_s": best, "compile_s": compile_s,
        "no_network_s": times[(False, 1)], "network_pct": 100 * (best / times[(False, 1)] - 1),
        "threads": sim.threads, "threads_s": times[(True, None)],
        "syn_events_per_s": synops / best, "updates_per_s": n_neurons * steps / best,
        "bytes_per_synapse": sum(per_synapse.values()),
        "synapse_bytes": per_synapse["synapses"], "accounting_bytes": per_synapse["accounting"],
        "spikes": rec_spikes, "rate": rec_spikes / (n_neurons * steps),
        "numpy_s": baseline, "x_numpy": baseline / best,
    }


def chip_scale_network(scale, seed=0):
    """Workload C: 10 LIF layers of 100,000 x scale neurons, 100 synapses each from the
    layer before (the first from as many input channels)."""
    rng = np.random.default_rng(seed)
    n, fan_in = int(100_000 * scale), 100
    net = emulator.Network()
    prev = net.input(n, name="x")
    for k in range(10):
        # no leak (dv = 0), u = this step's input (du = 4095): bias 40..99 on a threshold
        # of 100 << 6 fires every 65 to 160 steps; zero-mean weights only jitter that
        layer = net.population(n, emulator.LIF(du=4095, dv=0, vth=100, bias_exp=0,
                                               bias_mant=rng.integers(40, 100, n)), name=f"h{k}")
        rows = np.repeat(np.arange(n, dtype=np.int32), fan_in)
        cols = rng.integers(0, n, n * fan_in, dtype=np.int32)
        weights = rng.integers(-8, 9, n * fan_in).astype(np.int16)
        net.connect(prev, layer, sp.csr_matrix((weights, (rows, cols)), shape=(n, n)))
        prev = layer
    return net


def peak_rss():
    """Bytes this process has held at most (its own: getrusage's ru_maxrss would count the
    parent's resident set at the fork that started it)."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))


def chip_scale_run(path, threads, warm=150, steps=200):
    """In a fresh process: load the Program at `path`, run `warm` steps, then time
    `steps`; prints a JSON line."""
    t0 = time.perf_counter()
    program = emulator.Program.load(path)
    sim = emulator.Simulator(program, threads=threads)
    load_s = time.perf_counter() - t0
    with open("/proc/self/statm") as f:  # resident now: the Program and the kernel's tables
        loaded_rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    n = program.meta["inputs"][0]["n"]
    rng = np.random.default_rng(1)
    sim.run(warm, {"x": rng.random((warm, n)) < 0.01})
    raster = {"x": rng.random((steps, n)) < 0.01}
    t0 = time.perf_counter()
    result = sim.run(steps, raster)
    run_s = time.perf_counter() - t0
    peak = peak_rss()  # (before the spikes are laid out as dense arrays below)
    layers = sorted(p for p in result.spikes)
    print(json.dumps({
        "load_s": load_s, "threads": sim.threads, "steps_per_s": steps / run_s,
        "synops_per_s": result.counters["synops"] / run_s,
        "rates": [float(np.count_nonzero(result.spikes[p])) / result.spikes[p].size for p in layers],
        "peak_rss": peak, "loaded_rss": loaded_rss,
        "program_bytes": sum(a.nbytes for a in program.arrays.values()),
        "bytes_per_synapse": {k: v / sim.n_synapses for k, v in sim.memory_parts.items()},
        "n_synapses": sim.n_synapses, "n_cores": program.n_cores}))


def chip_scale(scale):
    t0 = time.perf_counter()
    net = chip_scale_network(scale)
    built_s = time.perf_counter() - t0
    n_cores_per_chip = emulator.targets.loihi2().cores_per_chip
    for chips in (1, 2, 4, 8, 16, 32, 64, 128, 256):
        try:
            t0 = time.perf_counter()
            program = emulator.compile(net, emulator.targets.loihi2(n_chips=chips))
            compile_s = time.perf_counter() - t0
            break
        except emulator.ResourceLimitError:
            continue
    del net
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "c.prog.npz")
        program.save(path)
        file_mb = os.path.getsize(path) / 1e6
        del program
        runs = {}
        for threads in (1, None):
            code = ("import sys; sys.path.insert(0, %r); import bench_kernel; "
                    "bench_kernel.chip_scale_run(%r, %r)" % (os.path.dirname(__file__), path, threads))
            out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                 text=True).stdout
            runs[threads] = json.loads(out.strip().splitlines()[-1])
    one, many = runs[1], runs[None]
    print(f"\nworkload C at scale {scale}: {one['n_synapses']:,} synapses on {one['n_cores']} cores "
          f"({chips} loihi2 chips); built in {built_s:.1f} s, compiled in {compile_s:.1f} s, "
          f"program file {file_mb:.0f} MB")
    print(f"  fresh process: load {one['load_s']:.1f} s; one thread {one['steps_per_s']:.1f} steps/s "
          f"({one['synops_per_s']:.2e} synaptic events/s), {many['threads']} threads "
          f"{many['steps_per_s']:.1f} steps/s ({many['steps_per_s'] / one['steps_per_s']:.2f}x); "
          f"resident once loaded {many['loaded_rss'] / 2**30:.2f} GiB (the Program's arrays "
          f"{many['program_bytes'] / 2**30:.2f} GiB), peak {max(one['peak_rss'], many['peak_rss']) / 2**30:.2f} "
          "GiB (the load and the run's spike record)")
    print("  bytes per synapse: " + ", ".join(f"{k} {v:.2f}" for k, v in one["bytes_per_synapse"].items()))
    print("  firing rate per step, layers h0..h9: " + " ".join(f"{r:.4f}" for r in many["rates"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--chip-scale", type=float, nargs="?", const=1.0, default=None,
                    metavar="SCALE", help="add workload C at this scale (1: 1e8 synapses)")
    args = ap.parse_args()
    rows = [measure("A dense 1000x1000", workload_a, args.steps, args.repeat),
            measure("B 10k recurrent 1%", workload_b, args.steps, args.repeat),
            measure("B' on 14 chips", workload_b, args.steps, args.repeat,
                    target=emulator.targets.loihi2(n_chips=16, cores_per_chip=12),
                    max_neurons_per_core=64),
            measure("B'' multicast", workload_b, args.steps, args.repeat,
                    target=emulator.targets.spinnaker2(n_chips=16, cores_per_chip=12),
                    max_neurons_per_core=64),
            measure("U 100k LIF bias only", workload_u, args.steps, args.repeat),
            measure("D 100k LIF driven", driven(emulator.LIF(du=410, dv=410, vth=60000)),
                    args.steps, args.repeat),
            measure("E 100k SigmaDelta", driven(emulator.SigmaDelta(vth=5000, state_exp=2)),
                    args.steps, args.repeat),
            measure("F 100k ResonateFire", driven(emulator.ResonateFire(
                period=50, alpha=0.05, vth=500, state_exp=6), port="real"),
                    args.steps, args.repeat)]
    print(f"kernel benchmark, {args.steps} steps, best of {args.repeat}, "
          f"{emulator.runtime.usable_cpus()} usable CPUs")
    head = (f"{'workload':<22}{'run s':>8}{'no-net s':>9}{'net +%':>7}{'N thr s':>9}{'x 1 thr':>8}"
            f"{'numpy s':>9}{'x numpy':>8}{'syn events/s':>14}{'updates/s':>11}"
            f"{'B/syn':>7}{'acct':>6}{'all':>7}{'rate':>8}{'compile s':>10}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['workload']:<22}{r['run_s']:>8.3f}{r['no_network_s']:>9.3f}"
              f"{r['network_pct']:>7.1f}{r['threads_s']:>7.3f}{'/' + str(r['threads']):<2}"
              f"{r['run_s'] / r['threads_s']:>8.2f}{r['numpy_s']:>9.3f}{r['x_numpy']:>8.2f}"
              f"{r['syn_events_per_s']:>14.3e}{r['updates_per_s']:>11.3e}"
              f"{r['synapse_bytes']:>7.2f}{r['accounting_bytes']:>6.2f}{r['bytes_per_synapse']:>7.2f}"
              f"{r['rate']:>8.4f}{r['compile_s']:>10.2f}")
    if args.chip_scale:
        chip_scale(args.chip_scale)


if __name__ == "__main__":
    main()
