"""Loihi 1 (Davies et al. 2018, IEEE Micro 38(1)): binary spikes, CUBA LIF compartments."""
from .base import Curve, Figure, Target

DAVIES_2018 = "Davies et al. 2018, IEEE Micro 38(1), Table 2 (pre-silicon, 0.75 V)"
SANAFE_2025 = "Boyle et al. 2025, IEEE TCAD 44(8), SANA-FE arch/loihi.yaml (silicon-fitted)"

BLOUW_2019 = "Blouw et al. 2019, NICE (Loihi chip rails at idle)"
FRADY_2020 = "Frady et al. 2020, NICE (Pohoiki Springs / Nahuku boards)"

# Per-operation energy. typical: Davies 2018 where it gives a figure; low/high span Davies
# and SANA-FE's silicon fit. Where Davies gives none, SANA-FE is typical and low is 0.
ENERGY = {
    # synaptic spike op: 23.6 pJ (Davies, a minimum); SANA-FE dense lookup 35.5 pJ
    "synops": Figure(23.6e-12, 23.6e-12, 35.5e-12, "J", f"{DAVIES_2018}; high: {SANAFE_2025}"),
    # neuron update active 81 pJ (Davies); SANA-FE access + update 51.2 + 21.6 = 72.8 pJ
    "updates_active": Figure(81e-12, 72.8e-12, 81e-12, "J", f"{DAVIES_2018}; low: {SANAFE_2025}"),
    # inactive update 52 pJ (Davies); SANA-FE neuron access alone 51.2 pJ
    "updates_inactive": Figure(52e-12, 51.2e-12, 52e-12, "J", f"{DAVIES_2018}; low: {SANAFE_2025}"),
    # spike generation 69.3 pJ (SANA-FE); Davies lists none (low: folded into the update)
    "spikes": Figure(69.3e-12, 0.0, 69.3e-12, "J", f"{SANAFE_2025}; low: none in {DAVIES_2018}"),
    # a packet through its first router: spike within a tile 1.7 pJ (Davies); SANA-FE's
    # outgoing message 111 pJ
    "packets": Figure(1.7e-12, 1.7e-12, 111e-12, "J", f"{DAVIES_2018}; high: {SANAFE_2025}"),
    # hops: east-west 3.0 pJ, north-south 4.0 pJ (Davies); SANA-FE north-south 4.2 pJ
    "hops_ew": Figure(3.0e-12, 3.0e-12, 3.0e-12, "J", DAVIES_2018),
    "hops_ns": Figure(4.0e-12, 4.0e-12, 4.2e-12, "J", f"{DAVIES_2018}; high: {SANAFE_2025}"),
    # ASSUMPTION (no figure is published): a chip-to-chip hop costs 2 pJ per bit of the
    # 32-bit packet (1..10 pJ/bit), the range of off-chip parallel and serial links.
    "hops_chip": Figure(64e-12, 32e-12, 320e-12, "J",
                        "ASSUMPTION: 2 (1..10) pJ/bit x 32-bit packet for an off-chip link"),
    # one synaptic update by the learning engine: 120 pJ (Davies); no other figure published
    "synaptic_updates": Figure(120e-12, 120e-12, 120e-12, "J", DAVIES_2018),
}
# What keeps a core busy in a step.
TIME = {
    "synops": Figure(3.5e-9, 3.1e-9, 4.7e-9, "s", f"{DAVIES_2018}; range: {SANAFE_2025}"),
    "updates_active": Figure(8.4e-9, 8.4e-9, 9.7e-9, "s", f"{DAVIES_2018}; high: {SANAFE_2025}"),
    "updates_inactive": Figure(5.3e-9, 5.3e-9, 6.0e-9, "s", f"{DAVIES_2018}; high: {SANAFE_2025}"),
    "spikes": Figure(30e-9, 0.0, 30e-9, "s", f"{SANAFE_2025}; low: none in {DAVIES_2018}"),
    # sending a message: the within-tile spike time (Davies); SANA-FE's outgoing message
    "packets": Figure(2.1e-9, 2.1e-9, 5.1e-9, "s", f"{DAVIES_2018}; high: {SANAFE_2025}"),
    "packets_in": Figure(16e-9, 0.0, 16e-9, "s", f"{SANAFE_2025} (receive); low: none in {DAVIES_2018}"),
    "synaptic_updates": Figure(6.1e-9, 6.1e-9, 6.1e-9, "s", DAVIES_2018),
}
# The network: a packet's latency within its tile and per hop.
LATENCY = {
    "packet": Figure(2.1e-9, 2.1e-9, 5.1e-9, "s", f"{DAVIES_2018}; high: {SANAFE_2025}"),
    "hops_ew": Figure(4.1e-9, 4.1e-9, 4.1e-9, "s", DAVIES_2018),
    "hops_ns": Figure(6.5e-9, 6.5e-9, 6.5e-9, "s", DAVIES_2018),
    # ASSUMPTION: a chip-to-chip hop takes 100 ns (50..200 ns); no figure is published.
    "hops_chip": Figure(100e-9, 50e-9, 200e-9, "s", "ASSUMPTION: off-chip link latency"),
}
# Davies 2018: 3.44 Gspikes/s cross-section bandwidth per tile, 32-bit packets: taken as
# each on-chip link's rate (DERIVED 3.44e9 x 32 = 110 Gbit/s). ASSUMPTION: a chip-to-chip
# link carries 3.2 Gbit/s (1.6..6.4).
_TILE = 3.44e9 * 32
BANDWIDTH = {
    "ew": Figure(_TILE, _TILE, _TILE, "bit/s", f"DERIVED from {DAVIES_2018}"),
    "ns": Figure(_TILE, _TILE, _TILE, "bit/s", f"DERIVED from {DAVIES_2018}"),
    "chip": Figure(3.2e9, 1.6e9, 6.4e9, "bit/s", "ASSUMPTION: off-chip link rate"),
}
# Barrier synchronisation: 113 ns for 1 tile to 465 ns for 32 (Davies); SANA-FE's fit
# 0.6, 1.0, 1.4, 1.8 us for 1, 2, 4, 29 tiles is the high end.
BARRIER_TILES = Curve(low=((1, 113e-9), (32, 465e-9)), typical=((1, 113e-9), (32, 465e-9)),
                      high=((1, 0.6e-6), (2, 1.0e-6), (4, 1.4e-6), (29, 1.8e-6)),
                      source=f"{DAVIES_2018}; high: {SANAFE_2025}")
