"""Cores onto the mesh of their chip: keep heavy traffic few hops apart.

Each chip's cores go to its usable core slots (defective ones are never used); a slot
sits on router slot // cores_per_router, routers on the chip's router_grid row by row,
and a message between two slots takes the Manhattan distance between their routers in
hops (0 on one router). Placement minimises the hop-weighted traffic
sum over core pairs of traffic x hops, the quadratic assignment problem, in two steps:

1. greedy: the core with the most traffic first, at the grid's centre; then, over and
   over, the unplaced core with the most traffic to placed ones, on the free slot
   cheapest for that traffic;
2. local improvement: the best swap of two slots' contents (a core, or nothing), as long
   as one lowers the cost, at most LOCAL_SWAPS_PER_CORE x cores swaps. All swap gains
   come from the matrix product A = w p (see `_best_swap`), which each swap updates in
   O(n^2) (see `_improve`).
The result is never worse than filling the usable slots in order (the report gives both).

The chips themselves sit on a chip grid (`Target.chip_position`): `place_chips` moves the
groups of cores that METIS formed between physical chips the same way, so that heavy
inter-chip traffic crosses few chip-to-chip hops.
"""
import numpy as np

#: Budget of the local improvement: swaps per core on the chip.
LOCAL_SWAPS_PER_CORE = 4


def slot_hops(target):
    """(cores_per_chip, cores_per_chip) hops between the routers of two core slots."""
    gx = target.router_grid[0]
    router = np.arange(target.cores_per_chip) // target.cores_per_router
    x, y = router % gx, router // gx
    return np.abs(x[:, None] - x[None, :]) + np.abs(y[:, None] - y[None, :])


def place_cores(chips, traffic, target):
    """Slot on its chip of every core (cores numbered chip by chip, `chips` sorted), and
    {"hop_traffic": cost after placement, "in_order": cost of filling the usable slots
    in order}; traffic is (src core, dst core, weight)."""
    n_cores = len(chips)
    hops = slot_hops(target)
    slots = np.empty(n_cores, np.int64)
    src, dst, weight = traffic
    same = chips[src] == chips[dst] if len(src) else np.zeros(0, bool)
    cost, naive = 0.0, 0.0
    for chip in np.unique(chips):
        cores = np.flatnonzero(chips == chip)
        usable = np.array([s for s in range(target.cores_per_chip)
                           if chip * target.cores_per_chip + s not in target.defective_cores])
        local = np.empty(n_cores, np.int64)
        local[cores] = np.arange(len(cores))
        w = np.zeros((len(usable), len(usable)))  # cores first, then empty slots
        on_chip = same & (chips[src] == chip)
        np.add.at(w, (local[src[on_chip]], local[dst[on_chip]]), weight[on_chip])
        w = w + w.T  # hops are symmetric: one weight per unordered pair
        d = hops[np.ix_(usable, usable)].astype(np.float64)
        in_order = _cost(w, d, np.arange(len(usable)))
        position = _improve(w, d, _greedy(w, d))
        placed = _cost(w, d, position)
        if placed > in_order:  # never worse than the plain layout
            position, placed = np.arange(len(usable)), in_order
        naive += in_order / 2
        cost += placed / 2
        slots[cores] = usable[position[:len(cores)]]
    return slots, {"hop_traffic": float(cost), "in_order": float(naive)}


def chip_hops(target):
    """(n_chips, n_chips) chip-to-chip hops on the chip grid (`Target.chip_position`):
    Manhattan on a mesh; on the hexagonal grid a diagonal step (NE or SW) moves along
    both axes at once."""
    pos = np.array([target.chip_position(c) for c in range(target.n_chips)]).reshape(-1, 2)
    dx = pos[:, None, 0] - pos[None, :, 0]
    dy = pos[:, None, 1] - pos[None, :, 1]
    if target.chip_topology == "hex":
        return np.where(dx * dy > 0, np.maximum(np.abs(dx), np.abs(dy)), np.abs(dx) + np.abs(dy))
    return np.abs(dx) + np.abs(dy)


#: Above this many chips in use, chips keep METIS's order (each swap costs n**3).
MAX_PLACED_CHIPS = 512


