"""Loihi 1 (Davies et al. 2018, IEEE Micro 38(1)): binary spikes, CUBA LIF compartments."""
from .base import Figure, Target

DAVIES_2018 = "Davies et al. 2018, IEEE Micro 38(1), Table 2 (pre-silicon, 0.75 V)"
SANAFE_2025 = "Boyle et al. 2025, IEEE TCAD 44(8), SANA-FE arch/loihi.yaml (silicon-fitted)"

# Per-operation energy. typical: Davies 2018; low/high span Davies and SANA-FE's fit.
ENERGY = {
    # synaptic spike op: 23.6 pJ (Davies, a minimum); SANA-FE dense lookup 35.5 pJ
    "synops": Figure(23.6e-12, 23.6e-12, 35.5e-12, "J", f"{DAVIES_2018}; high: {SANAFE_2025}"),
    # neuron update active 81 pJ (Davies); SANA-FE access + update 51.2 + 21.6 = 72.8 pJ
    "updates_active": Figure(81e-12, 72.8e-12, 81e-12, "J", f"{DAVIES_2018}; low: {SANAFE_2025}"),
    # inactive update 52 pJ (Davies); SANA-FE neuron access alone 51.2 pJ
    "updates_inactive": Figure(52e-12, 51.2e-12, 52e-12, "J", f"{DAVIES_2018}; low: {SANAFE_2025}"),
    # one message within a tile: 1.7 pJ (Davies). Hops on the mesh are added by the mesh
    # model; until then every message is costed as an intra-tile spike (a lower bound).
    "messages": Figure(1.7e-12, 1.7e-12, 1.7e-12, "J", DAVIES_2018),
    # one synaptic update by the learning engine: 120 pJ (Davies); no other figure published
    "synaptic_updates": Figure(120e-12, 120e-12, 120e-12, "J", DAVIES_2018),
}
TIME = {
    "synops": Figure(3.5e-9, 3.1e-9, 4.7e-9, "s", f"{DAVIES_2018}; range: {SANAFE_2025}"),
    "updates_active": Figure(8.4e-9, 8.4e-9, 9.7e-9, "s", f"{DAVIES_2018}; high: {SANAFE_2025}"),
    "updates_inactive": Figure(5.3e-9, 5.3e-9, 6.0e-9, "s", f"{DAVIES_2018}; high: {SANAFE_2025}"),
    "messages": Figure(2.1e-9, 2.1e-9, 5.1e-9, "s", f"{DAVIES_2018}; high: {SANAFE_2025}"),
    "synaptic_updates": Figure(6.1e-9, 6.1e-9, 6.1e-9, "s", DAVIES_2018),
}


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
        notes=(DAVIES_2018, "per-core limits: the public NengoLoihi compiler"),
    )
    return base.derive(**changes) if changes else base
