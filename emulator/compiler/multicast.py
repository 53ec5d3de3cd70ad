"""Multicast routing for SpiNNaker-2-like targets: per-chip (key, mask) tables.

A spike leaves its core once, as a packet whose key names its source: key = source core
<< neuron_key_bits(target) | neuron. Each chip's router looks the key up in its table (the first
entry with key & mask == value wins) and copies the packet to every output of the
entry's route: chip-to-chip links and the chip's own cores. A packet that matches no
entry is default-routed straight on: out of the link opposite the one it came in by.

Routes: chips sit on the grid of `Target.chip_position`; a packet takes the shortest
path of `chip_path` (hexagonal links, or mesh links) to every chip with a destination core, so a source's
packets form a tree, and a router needs an entry for a source wherever the tree does
not simply run straight through it (it starts, branches, turns or delivers there).

Compression: the keys that reach a router are sorted into a binary trie on the source
core bits. A trie node becomes one entry when all its keys share a route; otherwise it
is the cheaper of its two halves' entries, or (ordered covering) one entry for the
node's most common route placed after the entries of the node's other keys. Keys that
reach the router but need no entry become explicit entries (their straight-on link)
wherever a covering entry would otherwise catch them. Keys that never reach the router
are free to match anything. After compressing each table, `check_table` looks every
arriving key up in the compressed table and compares the result with its route.
"""
from collections import Counter

import numpy as np

from .. import _core
from ..errors import ResourceLimitError

#: Packet keys are 32-bit words.
KEY_BITS = 32
#: The six chip-to-chip links of the hexagonal topology and their grid steps, in order;
#: link k + 3 (mod 6) is the opposite of link k.
LINKS = ("E", "NE", "N", "W", "SW", "S")
STEPS = ((1, 0), (1, 1), (0, 1), (-1, 0), (-1, -1), (0, -1))
#: Route bits: the six links first, then one bit per core slot on the chip.
CORE_BIT0 = len(LINKS)


def neuron_key_bits(target):
    """Key bits that number a neuron within its core (10 for SpiNNaker 2's 1024)."""
    return max(1, (target.max_neurons_per_core - 1).bit_length())


def chip_path(a, b, hexagonal=True):
    """Links of the shortest path from chip position a to b: on the hexagonal grid the
    diagonal (NE or SW) while both coordinates differ the same way; otherwise (and on a
    mesh always) down (S) before sideways and sideways before up, so that a path never
    crosses the missing places of a partly filled top row of chips. The kernel's rule
    (csrc/mesh.cpp), so that compiled tables and emulated routes agree."""
    return _core.chip_path(int(a[0]), int(a[1]), int(b[0]), int(b[1]), bool(hexagonal))


def core_pairs(out, core_base, n_inputs):
    """Unique (source core, destination core) pairs of the output-axon table: the
    deliveries routing must make (inputs come from the host and are not routed)."""
    src_ptr, dst_core, _ = out
    senders = np.repeat(np.arange(len(src_ptr) - 1), np.diff(src_ptr))
    on_core = senders >= n_inputs
    src = np.searchsorted(core_base, senders[on_core], side="right") - 1
    pair = np.unique(src * (len(core_base) + 1) + dst_core[on_core])
    return pair // (len(core_base) + 1), pair % (len(core_base) + 1)


def routes(pairs, chips, slots, target):
    """{chip: {source core: [route bits, arrival link]}} for every router a source's
    packets reach; arrival is -1 at the source's own chip. pairs: (source core,
    destination core) arrays."""
    tables = {}
    paths = {}
    for src, dst in zip(*pairs):
        src, dst = int(src), int(dst)
        chip, goal = int(chips[src]), int(chips[dst])
        if (chip, goal) not in paths:
            paths[chip, goal] = chip_path(target.chip_position(chip),
                                          target.chip_position(goal),
                                          target.chip_topology == "hex")
        at, arrival = chip, -1
        pos = target.chip_position(chip)
        for k in paths[chip, goal]:
            _add(tables, at, src, 1 << k, arrival)
            pos = (pos[0] + STEPS[k][0], pos[1] + STEPS[k][1])
            at, arrival = target.chip_at(pos), (k + 3) % 6
        _add(tables, at, src, 1 << (CORE_BIT0 + int(slots[dst])), arrival)
    return tables


