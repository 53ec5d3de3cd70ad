"""The network on chip as the kernel sees it, and what a run's packets did on it.

`network_spec(program)` tells the kernel where every core sits (its chip and slot, from
the compiler's placement), the chip grid, where each chip-to-chip link attaches
(`Target.port_router`), where the host's packets enter (router 0 of chip 0, an
ASSUMPTION: the host link's place is not in our sources) and, for multicast targets, the
compiled (key, mask) table of every chip. The kernel builds the routes (csrc/mesh.cpp)
and counts packets on them (csrc/traffic.cpp); `Traffic` holds what it counted.
"""
import numpy as np

from . import _core
from .compiler.multicast import neuron_key_bits
from .targets import get
from .targets.base import LINK_KINDS

#: Per-step traffic columns, in the kernel's order.
TRAFFIC_COLUMNS = tuple(_core.TRAFFIC_COLUMNS)
#: On-chip router outputs (link table column "output" for on-chip links).
ROUTER_OUTPUTS = ("E", "N", "W", "S")
#: Chip-to-chip directions (link table column "output" for chip links).
CHIP_DIRECTIONS = ("E", "NE", "N", "W", "SW", "S")
#: Where the host's packets enter: (chip, router). ASSUMPTION.
HOST_PORT = (0, 0)


def network_spec(program):
    """Arguments of the kernel's System.set_network for `program`."""
    target = program.target
    cores = program.meta["cores"]
    location = np.array([core.get("location", [0, c]) for c, core in enumerate(cores)],
                        np.int64).reshape(-1, 2)
    positions = np.array([target.chip_position(c) for c in range(target.n_chips)], np.int32)
    multicast = target.routing == "multicast"
    # the key layout the compiler built the tables with (its target's neurons per core)
    # (programs saved before key_shift was recorded used the named target's neurons)
    multicast_report = (program.meta.get("compile") or {}).get("multicast") or {}
    tables = []
    if multicast:
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.uint8),
                 np.zeros(1, np.int64), np.zeros(0, np.int16))
        arrays = program.arrays
        for chip in range(target.n_chips):
            prefix = f"multicast/chip{chip}/"
            if prefix + "value" not in arrays:
                tables.append(empty)
                continue
            tables.append(tuple(arrays[prefix + k] for k in
                                ("value", "mask", "links", "core_ptr", "core_slot")))
    grid_x, grid_y = target.router_grid
    return dict(grid_x=int(grid_x), grid_y=int(grid_y),
                cores_per_router=int(target.cores_per_router),
                cores_per_chip=int(target.cores_per_chip),
                hexagonal=target.chip_topology == "hex",
                chip_x=np.ascontiguousarray(positions[:, 0]),
                chip_y=np.ascontiguousarray(positions[:, 1]),
                port_router=np.array([target.port_router(d) for d in range(6)], np.int32),
                core_chip=location[:, 0].astype(np.int32), core_slot=location[:, 1].astype(np.int32),
                host_chip=HOST_PORT[0], host_router=HOST_PORT[1], multicast=multicast,
                tables=tables, key_shift=int(multicast_report.get(
                    "key_shift", neuron_key_bits(get(program.meta["target"]["name"])))))


