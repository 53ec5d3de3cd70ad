"""Compile time and memory of a large layered network.

Run: python benchmarks/bench_compile.py [--scale 1.0] [--chips 16] [--weights positive|mixed]

At scale 1: an input of 100,000 channels and nine LIF layers of 100,000 neurons, each
layer fed by a random sparse matrix of about 11 million synapses (about 1,000,000 neurons
and 100,000,000 synapses), compiled for a 16-chip loihi2. --weights positive (the
default): weights in [1, 60), a CSR matrix with its rows in order; mixed: weights uniform
in [-64, 64) (about one in 128 an explicit zero), given as a COO matrix in random order. Prints the time of building
the network and of each compile phase, and the peak memory (resident set) added by
compiling, beyond the network itself.
"""
import argparse
import resource
import time

import numpy as np
import scipy.sparse as sp

import emulator


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def build(scale, weights="positive", seed=0):
    rng = np.random.default_rng(seed)
    n = int(100_000 * scale)
    per_neuron = 110  # synapses into each neuron: 11 M per layer at scale 1
    net = emulator.Network()
    prev = net.input(n, name="x")
    for k in range(9):
        layer = net.population(n, emulator.LIF(du=410, dv=410, vth=100), name=f"h{k}")
        nnz = n * per_neuron
        rows = np.repeat(np.arange(n, dtype=np.int32), per_neuron)
        cols = rng.integers(0, n, nnz, dtype=np.int32)
        if weights == "mixed":
            order = rng.permutation(nnz)
            w = sp.coo_matrix((rng.integers(-64, 64, nnz).astype(np.int16)[order],
                               (rows[order], cols[order])), shape=(n, n))
            del order
        else:
            w = sp.csr_matrix((rng.integers(1, 60, nnz).astype(np.int16), (rows, cols)), shape=(n, n))
        del rows, cols
        net.connect(prev, layer, w)
        prev = layer
    return net


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--chips", type=int, default=16)
    ap.add_argument("--weights", choices=["positive", "mixed"], default="positive")
    args = ap.parse_args()
    t0 = time.perf_counter()
    net = build(args.scale, args.weights)
    built = time.perf_counter() - t0
    before = peak_rss_bytes()
    n_syn = sum(c.n_synapses for c in net.connections)
    n_neurons = sum(p.n for p in net.populations)
    t0 = time.perf_counter()
    program = emulator.compile(net, emulator.targets.loihi2(n_chips=args.chips))
    total = time.perf_counter() - t0
    extra = max(0, peak_rss_bytes() - before)
    print(f"compile benchmark: {n_neurons:,} neurons, {n_syn:,} synapses, loihi2 x {args.chips} "
          f"chips, {args.weights} weights, one thread")
    print(f"network built in {built:.1f} s; compiled in {total:.1f} s; {program.n_cores} cores; "
          f"peak memory beyond the network {extra / 2**30:.2f} GiB")
    for phase, seconds in program.meta["compile"]["phases"].items():
        print(f"  {phase:<10} {seconds:8.2f} s")
    print(f"  {'(rest)':<10} {total - sum(program.meta['compile']['phases'].values()):8.2f} s")


if __name__ == "__main__":
    main()
