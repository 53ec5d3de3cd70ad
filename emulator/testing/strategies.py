"""Hypothesis strategies for networks, parameters and input rasters.

Every strategy covers the full range the hardware allows and weights its draws toward
the extremes (where u wraps, v saturates, weights clip and payloads saturate), because
that is where implementations disagree.
"""
import numpy as np
import scipy.sparse as sp
from hypothesis import strategies as st

from ..network import MAX_DELAY, Network
from ..neurons import LIF


def _edgy(lo, hi, edges=()):
    """Integers in [lo, hi], often at the ends or at the given edges."""
    special = sorted({v for v in (lo, lo + 1, hi - 1, hi, 0, *edges) if lo <= v <= hi})
    return st.one_of(st.sampled_from(special), st.integers(lo, hi))


def _per_neuron(draw, n, values):
    if draw(st.booleans()):
        return draw(values)
    return np.array(draw(st.lists(values, min_size=n, max_size=n)), dtype=np.int64)


@st.composite
def lif_models(draw, n=1, vth=None):
    """An emulator.LIF with parameters over their full ranges (bias per neuron or not)."""
    return LIF(
        du=draw(_edgy(0, 4095, (410, 2048))),
        dv=draw(_edgy(0, 4095, (410, 2048))),
        vth=draw(vth if vth is not None else st.one_of(_edgy(0, 2**17 - 1), st.integers(0, 64))),
        bias_mant=_per_neuron(draw, n, _edgy(-4096, 4095)),
        bias_exp=_per_neuron(draw, n, _edgy(-8, 7)),
    )


@st.composite
def weight_matrices(draw, n_post, n_pre, sparse=None, lo=-300, hi=300):
    """A dense integer array or a scipy.sparse CSR matrix of shape (n_post, n_pre); values
    go beyond the clipping range so that clipping is exercised."""
    sign = draw(st.sampled_from(["mixed", "positive", "negative"]))
    lo2, hi2 = {"mixed": (lo, hi), "positive": (0, hi), "negative": (lo, 0)}[sign]
    values = _edgy(lo2, hi2, (-256, -255, 255, 256, 1, -1, 115, -115))
    w = np.array(draw(st.lists(values, min_size=n_post * n_pre, max_size=n_post * n_pre)),
                 dtype=np.int64).reshape(n_post, n_pre)
    if sparse is None:
        sparse = draw(st.booleans())
    if not sparse:
        return w
    keep = np.array(draw(st.lists(st.booleans(), min_size=w.size, max_size=w.size)),
                    dtype=bool).reshape(w.shape)
    return sp.csr_matrix((w[keep], np.nonzero(keep)), shape=w.shape)


@st.composite
def delay_matrices(draw, weights, max_delay=MAX_DELAY):
    """Delays for `weights` (same shape, or same sparsity pattern for a sparse matrix)."""
    n_post, n_pre = weights.shape
    values = st.one_of(st.integers(0, 4), _edgy(0, max_delay))
    if sp.issparse(weights):
        coo = weights.tocoo()
        d = draw(st.lists(values, min_size=coo.nnz, max_size=coo.nnz))
        return sp.csr_matrix((np.array(d, dtype=np.int64), (coo.row, coo.col)), shape=weights.shape)
    d = draw(st.lists(values, min_size=n_post * n_pre, max_size=n_post * n_pre))
    return np.array(d, dtype=np.int64).reshape(n_post, n_pre)


@st.composite
def rasters(draw, steps, n, graded, density=None):
    """An input raster (steps, n): 0/1 for binary inputs; for graded inputs, payloads
    from small values up to beyond the 24-bit payload range (so saturation is hit)."""
    if density is None:
        density = draw(st.sampled_from([0.1, 0.3, 0.7, 1.0]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    on = rng.random((steps, n)) < density
    if not graded:
        return on.astype(np.int64)
    scale = draw(st.sampled_from([8, 2**8, 2**15, 2**23, 2**25]))
    values = rng.integers(-scale, scale + 1, size=(steps, n))
    return np.where(on, values, 0).astype(np.int64)


@st.composite
def network_cases(draw, max_layers=3, max_n=6, max_steps=30, recurrent=True, delays=True):
    """(net, inputs, steps): a layered LIF network with optional recurrent connections,
    dense and sparse weights, delays, binary and graded inputs and connections, probing
    u, v and spikes of every population."""
    net = Network()
    steps = draw(st.integers(1, max_steps))
    inputs = {}
    n_inputs = draw(st.integers(1, 2))
    sources = []
    for i in range(n_inputs):
        graded = draw(st.booleans())
        n = draw(st.integers(1, max_n))
        inp = net.input(n, name=f"x{i}", graded=graded)
        inputs[inp.name] = draw(rasters(steps, n, graded))
        sources.append(inp)
    n_layers = draw(st.integers(1, max_layers))
    pops = []
    for k in range(n_layers):
        n = draw(st.integers(1, max_n))
        pop = net.population(n, draw(lif_models(n)), name=f"h{k}")
        pre = draw(st.sampled_from(sources + pops[-1:])) if pops else draw(st.sampled_from(sources))
        _connect(draw, net, pre, pop, delays)
        pops.append(pop)
        for var in ("spikes", "u", "v"):
            net.probe(pop, var)
    if recurrent:
        for _ in range(draw(st.integers(0, 2))):
            pre, post = draw(st.sampled_from(pops)), draw(st.sampled_from(pops))
            _connect(draw, net, pre, post, delays)
    return net, inputs, steps


def _connect(draw, net, pre, post, delays):
    w = draw(weight_matrices(post.n, pre.n))
    d = draw(delay_matrices(w)) if delays and draw(st.booleans()) else None
    sign_mode = draw(st.sampled_from([None, None, "mixed", "Excitatory", "INHIBITORY"]))
    net.connect(pre, post, weights=w, delays=d,
                weight_exp=draw(_edgy(-8, 8)),
                num_weight_bits=draw(_edgy(1, 8)),
                sign_mode=sign_mode,
                num_message_bits=draw(st.sampled_from([0, 0, 8, 16, 24])))
