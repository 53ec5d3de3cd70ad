"""SpiNNaker 2 (Höppner et al. 2021/2022; Yan et al. 2021; Gonzalez et al. 2024).

152 Arm Cortex-M4F processing elements (PEs) per chip, as 38 quad-PEs on a 2-D mesh,
multicast routing by (key, mask) tables, chips on hexagonal links. Neurons are software:
the emulator runs the same integer neurocores on the PEs (spec/neurocore.md holds on
every target); only resources, routing and costs differ.

Costs are derived from chip-level figures (the derivations are below, each marked):
energy per PE cycle from the published chip power, cycles per synaptic event from the
published chip throughput, cycles per neuron update from Yan 2021's layer cycle model.
"""
from .base import Figure, Target

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
# source PE about 10 cycles (range 5..20); the hops a packet then takes come with the
# mesh model.
CYCLES_PER_MESSAGE = (5, 10, 20)

_SYNOP = _cycles(CYCLES_PER_SYNOP, "synaptic event", GONZALEZ_2024)
_UPDATE = _cycles(CYCLES_PER_UPDATE, "neuron update", YAN_2021)
_MESSAGE = _cycles(CYCLES_PER_MESSAGE, "packet sent", "ASSUMPTION")
ENERGY = {"synops": _SYNOP[0], "updates_active": _UPDATE[0], "updates_inactive": _UPDATE[0],
          "messages": _MESSAGE[0]}
TIME = {"synops": _SYNOP[1], "updates_active": _UPDATE[1], "updates_inactive": _UPDATE[1],
        "messages": _MESSAGE[1]}


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
        notes=(HOEPPNER, YAN_2021, GONZALEZ_2024,
               "neurons per PE, state bytes and the quad-PE grid: ASSUMPTIONS"),
    )
    return base.derive(**changes) if changes else base