class Traffic:
    """What a run's packets did on the network.

    per_step[name]: (steps,) int64 for each of TRAFFIC_COLUMNS: packets injected (by cores
    and the host), deliveries (packets reaching a core), deliveries "intra_core" (back to
    the sender), "intra_chip", "inter_chip"; links crossed by kind ("hops_ew",
    "hops_ns", "hops_chip"); "payload_bit_hops"; "longest_hops" (the longest delivery);
    "busiest_link" (-1: none) and "busiest_link_packets"; "slowest_core" (the core with
    the longest typical busy time; -1: none). total[name]: summed over steps (the counts).

    links: (n_links, 4) int32 table, a row per link: chip, router on the chip, output
    (ROUTER_OUTPUTS for on-chip links, CHIP_DIRECTIONS for chip links, which leave
    from the router `Target.port_router` gives) and kind (index into LINK_KINDS).
    link_packets, link_bits: (n_links,) packets and payload bits each link carried in
    the run; router_packets: (n_chips * routers per chip,) packets each router passed;
    hop_histogram[h]: deliveries h hops from their sender.

    Times per step, seconds, as (steps, 3) arrays of the (low, typical, high) figures:
    core_time (the slowest core's busy time), latency (the longest delivery) and
    serialisation (the busiest link's bits over its bandwidth). Over the run, (3,)
    arrays: core_time_total, network_total (the sum over steps of the longer of latency
    and serialisation), max_core_time and max_network_time (of any step).

    A run with per_step=False keeps totals only: per_step, core_time, latency and
    serialisation are None there.
    """

    def __init__(self, out, links, routers_per_chip, steps, per_step=True):
        rows = out["traffic_steps"]
        time = out["time_steps"]
        summed = ("packets", "deliveries", "intra_core", "intra_chip", "inter_chip", "hops_ew",
                  "hops_ns", "hops_chip", "payload_bit_hops")
        self._steps = steps
        self.per_step = self.core_time = self.latency = self.serialisation = None
        if per_step:
            self.per_step = {n: rows[:, k].astype(np.int64) for k, n in enumerate(TRAFFIC_COLUMNS)}
            self.core_time = time[:, 0:3]
            self.latency = time[:, 3:6]
            self.serialisation = time[:, 6:9]
        self.total = {n: int(rows[:, TRAFFIC_COLUMNS.index(n)].astype(np.int64).sum())
                      for n in summed}
        self.core_time_total = time[:, 0:3].sum(axis=0)
        totals = out["time_totals"]
        self.network_total, self.max_core_time, self.max_network_time = \
            totals[0:3], totals[3:6], totals[6:9]
        self.links = links
        self.link_packets = out["link_packets"].astype(np.int64)
        self.link_bits = out["link_bits"].astype(np.int64)
        self.router_packets = out["router_packets"].astype(np.int64)
        self.hop_histogram = out["hop_histogram"].astype(np.int64)
        self.routers_per_chip = routers_per_chip
        self._rows, self._time, self._totals = rows, time, totals

    @property
    def steps(self):
        return self._steps

    def arrays(self):
        """What the kernel returned, as a result file keeps it: "steps" and "time" (a row
        per step, or one row of totals), "totals" (time_totals), the link table and the
        per-link, per-router and per-hop counts."""
        return {"steps": self._rows, "time": self._time, "totals": self._totals,
                "links": self.links, "link_packets": self.link_packets,
                "link_bits": self.link_bits, "router_packets": self.router_packets,
                "hop_histogram": self.hop_histogram}

    def busiest_link(self):
        """(link, packets, description) of the link that carried the most packets in the
        run, or None if no packet crossed a link."""
        if not len(self.link_packets) or self.link_packets.max() == 0:
            return None
        link = int(np.argmax(self.link_packets))
        return link, int(self.link_packets[link]), self.describe_link(link)

    def busiest_router(self):
        """(chip, router, packets) of the router that passed the most packets, or None."""
        if not len(self.router_packets) or self.router_packets.max() == 0:
            return None
        r = int(np.argmax(self.router_packets))
        return r // self.routers_per_chip, r % self.routers_per_chip, int(self.router_packets[r])

    def describe_link(self, link):
        chip, router, output, kind = (int(v) for v in self.links[link])
        if LINK_KINDS[kind] == "chip":
            return f"chip {chip} link {CHIP_DIRECTIONS[output]}"
        return f"chip {chip} router {router} -> {ROUTER_OUTPUTS[output]}"

    def table(self):
        """The run's traffic as printable lines."""
        t = self.total
        lines = [f"Traffic over {self.steps} steps: {t['packets']} packets, "
                 f"{t['deliveries']} deliveries ({t['intra_core']} to their own core, "
                 f"{t['intra_chip']} on chip, {t['inter_chip']} to other chips)",
                 f"  links crossed: {t['hops_ew']} east-west, {t['hops_ns']} north-south, "
                 f"{t['hops_chip']} chip-to-chip"]
        nonzero = np.flatnonzero(self.hop_histogram)
        if len(nonzero):
            lines.append("  deliveries by hops: " + ", ".join(
                f"{h}: {self.hop_histogram[h]}" for h in nonzero))
        link = self.busiest_link()
        if link:
            lines.append(f"  busiest link: {link[2]} ({link[1]} packets)")
        router = self.busiest_router()
        if router:
            lines.append(f"  busiest router: chip {router[0]} router {router[1]} "
                         f"({router[2]} packets)")
        return "\n".join(lines)

    def __repr__(self):
        return f"Traffic({self.total})"
