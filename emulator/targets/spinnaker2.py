"""SpiNNaker 2 (Höppner et al. 2021/2022; Yan et al. 2021; Gonzalez et al. 2024).

152 Arm Cortex-M4F processing elements (PEs) per chip, as 38 quad-PEs on a 2-D mesh,
multicast routing by (key, mask) tables, chips on hexagonal links. Neurons are software:
the emulator runs the same integer neurocores on the PEs (spec/neurocore.md holds on
every target); only resources, routing and costs differ.

Costs are derived from chip-level figures (the derivations are below, each marked):
energy per PE cycle from the published chip power, cycles per synaptic event from the
published chip throughput, cycles per neuron update from Yan 2021's layer cycle model.
"""
from .base import DvfsLevel, Figure, Target

HOEPPNER = "Höppner et al. 2021/2022 (SpiNNaker 2 chip)"
YAN_2021 = "Yan et al. 2021, Neuromorph. Comput. Eng. 1:014002"
GONZALEZ_2024 = "Gonzalez et al. 2024 (SpiNNaker2 system)"

# Chip power 0.075 W with every PE off and 1.248 W with all 152 PEs running at 0.8 V /
# 300 MHz (Höppner): DERIVED (1.248 - 0.075) / 152 = 7.72 mW per active PE, so
# 7.72 mW / 300 MHz = 25.7 pJ per PE cycle at that point.
PE_POWER_W = (1.248 - 0.075) / 152
CLOCK_HZ = 300e6
ENERGY_PER_CYCLE = PE_POWER_W / CLOCK_HZ
# More than 1.8 G synaptic events/s per chip (Gonzalez 2024): DERIVED 152 PEs x 300 MHz /
# 1.8 G = 25 cycles per synaptic event (typical); range 15..40 cycles, an ASSUMPTION for
# lighter and heavier event handlers.
CYCLES_PER_SYNOP = (15, 25, 40)
# Yan 2021's dense-layer model (0.13 N D + 24.0 D + 5.38 N + 74 cycles) charges 5.38
# cycles per neuron: taken as the cost of one neuron update (typical); range 5..20 cycles,
# an ASSUMPTION covering heavier neuron models run on the Arm core.
CYCLES_PER_UPDATE = (5.0, 5.38, 20.0)


def _cycles(cycles, what, basis):
    lo, typ, hi = cycles
    return (Figure(typ * ENERGY_PER_CYCLE, lo * ENERGY_PER_CYCLE, hi * ENERGY_PER_CYCLE, "J",
                   f"DERIVED: {typ} cycles per {what} ({basis}) x {ENERGY_PER_CYCLE * 1e12:.1f} "
                   f"pJ per PE cycle ({HOEPPNER})"),
            Figure(typ / CLOCK_HZ, lo / CLOCK_HZ, hi / CLOCK_HZ, "s",
                   f"DERIVED: {typ} cycles per {what} at 300 MHz ({basis})"))


# ASSUMPTION (no per-packet figure is published): sending one multicast packet costs the
# source PE about 10 cycles (range 5..20); taking one in (the interrupt and the look-up of
# the synapse row) 10 cycles (0..20; low: wholly inside the per-event figure above).
CYCLES_PER_PACKET = (5, 10, 20)
CYCLES_PER_PACKET_IN = (0, 10, 20)

_SYNOP = _cycles(CYCLES_PER_SYNOP, "synaptic event", GONZALEZ_2024)
_UPDATE = _cycles(CYCLES_PER_UPDATE, "neuron update", YAN_2021)
_PACKET = _cycles(CYCLES_PER_PACKET, "packet sent", "ASSUMPTION")
_PACKET_IN = _cycles(CYCLES_PER_PACKET_IN, "packet received", "ASSUMPTION")
# The network. Höppner: the on-chip mesh runs at 300 MHz with 5 router cycles per hop
# (16.7 ns). ASSUMPTIONS (no figure is published): a hop on the mesh costs 2 pJ (1..5);
# a chip-to-chip hop 5 pJ per bit of a 40-bit packet (2..10 pJ/bit) and 100 ns (50..200).
PACKET_BITS = 40   # ASSUMPTION: 32-bit key and an 8-bit header, payload extra
_HOP = 5 / CLOCK_HZ
ENERGY = {"synops": _SYNOP[0], "updates_active": _UPDATE[0], "updates_inactive": _UPDATE[0],
          "packets": _PACKET[0], "packets_in": _PACKET_IN[0],
          "hops_ew": Figure(2e-12, 1e-12, 5e-12, "J", "ASSUMPTION: on-chip mesh hop"),
          "hops_ns": Figure(2e-12, 1e-12, 5e-12, "J", "ASSUMPTION: on-chip mesh hop"),
          "hops_chip": Figure(5e-12 * PACKET_BITS, 2e-12 * PACKET_BITS, 10e-12 * PACKET_BITS, "J",
                              "ASSUMPTION: 5 (2..10) pJ/bit x 40-bit packet on a chip link")}
TIME = {"synops": _SYNOP[1], "updates_active": _UPDATE[1], "updates_inactive": _UPDATE[1],
        "packets": _PACKET[1], "packets_in": _PACKET_IN[1]}
LATENCY = {"packet": Figure(_HOP, _HOP, _HOP, "s", f"{HOEPPNER}: 5 router cycles at 300 MHz"),
           "hops_ew": Figure(_HOP, _HOP, _HOP, "s", f"{HOEPPNER}: 5 router cycles at 300 MHz"),
           "hops_ns": Figure(_HOP, _HOP, _HOP, "s", f"{HOEPPNER}: 5 router cycles at 300 MHz"),
           "hops_chip": Figure(100e-9, 50e-9, 200e-9, "s", "ASSUMPTION: chip link latency")}
