"""Your first network: build it, compile it for a Loihi-2-like chip, run it, read the
spikes and the energy estimate.

    python examples/01_first_network.py
"""
import numpy as np

import emulator

rng = np.random.default_rng(0)

# 1. Describe the network: 100 input channels -> 64 LIF neurons -> 10 LIF neurons.
net = emulator.Network()
x = net.input(100, name="x")
hidden = net.population(64, emulator.LIF(du=410, dv=410, vth=8000), name="hidden")
out = net.population(10, emulator.LIF(du=410, dv=820, vth=5000), name="out")
net.connect(x, hidden, weights=rng.integers(-20, 60, size=(64, 100)))
net.connect(hidden, out, weights=rng.integers(-10, 30, size=(10, 64)), delays=rng.integers(0, 3, size=(10, 64)))
net.probe(out, "v")

# 2. Compile for a Loihi-2-like chip (at most 32 neurons per core, to show the split).
program = emulator.compile(net, target="loihi2", max_neurons_per_core=32)
program.summary()

# 3. Run 200 steps of Poisson-like input (10 % of the inputs spike each step).
raster = (rng.random((200, 100)) < 0.1).astype(np.int8)
result = emulator.Simulator(program).run(200, inputs={"x": raster})

print("\nspikes per output neuron:", result.spikes["out"].sum(axis=0).tolist())
print("hidden firing rate: %.3f spikes/neuron/step" % result.spikes["hidden"].mean())
print("output membrane potential v after the last step:", result.probes["out.v"][-1].tolist())
print("counters:", result.counters.total, "host:", result.counters.host)

# 4. What would it cost on the chip?
print()
print(emulator.energy.estimate(result).table())