# Across chips: 14.3 us for 4 x 64 chips, 16.2 us for 768 chips (Frady 2020); from one
# chip's full barrier (465 ns) to 256 chips the curve is an ASSUMPTION (log-linear).
BARRIER_CHIPS = Curve(low=((1, 465e-9), (256, 14.3e-6), (768, 16.2e-6)),
                      typical=((1, 465e-9), (256, 14.3e-6), (768, 16.2e-6)),
                      high=((1, 1.8e-6), (256, 14.3e-6), (768, 16.2e-6)),
                      source=f"{FRADY_2020}; below 256 chips ASSUMPTION: log-linear from one chip")
# Static power per chip: 29 mW on the chip rails at idle (Blouw 2019); 104 mW per chip
# DERIVED from a 32-chip board's idle power (Frady 2020).
STATIC_POWER = Figure(29e-3, 29e-3, 104e-3, "W", f"{BLOUW_2019}; high: {FRADY_2020}")


def loihi1(**changes):
    """A Loihi-1-like chip (Davies 2018; per-core limits as the NengoLoihi compiler uses)."""
    base = Target(
        name="loihi1",
        description="Intel Loihi 1: 128 neurocores x 1024 compartments, binary spikes",
        max_neurons_per_core=1024,   # Davies 2018: 1024 compartments per core
        cores_per_chip=128,          # Davies 2018: 128 neurocores per chip
        cores_per_router=4,          # Davies 2018: 4 cores per router tile
        router_grid=(8, 4),          # 32 tiles as 8 x 4 (SANA-FE's Loihi layout convention)
        chip_topology="mesh2d",      # chips tile a 2-D mesh (four planar directions)
        routing="axon",              # one message per destination core, fanned out at the source
        max_input_axons=4096,        # NengoLoihi: 4096 input axons per core
        max_output_axons=4096,       # NengoLoihi: 4096 output-axon slots per core
        synapse_memory_bits=16384 * 64,  # 16384 words x 64 bit (1 Mbit) per core
        synapse_packing="loihi",
        # configuration tables per core (Davies 2018 / NengoLoihi)
        profiles={"compartment": 32, "threshold": 16, "synapse_format": 16, "learning": 3},
        weight_bits=8,               # up to 8 magnitude bits plus sign
        max_delay=62,
        payload_bits=1,
        graded_spikes=False,
        neuron_models=("lif",),      # Davies 2018: CUBA LIF compartments only
        learning=True,               # Davies 2018: on-chip three-factor learning engine
        energy=ENERGY,
        time=TIME,
        latency=LATENCY,
        bandwidth=BANDWIDTH,
        packet_bits=32,              # Davies 2018: 32-bit spike packets
        barrier_tiles=BARRIER_TILES,
        barrier_chips=BARRIER_CHIPS,
        static_power=STATIC_POWER,
        notes=(DAVIES_2018, SANAFE_2025, "per-core limits: the public NengoLoihi compiler",
               "chip-to-chip link energy, latency and rate: ASSUMPTIONS"),
    )
    return base.derive(**changes) if changes else base