def place_chips(chips, traffic, target, capacity):
    """New chip labels: the groups of cores METIS formed move between the chips in use so
    that heavy inter-chip traffic crosses few chip-to-chip hops (best swaps, as on a
    chip's mesh; a swap needs each chip to have room for the other's cores). Returns
    (chips, {"chip_hop_traffic": after, "in_order": before})."""
    used = np.unique(chips)  # chips left empty stay empty
    n = len(used)
    label = np.zeros(target.n_chips, np.int64)
    label[used] = np.arange(n)
    mine = label[chips]
    src, dst, weight = traffic
    w = np.zeros((n, n))
    cross = mine[src] != mine[dst]
    np.add.at(w, (mine[src[cross]], mine[dst[cross]]), weight[cross])
    w = w + w.T
    d = chip_hops(target)[np.ix_(used, used)].astype(np.float64)
    load = np.bincount(mine, minlength=n)
    room = np.asarray(capacity)[used]

    def fits(position):  # group a moves to chip position[b] and group b to position[a]
        cap = room[position]
        return (load[:, None] <= cap[None, :]) & (load[None, :] <= cap[:, None])

    before = _cost(w, d, np.arange(n)) / 2
    position, after = np.arange(n), before
    if n <= MAX_PLACED_CHIPS:
        candidate = _improve(w, d, np.arange(n), fits)
        if _cost(w, d, candidate) / 2 < before:
            position, after = candidate, _cost(w, d, candidate) / 2
    return used[position[mine]], {"chip_hop_traffic": float(after), "in_order": float(before)}


def _cost(w, d, position):
    return float((w * d[np.ix_(position, position)]).sum())


def _greedy(w, d):
    """position[i]: the slot (index into the usable slots) of core or empty place i."""
    n = len(w)
    position = np.full(n, -1)
    free = np.ones(n, bool)
    total = w.sum(1)
    if not total.any():
        return np.arange(n)
    centre = int(np.argmin(d.sum(1)))
    placed = np.zeros(n, bool)
    first = int(np.argmax(total))
    position[first], placed[first], free[centre] = centre, True, False
    link = w[first].copy()  # traffic of each core to the placed ones
    while True:
        candidates = np.flatnonzero(~placed & (total > 0))
        if not len(candidates):
            break
        c = candidates[np.argmax(link[candidates] + 1e-12 * total[candidates])]
        neighbours = np.flatnonzero(placed & (w[c] > 0))
        price = d[:, position[neighbours]] @ w[c, neighbours]
        price[~free] = np.inf
        s = int(np.argmin(price))
        position[c], placed[c], free[s] = s, True, False
        link += w[c]
    rest = np.flatnonzero(~placed)  # silent cores and empty places fill the free slots
    position[rest] = np.flatnonzero(free)
    return position


def _improve(w, d, position, fits=None):
    """Swap the contents of two slots while the best swap lowers the cost. fits(position):
    which swaps are allowed (a boolean matrix), if not all."""
    position = position.copy()
    p = d[np.ix_(position, position)]
    a_mat = w @ p
    n_active = int(np.count_nonzero(w.any(1)))
    for k in range(LOCAL_SWAPS_PER_CORE * n_active):
        a, b, gain = _best_swap(w, p, a_mat, None if fits is None else fits(position))
        if gain <= 1e-9 * max(1.0, float(w.sum())):
            break
        # A = w p after the swap, in O(n^2): with P the swap, p' = P p P, so
        # w p' = ((w P) p) P and w P = w + (w[:, b] - w[:, a]) (e_a - e_b)^T
        a_mat += np.outer(w[:, b] - w[:, a], p[a] - p[b])
        a_mat[:, [a, b]] = a_mat[:, [b, a]]
        position[[a, b]] = position[[b, a]]
        p[[a, b]] = p[[b, a]]
        p[:, [a, b]] = p[:, [b, a]]
        if k % 64 == 63:  # bound the rounding the updates accumulate
            a_mat = w @ p
    return position


def _best_swap(w, p, a_mat, allowed=None):
    """(a, b, cost decrease) of the best swap of places a and b. With p[i, k] the hops
    between the current slots of i and k and A = w p, swapping a and b changes the cost
    by A[a, b] + A[b, a] - A[a, a] - A[b, b] + 2 w[a, b] p[a, b] (times 2: w and p are
    symmetric and the cost sums ordered pairs)."""
    diag = np.diag(a_mat)
    delta = a_mat + a_mat.T - diag[:, None] - diag[None, :] + 2 * w * p
    if allowed is not None:
        delta[~allowed] = np.inf
    k = int(np.argmin(delta))
    a, b = divmod(k, len(w))
    return a, b, -2 * float(delta[a, b])
