"""Loihi 2 (Intel Loihi 2 brief, 2021; Orchard et al. 2021): graded spikes, 8192 neurons/core.

Intel publishes no per-operation energy for Loihi 2. The figures here are Loihi 1's scaled
by an ASSUMED process factor (Intel 4 versus 14 nm), with a wide range, and Loihi 1's
times divided by the speed-ups of the Loihi 2 brief. Energy reports carry this note.
"""
from .base import Curve, Figure, Target
from .loihi1 import (BANDWIDTH as LOIHI1_BANDWIDTH, BARRIER_CHIPS as LOIHI1_BARRIER_CHIPS,
                     BARRIER_TILES as LOIHI1_BARRIER_TILES, DAVIES_2018,
                     ENERGY as LOIHI1_ENERGY, LATENCY as LOIHI1_LATENCY, TIME as LOIHI1_TIME)

BRIEF_2021 = "Intel, Taking Neuromorphic Computing to the Next Level with Loihi 2 (brief, 2021)"

# ASSUMPTION: energy per operation is 0.5x Loihi 1's (range 0.3x..1.0x) for the move from
# 14 nm to Intel 4; no measured per-operation figure is published.
PROCESS_FACTOR = (0.3, 0.5, 1.0)
LAVA_DL = "lava-dl benchmark outputs on the Oheo Gulch board (idle power, about 2x spread)"
# Speed-ups over Loihi 1 from the brief: 5x synaptic ops, 2x neuron updates, 10x spike
# generation (ASSUMPTION: sending a message is part of spike generation). ASSUMPTION:
# the brief gives none for learning or for receiving a packet; those keep Loihi 1's time.
SPEEDUP = {"synops": 5.0, "updates_active": 2.0, "updates_inactive": 2.0, "spikes": 10.0,
           "packets": 10.0, "packets_in": 1.0, "synaptic_updates": 1.0}

ENERGY = {op: f.scaled(PROCESS_FACTOR, "scaled by an assumed Loihi 2 process factor "
                       "0.5 (0.3..1.0)") for op, f in LOIHI1_ENERGY.items()}
# Graded spikes carry payloads in their messages. ASSUMPTION (no figure is published):
# a message's energy grows with its bits. Loihi 1's 32-bit spike packet costs 1.7 pJ
# within a tile (Davies 2018, Table 2), so each payload bit costs 1/32 of a message
# (typical); low: nothing extra (the payload rides in a fixed-size packet); high: 1/16.
_PACKET = LOIHI1_ENERGY["packets"].typical
ENERGY["payload_bits"] = Figure(
    _PACKET / 32, 0.0, _PACKET / 16, "J",
    f"ASSUMPTION: 1/32 of a 32-bit spike packet's energy per payload bit (0..1/16), from "
    f"{DAVIES_2018}").scaled(PROCESS_FACTOR, "scaled by an assumed Loihi 2 process factor "
                             "0.5 (0.3..1.0)")

TIME = {op: f.scaled((1 / SPEEDUP[op],) * 3, f"divided by {SPEEDUP[op]:g} ({BRIEF_2021})")
        for op, f in LOIHI1_TIME.items()}
# ASSUMPTION: the mesh and its links are as fast as Loihi 1's (no figure is published).
LATENCY = {k: f.scaled((1, 1, 1), "ASSUMPTION: as on Loihi 1") for k, f in LOIHI1_LATENCY.items()}
BANDWIDTH = {k: f.scaled((1, 1, 1), "ASSUMPTION: as on Loihi 1") for k, f in LOIHI1_BANDWIDTH.items()}
# The brief: a chip-wide time step can take under 200 ns. ASSUMPTION: the barrier follows
# Loihi 1's curve scaled so that a full chip (32 tiles) takes 200 ns; across chips,
# Loihi 1's curve from that full-chip barrier on.
_B = 200e-9 / 465e-9
BARRIER_TILES = Curve(*(tuple((n, t * _B) for n, t in pts) for pts in (
    LOIHI1_BARRIER_TILES.low, LOIHI1_BARRIER_TILES.typical, LOIHI1_BARRIER_TILES.high)),
    source=f"ASSUMPTION: {LOIHI1_BARRIER_TILES.source} scaled to 200 ns per chip ({BRIEF_2021})")
BARRIER_CHIPS = Curve(*(((1, BARRIER_TILES.at(32)[k]),) + pts[1:] for k, pts in enumerate((
    LOIHI1_BARRIER_CHIPS.low, LOIHI1_BARRIER_CHIPS.typical, LOIHI1_BARRIER_CHIPS.high))),
    source=f"ASSUMPTION: Loihi 1's curve ({LOIHI1_BARRIER_CHIPS.source}) from a Loihi 2 "
           "chip's full barrier")
# Idle power 0.17..0.34 W per chip (lava-dl benchmark outputs); typical: the midpoint.
STATIC_POWER = Figure(0.255, 0.17, 0.34, "W", f"{LAVA_DL}; typical: the midpoint")


def loihi2(**changes):
    """A Loihi-2-like chip: 128 cores of up to 8192 neurons, 24-bit graded payloads."""
    base = Target(
        name="loihi2",
        description="Intel Loihi 2: 128 neurocores x up to 8192 neurons, graded spikes",
        max_neurons_per_core=8192,   # brief 2021: up to 8192 neurons per core
        cores_per_chip=128,          # brief 2021: 128 neurocores per chip
        cores_per_router=4,          # brief 2021: 4 cores per router
        router_grid=(8, 4),          # brief 2021: 8 x 4 routers, XY routing
        chip_topology="mesh3d",      # brief 2021: three-dimensional multi-chip mesh
        routing="axon",
        # brief 2021: 192 KB per core shared by neuron state, synapses (at most 128 KB)
        # and axon-routing tables; synapses packed as on Loihi 1 (spec/targets.md)
        core_memory_bytes=192 * 1024,
        synapse_memory_bits=128 * 1024 * 8,
        synapse_packing="loihi",
        # ASSUMPTION: 8 bytes of state per neuron (two 24-bit state variables and flags),
        # so that 8192 neurons fill the 64 KB the synapses leave; 4 bytes per axon entry.
        neuron_state_bytes=8,
        axon_entry_bytes=4,
        weight_bits=8,
        max_delay=62,
        payload_bits=24,             # this emulator's default (silicon: up to 32 bits)
        graded_spikes=True,
        learning=True,
        energy=ENERGY,
        time=TIME,
        latency=LATENCY,
        bandwidth=BANDWIDTH,
        packet_bits=32,              # ASSUMPTION: Loihi 1's 32-bit packet plus the payload
        barrier_tiles=BARRIER_TILES,
        barrier_chips=BARRIER_CHIPS,
        static_power=STATIC_POWER,
        notes=(BRIEF_2021, "per-neuron state and axon entry bytes: ASSUMPTIONS",
               "per-operation energies: Loihi 1's x an ASSUMED process factor",
               "network speed and barrier: ASSUMPTIONS from Loihi 1 and the brief"),
    )
    return base.derive(**changes) if changes else base