# Links: on-board chip-to-chip 6 Gbit/s, board-to-board 2 Gbit/s (Höppner). ASSUMPTION:
# the on-chip mesh moves one 32-bit flit per 300 MHz cycle (9.6 Gbit/s per link).
BANDWIDTH = {"ew": Figure(9.6e9, 9.6e9, 9.6e9, "bit/s", "ASSUMPTION: 32 bits per mesh cycle"),
             "ns": Figure(9.6e9, 9.6e9, 9.6e9, "bit/s", "ASSUMPTION: 32 bits per mesh cycle"),
             "chip": Figure(6e9, 2e9, 6e9, "bit/s", f"{HOEPPNER}: 6 Gbit/s on a board, "
                            "2 Gbit/s between boards")}
# Chip power with every PE off (Höppner): the static power of a chip in use.
STATIC_POWER = Figure(0.075, 0.075, 0.075, "W", f"{HOEPPNER}: chip power with all PEs off")
# DVFS: four performance levels per PE; the two published nominal points. Energies above
# are at 0.8 V; another level scales energy per cycle by (V / 0.8 V)^2 (ASSUMPTION:
# dynamic CV^2 scaling) and time per cycle by 300 MHz / f.
DVFS = {"0.5V": DvfsLevel(0.5, 150e6, f"{HOEPPNER}: nominal point 0.5 V / 150 MHz"),
        "0.8V": DvfsLevel(0.8, 300e6, f"{HOEPPNER}: nominal point 0.8 V / 300 MHz")}
# The MAC array (16 x 4 8-bit MACs per PE): 2.77 TOPS/W at 0.5 V and 2.06 TOPS/W at
# 0.8 V, 2 operations per MAC (Höppner): DERIVED 0.722 and 0.971 pJ per MAC. Yan 2021's
# cycle model of a dense layer of N neurons and D inputs on the MAC array is
# 0.13 N D + 24.0 D + 5.38 N + 74 cycles; its 5.38 N are the neuron updates, costed as
# such, so the array's share per step is 0.13 N D + 24.0 D + 74 cycles.
MAC_ARRAY = {
    "energy_per_mac": {"0.5V": Figure(2 / 2.77e12, 2 / 2.77e12, 2 / 2.77e12, "J",
                                      f"DERIVED: 2 ops / 2.77 TOPS/W ({HOEPPNER})"),
                       "0.8V": Figure(2 / 2.06e12, 2 / 2.06e12, 2 / 2.06e12, "J",
                                      f"DERIVED: 2 ops / 2.06 TOPS/W ({HOEPPNER})")},
    "cycles": {"per_synapse": 0.13, "per_input": 24.0, "per_layer": 74.0},
    # the PE is clocked while the array works: its cycles cost the PE's energy per cycle
    "energy_per_cycle": Figure(ENERGY_PER_CYCLE, ENERGY_PER_CYCLE, ENERGY_PER_CYCLE, "J",
                               f"DERIVED: {ENERGY_PER_CYCLE * 1e12:.1f} pJ per PE cycle ({HOEPPNER})"),
    "source": YAN_2021,
}


def spinnaker2(**changes):
    """A SpiNNaker-2-like chip: 152 PEs of up to 1024 neurons in 128 KB of SRAM each."""
    base = Target(
        name="spinnaker2",
        description="SpiNNaker 2: 152 Arm PEs (38 quad-PEs), multicast routing, 128 KB per PE",
        # ASSUMPTION: 1024 neurons per PE, so that a chip holds the published "more than
        # 150 k neurons" (152 x 1024 = 155,648); the SRAM budget below binds first for
        # neurons with many synapses.
        max_neurons_per_core=1024,
        cores_per_chip=152,          # Höppner: 152 PEs
        cores_per_router=4,          # Höppner: 38 quad-PEs, one router port each
        # ASSUMPTION: the 38 quad-PEs fill an 8 x 5 grid row by row (two places empty);
        # the floor plan is not in our sources.
        router_grid=(8, 5),
        chip_topology="hex",         # Höppner: 6 chip-to-chip links, hexagonal topology
        routing="multicast",         # Höppner: (key, mask) multicast tables
        routing_entries_per_chip=16384,
        core_memory_bytes=128 * 1024,  # Höppner: 128 KB SRAM per PE
        synapse_packing="word32",    # software synapse rows: one 32-bit word per synapse
        # ASSUMPTION: 16 bytes of state per neuron (four 32-bit words) and 4 bytes per
        # routing key or axon entry held in the PE's SRAM.
        neuron_state_bytes=16,
        axon_entry_bytes=4,
        weight_bits=8,
        max_delay=62,
        payload_bits=24,             # multicast packets carry a 32-bit payload; the
                                     # emulator's default width keeps results equal to loihi2
        graded_spikes=True,
        learning=True,
        energy=ENERGY,
        time=TIME,
        latency=LATENCY,
        bandwidth=BANDWIDTH,
        packet_bits=PACKET_BITS,
        tick=1e-3,                   # Höppner: each PE runs on a timer tick, 1 ms typical
        static_power=STATIC_POWER,
        clock_hz=CLOCK_HZ,
        dvfs=DVFS,
        dvfs_default="0.8V",
        cycle_operations=("synops", "updates_active", "updates_inactive", "packets", "packets_in"),
        mac_array=MAC_ARRAY,
        notes=(HOEPPNER, YAN_2021, GONZALEZ_2024,
               "neurons per PE, state bytes and the quad-PE grid: ASSUMPTIONS",
               "per-packet cycles, mesh and link energies, on-chip link rate: ASSUMPTIONS"),
    )
    return base.derive(**changes) if changes else base