def _add(tables, chip, src, bit, arrival):
    entry = tables.setdefault(chip, {}).setdefault(src, [0, arrival])
    entry[0] |= bit


def straight_on(arrival):
    """The route default routing gives a packet that came in by link `arrival`."""
    return 1 << ((arrival + 3) % 6) if arrival >= 0 else 0


def build_tables(pairs, chips, slots, target):
    """Compressed table of every chip: {chip: [(value, mask, route), ...]} in lookup
    order (value and mask on the packet key), and {chip: (uncompressed entries,
    compressed entries)}. Every table is checked against the routes it implements
    before and after compression (RuntimeError if compression broke one); a table
    over the target's size, or more cores and neurons than a 32-bit key can name, raise
    ResourceLimitError."""
    key_bits = max(1, int(len(chips) - 1).bit_length())
    shift = neuron_key_bits(target)
    if key_bits + shift > KEY_BITS:
        raise ResourceLimitError(
            f"multicast keys on {target.name}: {len(chips)} cores ({key_bits} bits) of up to "
            f"{target.max_neurons_per_core} neurons ({shift} bits) do not fit a {KEY_BITS}-bit "
            "key; use fewer neurons per core or fewer cores")
    tables, sizes = {}, {}
    for chip, table in sorted(routes(pairs, chips, slots, target).items()):
        keys = np.array(sorted(table), np.int64)
        route = [table[k][0] for k in keys]
        default = [straight_on(table[k][1]) for k in keys]
        full = [(int(k), (1 << key_bits) - 1, r) for k, r, d in zip(keys, route, default) if r != d]
        entries = compress(keys, route, default, key_bits)
        for candidate in (full, entries):
            check_table(candidate, keys, route, default)
        sizes[chip] = (len(full), len(entries))
        if target.routing_entries_per_chip and len(entries) > target.routing_entries_per_chip:
            raise ResourceLimitError(
                f"routing table of chip {chip} on {target.name}: {len(entries)} entries after "
                f"compression ({len(full)} before), the limit is "
                f"{target.routing_entries_per_chip}. Spread the network over more chips, or "
                "connect fewer source cores to cores on distant chips")
        tables[chip] = [(v << shift, m << shift, r) for v, m, r in entries]
    return tables, sizes


def multicast_arrays(tables):
    """Program arrays of the tables: per chip, value and mask (int64, on packet keys),
    links (uint8 bits of LINKS) and the core slots each entry delivers to (ptr, slot)."""
    arrays = {}
    for chip, entries in tables.items():
        prefix = f"multicast/chip{chip}/"
        arrays[prefix + "value"] = np.array([v for v, _, _ in entries], np.int64)
        arrays[prefix + "mask"] = np.array([m for _, m, _ in entries], np.int64)
        arrays[prefix + "links"] = np.array([r & 0x3F for _, _, r in entries], np.uint8)
        slots = [[s for s in range((r >> CORE_BIT0).bit_length()) if r >> (CORE_BIT0 + s) & 1]
                 for _, _, r in entries]
        arrays[prefix + "core_ptr"] = np.cumsum([0] + [len(x) for x in slots]).astype(np.int64)
        arrays[prefix + "core_slot"] = np.array([s for x in slots for s in x], np.int16)
    return arrays


def compress(keys, route, default, key_bits):
    """Ordered (value, mask, route) entries over the key_bits source-core bits that give
    every key in `keys` (sorted) its route: the first matching entry's route, or, with
    none matching, default routing's. Keys not in `keys` never reach the router and may
    match anything."""
    route = np.asarray(route, dtype=object)
    default = np.asarray(default, dtype=object)
    return _node(np.asarray(keys, np.int64), route, (route == default).astype(bool), 0,
                 key_bits, key_bits)


