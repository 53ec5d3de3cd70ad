"""Cores onto chips: keep the heaviest traffic on chip.

The traffic between two cores is estimated as the synapses from one to the other times
the expected spike rate of their pre neurons (`rates`, per population or input name; 1
by default, i.e. synapse counts). When the cores need more than one chip, METIS
(pymetis) cuts the core graph into as few chips as hold them, each chip's share
proportional to its usable cores; cores then move from chips over capacity to the chips
they talk to most that have room. Without pymetis, or if METIS fails, a greedy
assignment fills chips in order of a traffic-weighted walk over the cores.
"""
import warnings

import numpy as np
import scipy.sparse as sp

from ..errors import ParameterRangeError

#: Share of the chips' room kept free when the cores need several chips.
SLACK = 0.05


def core_traffic(net, blocks, n_cores, rates):
    """(src core, dst core, weight) arrays of the estimated inter-core traffic."""
    local, core_of_block = {}, {}  # per population: block of each neuron, core of each block
    for p, pb in enumerate(blocks):
        k = np.empty(net.populations[p].n, np.int32)
        for i, b in enumerate(pb):
            k[b.start:b.stop] = i
        local[net.populations[p].name] = k
        core_of_block[net.populations[p].name] = np.array([b.core for b in pb], np.int64)
    keys, weights = [], []
    for conn in net.connections:
        if conn.pre.name not in local or conn.n_synapses == 0:
            continue  # inputs come from the host, on no core
        pre_cores, post_cores = core_of_block[conn.pre.name], core_of_block[conn.post.name]
        # synapses per (pre block, post block): counted in a table when it is small
        # (one pass), else by sorting the pairs
        pair = local[conn.pre.name][conn.pre_index].astype(np.int64) * len(post_cores) + \
            local[conn.post.name][conn.post_index]
        cells = len(pre_cores) * len(post_cores)
        if cells <= 4 * conn.n_synapses + 1024:
            counts = np.bincount(pair, minlength=cells)
            pair = np.flatnonzero(counts)
            counts = counts[pair]
        else:
            pair, counts = np.unique(pair, return_counts=True)
        src, dst = pre_cores[pair // len(post_cores)], post_cores[pair % len(post_cores)]
        cross = src != dst
        keys.append(src[cross] * n_cores + dst[cross])
        weights.append(counts[cross] * _rate(rates, conn.pre.name))
    if not keys:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    keys, weights = np.concatenate(keys), np.concatenate(weights)
    uniq, inverse = np.unique(keys, return_inverse=True)
    total = np.bincount(inverse, weights=weights)
    return uniq // n_cores, uniq % n_cores, total


def _rate(rates, name):
    rate = (rates or {}).get(name, 1.0)
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate >= 0:
        raise ParameterRangeError(f"compile: rates[{name!r}]={rate!r} must be a number >= 0")
    return float(rate)


def assign_chips(n_cores, traffic, capacity):
    """The chip of each core. capacity: usable cores per chip. The cores go to the fewest
    chips (taken in order) that hold them, cut by METIS or the greedy fallback. Returns
    (chips, method)."""
    # as few chips as hold the cores (in order): every chip left out is traffic kept on
    # chip. Several chips keep SLACK of their room free, so that METIS's balance
    # tolerance seldom overfills one.
    room = np.cumsum(capacity)
    n_chips = 1 if n_cores <= capacity[0] else \
        int(np.searchsorted(room * (1 - SLACK), n_cores)) + 1
    n_chips = min(n_chips, len(capacity))
    capacity = list(capacity[:n_chips])
    if n_chips == 1 or n_cores <= 1:
        return np.zeros(n_cores, np.int64), "single chip"
    src, dst, weight = traffic
    try:
        chips = _metis(n_cores, src, dst, weight, capacity)
        method = "METIS"
    except (ImportError, RuntimeError) as error:
        # pymetis missing, or METIS refusing the graph (pymetis raises RuntimeError with
        # METIS's status): the greedy walk still gives a valid assignment; say why
        warnings.warn(f"compile: METIS could not partition the cores over chips "
                      f"({type(error).__name__}: {error}); using the greedy assignment",
                      RuntimeWarning, stacklevel=3)
        chips = _greedy(n_cores, src, dst, weight, capacity)
        method = f"greedy (METIS failed: {error})"
    return _repair(chips, src, dst, weight, capacity), method


def _symmetric(n_cores, src, dst, weight):
    """CSR adjacency of the undirected core graph with integer edge weights >= 1."""
    a = np.concatenate([src, dst])
    b = np.concatenate([dst, src])
    w = np.concatenate([weight, weight])
    order = np.lexsort((b, a))
    a, b, w = a[order], b[order], w[order]
    key = a * n_cores + b
    uniq, first = np.unique(key, return_index=True)
    w = np.add.reduceat(w, first) if len(w) else w
    a, b = uniq // n_cores, uniq % n_cores
    xadj = np.zeros(n_cores + 1, np.int64)
    np.cumsum(np.bincount(a, minlength=n_cores), out=xadj[1:])
    scale = 1000.0 / w.max() if len(w) and w.max() > 0 else 1.0
    return xadj, b, np.maximum(1, np.round(w * scale)).astype(np.int64)


def _metis(n_cores, src, dst, weight, capacity):
    import pymetis
    xadj, adjncy, eweights = _symmetric(n_cores, src, dst, weight)
    cap = np.asarray(capacity, float)
    result = pymetis.part_graph(len(capacity), adjacency=pymetis.CSRAdjacency(xadj, adjncy),
                                eweights=eweights, tpwgts=list(cap / cap.sum()))
    return np.asarray(result.vertex_part, np.int64)


def _greedy(n_cores, src, dst, weight, capacity):
    """Fill chips in the order of a walk that always takes the core with the most traffic
    to the cores already placed on the current chip."""
    link = {}
    for s, d, w in zip(src.tolist(), dst.tolist(), weight.tolist()):
        link.setdefault(s, {})[d] = link.get(s, {}).get(d, 0) + w
        link.setdefault(d, {})[s] = link.get(d, {}).get(s, 0) + w
    chips = np.full(n_cores, -1, np.int64)
    left = set(range(n_cores))
    for chip, room in enumerate(capacity):
        pull = {}
        while room and left:
            core = max(pull, key=pull.get) if pull else min(left)
            pull.pop(core, None)
            left.discard(core)
            chips[core] = chip
            room -= 1
            for other, w in link.get(core, {}).items():
                if other in left:
                    pull[other] = pull.get(other, 0) + w
    return chips


def _repair(chips, src, dst, weight, capacity):
    """Move cores off chips over capacity, each to the chip with room it talks to most
    (the core and chip with the best gain first). to[core, chip] (each core's traffic to
    each chip) is kept up to date move by move."""
    chips = chips.copy()
    n_cores, n_chips = len(chips), len(capacity)
    capacity = np.asarray(capacity)
    load = np.bincount(chips, minlength=n_chips)
    if np.all(load <= capacity):
        return chips
    adjacency = sp.csr_matrix((np.concatenate([weight, weight]),
                               (np.concatenate([src, dst]), np.concatenate([dst, src]))),
                              shape=(n_cores, n_cores))
    to = np.zeros((n_cores, n_chips))
    np.add.at(to, (adjacency.tocoo().row, chips[adjacency.tocoo().col]), adjacency.tocoo().data)
    for chip in np.flatnonzero(load > capacity):
        while load[chip] > capacity[chip]:
            members = np.flatnonzero(chips == chip)
            room = np.flatnonzero(load < capacity)
            gain = to[np.ix_(members, room)] - to[members, chip][:, None]
            k = int(np.argmax(gain))
            core, target = members[k // len(room)], room[k % len(room)]
            chips[core] = target
            load[chip] -= 1
            load[target] += 1
            row = adjacency.getrow(core)  # the core's neighbours now see it on `target`
            to[row.indices, chip] -= row.data
            to[row.indices, target] += row.data
    return chips
