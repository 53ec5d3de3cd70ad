"""EnergyReport.plot: the energy breakdown and a heat map of the traffic over the mesh.

Left: energy per inference by operation (typical, with the low..high range). Right: every
chip in use on its place of the chip grid, its routers coloured by the packets they
passed, and every link that carried packets drawn from router to router, its colour the
packets it carried (chip-to-chip links join the routers their ports attach to).
matplotlib is an optional dependency (the `plot` extra).
"""
import numpy as np

from ..errors import UnsupportedFeatureError
from ..targets.base import LINK_KINDS
from .report import _fmt

#: Grid steps of the on-chip router outputs E, N, W, S.
_OUT = ((1, 0), (0, 1), (-1, 0), (0, -1))
#: Grid steps of the chip directions E, NE, N, W, SW, S.
_CHIP = ((1, 0), (1, 1), (0, 1), (-1, 0), (-1, -1), (0, -1))


def _pyplot():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.collections import LineCollection
    except ImportError:
        raise UnsupportedFeatureError("EnergyReport.plot needs matplotlib: pip install "
                                      "'emulator[plot]'") from None
    return plt, LineCollection


def _router_xy(report, chip, router):
    """Global drawing coordinates of a router: chips side by side with a gap of one."""
    t = report._target
    gx, gy = t.router_grid
    cx, cy = t.chip_position(chip)
    return cx * (gx + 1) + router % gx, cy * (gy + 1) + router // gx


def plot_report(report, path):
    plt, LineCollection = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5),
                                      gridspec_kw={"width_ratios": [1, 1.4]})
    n = report.inferences
    ops = [op for op, e in report.by_operation.items() if e["high"] > 0]
    typical = np.array([report.by_operation[op]["typical"] / n for op in ops])
    low = np.array([report.by_operation[op]["low"] / n for op in ops])
    high = np.array([report.by_operation[op]["high"] / n for op in ops])
    y = np.arange(len(ops))
    left.barh(y, typical, xerr=[typical - low, high - typical], color="tab:blue", ecolor="gray",
              capsize=3)
    left.set_yticks(y, ops)
    left.invert_yaxis()
    left.set_xscale("log" if len(ops) and typical.max() > 100 * typical[typical > 0].min() else "linear")
    left.set_xlabel("joules per inference (typical; bar: low..high)")
    e = report.energy_per_inference
    left.set_title(f"{report.target}: {_fmt(e[1], 'J')} per inference "
                   f"({_fmt(e[0], 'J')}..{_fmt(e[2], 'J')}), latency {_fmt(report.latency[1], 's')}")

    traffic, t = report.traffic, report._target
    routers_per_chip = int(np.prod(t.router_grid))
    chips = sorted({int(c) for c in np.unique(report._locations[:, 0])} |
                   {int(r) // routers_per_chip for r in np.flatnonzero(traffic.router_packets)})
    gx, gy = t.router_grid
    places = [t.chip_position(c) for c in chips]
    width = (max(p[0] for p in places) + 1) * (gx + 1)
    height = (max(p[1] for p in places) + 1) * (gy + 1)
    grid = np.full((height, width), np.nan)
    for chip in chips:
        for r in range(routers_per_chip):
            x, yy = _router_xy(report, chip, r)
            grid[yy, x] = traffic.router_packets[chip * routers_per_chip + r]
    image = right.imshow(grid, origin="lower", cmap="Greys", interpolation="nearest")
    fig.colorbar(image, ax=right, fraction=0.04, pad=0.02, label="packets per router")
    for chip in chips:  # outline each chip
        x, yy = _router_xy(report, chip, 0)
        right.add_patch(plt.Rectangle((x - 0.5, yy - 0.5), gx, gy, fill=False, lw=1, ec="tab:blue"))
        right.text(x - 0.4, yy + gy - 0.45, f"chip {chip}", fontsize=7, color="tab:blue", va="top")
    segments, loads = [], []
    for link in np.flatnonzero(traffic.link_packets):
        chip, router, out, kind = (int(v) for v in traffic.links[link])
        x0, y0 = _router_xy(report, chip, router)
        if LINK_KINDS[kind] == "chip":
            dx, dy = _CHIP[out]
            pos = t.chip_position(chip)
            other = t.chip_at((pos[0] + dx, pos[1] + dy))
            if other is None:
                continue
            x1, y1 = _router_xy(report, other, t.port_router((out + 3) % 6))
        else:
            x1, y1 = x0 + _OUT[out][0], y0 + _OUT[out][1]
        # each direction slightly to its right, so that both directions of a link show
        nx, ny = (y1 - y0), -(x1 - x0)
        norm = max(np.hypot(nx, ny), 1e-9)
        off = 0.12 * np.array([nx, ny]) / norm
        segments.append([(x0 + off[0], y0 + off[1]), (x1 + off[0], y1 + off[1])])
        loads.append(traffic.link_packets[link])
    if segments:
        lines = LineCollection(segments, cmap="inferno_r", linewidths=2.5)
        lines.set_array(np.array(loads, dtype=float))
        right.add_collection(lines)
        fig.colorbar(lines, ax=right, orientation="horizontal", fraction=0.05, pad=0.04,
                     label="packets per link")
    right.set_title(f"traffic over {traffic.steps} steps: {traffic.total['packets']} packets, "
                    f"{traffic.total['inter_chip']} deliveries across chips")
    right.set_xticks([])
    right.set_yticks([])
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