def _node(keys, route, free, base, level, key_bits):
    """Entries for the keys of the trie node [base, base + 2**level); free[i]: key i
    needs no entry (default routing carries it) unless a covering entry would catch it."""
    if not len(keys) or free.all():
        return []
    mask = ((1 << key_bits) - 1) ^ ((1 << level) - 1)
    kinds = set(route.tolist())
    if len(kinds) == 1:
        return [(base, mask, route[0])]
    half = 1 << (level - 1)
    cut = int(np.searchsorted(keys, base + half))
    best = _node(keys[:cut], route[:cut], free[:cut], base, level - 1, key_bits) + \
        _node(keys[cut:], route[cut:], free[cut:], base + half, level - 1, key_bits)
    # Ordered covering: one entry for the most common route, after the others' entries.
    needed = route[~free].tolist()
    common, count = Counter(needed).most_common(1)[0]
    # Only a strict majority covers: then no other route can cover this node again in
    # the call below, so the search ends (and stays near n log n).
    if 2 * count > len(keys) and len(best) > 1:
        # the others' entries must let the common route's keys fall through to the cover
        cover = _node(keys, route, (route == common).astype(bool), base, level, key_bits) \
            + [(base, mask, common)]
        if len(cover) < len(best):
            best = cover
    return best


def lookup(entries, keys):
    """Index of the first entry matching each key (-1: none), entries on source-core keys."""
    keys = np.asarray(keys, np.int64)
    hit = np.full(len(keys), -1)
    for i, (value, mask, _) in enumerate(entries):
        new = (hit < 0) & ((keys & mask) == value)
        hit[new] = i
    return hit


def check_table(entries, keys, route, default):
    """Every arriving key gets its route from `entries` (or default routing)."""
    hit = lookup(entries, keys)
    got = [entries[h][2] if h >= 0 else d for h, d in zip(hit, default)]
    bad = [int(k) for k, g, r in zip(keys, got, route) if g != r]
    if bad:  # a compiler bug, never the user's: say so loudly, also under python -O
        raise RuntimeError(f"internal error: a routing table sends source cores {bad[:5]} "
                           "the wrong way; please report it")


def deliver(tables, source, chips, target):
    """(destination chip, core slot) pairs a packet of source core `source` reaches by
    following the tables from its chip, and the links it crosses as (chip, link) in
    order. A lost packet (dropped, off the grid, or looping) is a table the compiler got
    wrong: RuntimeError. (A core with no destinations sends no packets; what its key
    would match is not defined.)"""
    def lost(what):
        return RuntimeError(f"internal error: the packet of core {source} {what}; please "
                            "report it")

    key = source << neuron_key_bits(target)
    reached, crossed = [], []
    frontier = [(int(chips[source]), -1)]
    while frontier:
        chip, arrival = frontier.pop()
        table = tables.get(chip, [])
        hit = next((r for v, m, r in table if (key & m) == v), None)
        route = straight_on(arrival) if hit is None else hit
        if not route:  # a core that sends to no other core has no entry: it sends nothing
            if arrival >= 0:
                raise lost(f"is dropped at chip {chip}")
            continue
        for k in range(len(LINKS)):
            if route >> k & 1:
                crossed.append((chip, k))
                if len(crossed) > 6 * target.n_chips:
                    raise lost("loops")
                pos = target.chip_position(chip)
                nxt = target.chip_at((pos[0] + STEPS[k][0], pos[1] + STEPS[k][1]))
                if nxt is None:
                    raise lost(f"leaves the grid at chip {chip}")
                frontier.append((nxt, (k + 3) % 6))
        bits = route >> CORE_BIT0
        slot = 0
        while bits:
            if bits & 1:
                reached.append((chip, slot))
            bits >>= 1
            slot += 1
    return reached, crossed
