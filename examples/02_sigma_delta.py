"""Sigma-delta networks send changes, not values: on a slowly changing signal they move
far fewer messages and synaptic operations than a network whose every neuron sends its
activation every step, for a small output error.

    python examples/02_sigma_delta.py

A 16 x 16 "video" of a drifting blob goes through

    Delta encoder (256) -> dense -> SigmaDelta ReLU (64) -> dense -> Sigma decoder (10)

on a Loihi-2-like chip. The same layers are then evaluated the frame-based way (every
neuron sends its full activation every step, here computed in integer numpy with the
chip's weights), to compare work and output.
"""
import numpy as np
import scipy.sparse as sp

import emulator
from emulator.reference import prepare_weights

rng = np.random.default_rng(7)
STEPS, SIDE, N_HID, N_OUT = 300, 16, 64, 10
N_IN = SIDE * SIDE

# 1. The signal: a bright blob drifting slowly over a dim, still background; 8-bit pixels.
yy, xx = np.mgrid[0:SIDE, 0:SIDE]
background = rng.integers(10, 30, size=(SIDE, SIDE))
frames = np.empty((STEPS, N_IN), np.int64)
for t in range(STEPS):
    cx, cy = 8 + 5 * np.sin(2 * np.pi * t / 200), 8 + 5 * np.cos(2 * np.pi * t / 300)
    blob = 200 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / 8.0)
    frames[t] = np.clip(background + blob, 0, 255).astype(np.int64).ravel()

# 2. The network. Weights are integers on the chip's 8-bit mixed-sign format.
W1 = rng.integers(-12, 13, size=(N_HID, N_IN)) * 2
W2 = rng.integers(-16, 17, size=(N_OUT, N_HID)) * 2
BIAS = rng.integers(-200, 200, size=N_HID)


def sigma_delta_net(threshold_in, threshold_hid):
    net = emulator.Network()
    x = net.input(N_IN, name="pixels", graded=True)
    enc = net.population(N_IN, emulator.Delta(vth=threshold_in), name="enc")
    hid = net.population(N_HID, emulator.SigmaDelta(vth=threshold_hid, bias=BIAS,
                                                    act_mode="relu"), name="hid")
    out = net.population(N_OUT, emulator.Sigma(), name="out")
    # one synapse per pixel (a dense identity would store, and read, every zero)
    net.connect(x, enc, weights=sp.identity(N_IN, dtype=np.int64, format="csr"),
                num_message_bits=8)
    net.connect(enc, hid, weights=W1, num_message_bits=16)
    net.connect(hid, out, weights=W2, num_message_bits=24)
    net.probe(out, "sigma")
    return net


def run(net):
    program = emulator.compile(net, target="loihi2", max_neurons_per_core=64)
    result = emulator.Simulator(program).run(STEPS, inputs={"pixels": frames})
    return program, result


# 3. Frame-based evaluation of the same layers: every step, every neuron sends its value.
w1 = prepare_weights(W1, "mixed", 8)
w2 = prepare_weights(W2, "mixed", 8)
hidden = np.maximum(frames @ w1.T + BIAS, 0)
frame_out = hidden @ w2.T

program, lossless = run(sigma_delta_net(0, 0))
_, sparse = run(sigma_delta_net(3, 40))
# Messages a frame-based chip sends per step: every encoder and hidden neuron, to every
# core its synapses sit on (the compiled fan-out), plus the host's pixels.
# Sources are numbered inputs first, then the cores' neurons: enc's, then hid's.
fanout = np.diff(program.arrays["out/src_ptr"])
frame_messages = STEPS * int(fanout[N_IN:N_IN + N_IN + N_HID].sum())
frame_synops = STEPS * (N_IN + N_IN * N_HID + N_HID * N_OUT)
frame_host = STEPS * N_IN

# The decoder's output at step t reflects the pixels of raster row t - 4 (host -> enc ->
# hid -> out, one step per hop).
LAG = 4


def output_error(result):
    decoded = result.probes["out.sigma"][LAG - 1:]
    exact = frame_out[: STEPS - LAG + 1]
    return float(np.sqrt(np.mean((decoded - exact) ** 2)) / np.sqrt(np.mean(exact ** 2)))


print(f"{STEPS} steps of a {SIDE}x{SIDE} drifting blob through {N_IN} -> {N_HID} -> {N_OUT}")
print(f"{'network':<34}{'synops':>12}{'messages':>12}{'graded':>10}{'payload b':>11}"
      f"{'rel. error':>12}")
print(f"{'frame-based (every neuron, every step)':<34}{frame_synops:>12}{frame_messages:>12}"
      f"{'':>10}{'':>11}{0.0:>12.4f}")
for name, r in (("sigma-delta, vth = 0 (lossless)", lossless),
                ("sigma-delta, vth = 3 / 40", sparse)):
    t = r.counters.total
    print(f"{name:<34}{t['synops']:>12}{t['messages']:>12}{t['graded_messages']:>10}"
          f"{t['payload_bits']:>11}{output_error(r):>12.4f}")
print(f"(the host sends {frame_host} pixel messages either way; the sigma-delta network's "
      f"encoder turns them into changes)")
t = sparse.counters.total
print(f"\nwith thresholds: {frame_synops / t['synops']:.1f}x fewer synaptic operations and "
      f"{frame_messages / max(t['messages'], 1):.1f}x fewer messages than frame-based")

print()
print(emulator.energy.estimate(sparse).table())
