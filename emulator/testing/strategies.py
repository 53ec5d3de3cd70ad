"""Hypothesis strategies for networks, parameters and input rasters.

Every strategy covers the full range the hardware allows and weights its draws toward
the extremes (where u wraps, v saturates, weights clip and payloads saturate), because
that is where implementations disagree.
"""
import numpy as np
import scipy.sparse as sp
from hypothesis import strategies as st

from ..errors import UnsupportedFeatureError
from ..learning import MAX_T_EPOCH, MODULATED_TAU, LearningRule
from ..network import MAX_DELAY, WEIGHT_RANGE, Network
from ..neurons import LIF, MAX_STATE_EXP, STATE_MAX, Delta, ResonateFire, Sigma, SigmaDelta


def _edgy(lo, hi, edges=()):
    """Integers in [lo, hi], often at the ends or at the given edges."""
    special = sorted({v for v in (lo, lo + 1, hi - 1, hi, 0, *edges) if lo <= v <= hi})
    return st.one_of(st.sampled_from(special), st.integers(lo, hi))


def _per_neuron(draw, n, values):
    """One value for all, or (when n is given) sometimes one per neuron."""
    if n is None or draw(st.booleans()):
        return draw(values)
    return np.array(draw(st.lists(values, min_size=n, max_size=n)))


@st.composite
def lif_models(draw, n=None, vth=None):
    """An emulator.LIF with parameters over their full ranges; with n (the population's
    size) the bias is sometimes per neuron, without it one value for all."""
    return LIF(
        du=draw(_edgy(0, 4095, (410, 2048))),
        dv=draw(_edgy(0, 4095, (410, 2048))),
        vth=draw(vth if vth is not None else st.one_of(_edgy(0, 2**17 - 1), st.integers(0, 64))),
        bias_mant=_per_neuron(draw, n, _edgy(-4096, 4095)),
        bias_exp=_per_neuron(draw, n, _edgy(-8, 7)),
    )


def _exponent(draw):
    return draw(st.one_of(st.integers(0, 3), _edgy(0, MAX_STATE_EXP)))


def _unscaled(draw, exp, n=None, signed=False, fractional=True):
    """A value given unscaled (vth, bias) whose value * 2**exp fits the state width,
    often at that limit; a length-n array when n is given."""
    limit = STATE_MAX // 2**exp
    lo = -limit if signed else 0
    ints = _edgy(lo, limit, (1, -1))
    # fractions that stay exact at this scale: multiples of 2**-exp
    fracs = st.integers(lo * 2**exp, limit * 2**exp).map(lambda k: k / 2**exp)
    values = st.one_of(ints, fracs) if fractional and exp else ints
    if n is None:
        return draw(values)
    return _per_neuron(draw, n, values)


@st.composite
def sigma_delta_models(draw, n=None):
    """An emulator.SigmaDelta over its full ranges: exponents 0..16, vth and bias up to
    the state width once scaled (bias per neuron or not), every option."""
    spike_exp, state_exp = _exponent(draw), _exponent(draw)
    if spike_exp + state_exp > MAX_STATE_EXP + 7:  # keep some room for vth and bias
        spike_exp = 0
    exp = spike_exp + state_exp
    return SigmaDelta(vth=_unscaled(draw, exp), bias=_unscaled(draw, exp, n, signed=True),
                      act_mode=draw(st.sampled_from(["relu", "unit", "UNIT"])),
                      cum_error=draw(st.booleans()), spike_exp=spike_exp, state_exp=state_exp,
                      corrected=draw(st.booleans()))


@st.composite
def delta_models(draw):
    """An emulator.Delta (sigma-delta encoder) over its full ranges."""
    spike_exp, state_exp = _exponent(draw), _exponent(draw)
    return Delta(vth=_unscaled(draw, spike_exp + state_exp), cum_error=draw(st.booleans()),
                 spike_exp=spike_exp, state_exp=state_exp, corrected=draw(st.booleans()))


@st.composite
def resonator_models(draw, n=None):
    """An emulator.ResonateFire over its full ranges: period from 2 up (per neuron or
    not), alpha in [0, 1] with its ends, vth up to the state width once scaled, decay_bits
    1..30, state_exp 0..16, both variants."""
    state_exp = _exponent(draw)
    periods = st.one_of(st.sampled_from([2.0, 2.5, 3.0, 4.0, 1e6]),
                        st.floats(2.0, 200.0, allow_nan=False))
    alphas = st.one_of(st.sampled_from([0.0, 1.0, 0.5]), st.floats(0.0, 1.0, allow_nan=False))
    return ResonateFire(period=_per_neuron(draw, n, periods), alpha=_per_neuron(draw, n, alphas),
                        vth=_unscaled(draw, state_exp, n),
                        decay_bits=draw(st.one_of(st.just(12), _edgy(1, 30))),
                        state_exp=state_exp, variant=draw(st.sampled_from(["rf", "iz"])))


#: Neuron model strategies by name, for network_cases(models=...).
MODEL_STRATEGIES = {
    "lif": lambda n: lif_models(n),
    "sigma_delta": lambda n: sigma_delta_models(n),
    "delta": lambda n: delta_models(),
    "sigma": lambda n: st.just(Sigma()),
    "rf": lambda n: resonator_models(n),
}


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
    values = st.one_of(st.integers(0, min(4, max_delay)), _edgy(0, max_delay))
    if sp.issparse(weights):
        coo = weights.tocoo()
        d = draw(st.lists(values, min_size=coo.nnz, max_size=coo.nnz))
        return sp.csr_matrix((np.array(d, dtype=np.int64), (coo.row, coo.col)), shape=weights.shape)
    d = draw(st.lists(values, min_size=n_post * n_pre, max_size=n_post * n_pre))
    return np.array(d, dtype=np.int64).reshape(n_post, n_pre)


@st.composite
def rasters(draw, steps, n, graded, density=None, payload_bits=None):
    """An input raster (steps, n): 0/1 for binary inputs; for graded inputs, payloads
    from small values up to beyond the 24-bit payload range (so saturation is hit), or,
    with payload_bits, within that signed width (what a target's inputs may carry)."""
    if density is None:
        density = draw(st.sampled_from([0.1, 0.3, 0.7, 1.0]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    on = rng.random((steps, n)) < density
    if not graded:
        return on.astype(np.int64)
    scales = [8, 2**8, 2**15, 2**23, 2**25]
    if payload_bits is not None:
        scales = [v for v in scales if v < 2**(payload_bits - 1)] + [2**(payload_bits - 1) - 1]
    scale = draw(st.sampled_from(scales))
    values = rng.integers(-scale, scale + 1, size=(steps, n))
    return np.where(on, values, 0).astype(np.int64)


@st.composite
def neuron_models(draw, kind, n=1, target=None):
    """A model of `kind` (a name of MODEL_STRATEGIES) for n neurons over its full
    parameter ranges; with a target, only a kind the target runs."""
    if target is not None and kind not in target.neuron_models:
        raise UnsupportedFeatureError(f"neuron_models: target {target.name} has no model "
                                      f"{kind!r}; it runs {target.neuron_models}")
    return draw(MODEL_STRATEGIES[kind](n))


@st.composite
def connections(draw, n_post, n_pre, target=None, delays=True, ports=("input",)):
    """Keyword arguments of Network.connect for an (n_post, n_pre) connection: dense or
    sparse weights beyond the clipping range, delays, weight exponent, weight bits, sign
    mode, message bits and port; with a target, within its weight bits and delays, and
    binary unless it has graded spikes."""
    weight_bits = target.weight_bits if target is not None else 8
    max_delay = min(MAX_DELAY, target.max_delay) if target is not None else MAX_DELAY
    graded = target.graded_spikes if target is not None else True
    w = draw(weight_matrices(n_post, n_pre))
    return dict(weights=w,
                delays=draw(delay_matrices(w, max_delay)) if delays and draw(st.booleans()) else None,
                weight_exp=draw(_edgy(-8, 8)),
                num_weight_bits=draw(_edgy(1, weight_bits)),
                sign_mode=draw(st.sampled_from([None, None, "mixed", "Excitatory", "INHIBITORY"])),
                num_message_bits=draw(st.sampled_from([0, 0, 8, 16, 24] if graded else [0])),
                port=draw(st.sampled_from(list(ports))))


@st.composite
def network_cases(draw, max_layers=3, max_n=6, max_steps=30, recurrent=True, delays=True,
                  models=None, target=None):
    """(net, inputs, steps): a layered network of the given neuron models (names of
    MODEL_STRATEGIES; default LIF only, or with a target every model it runs) with
    optional recurrent connections, dense and sparse weights, delays, binary and graded
    inputs and connections, every input port of every model fed, probing the spikes and
    every state variable of every population. With a target, everything stays within
    its limits: its models, weight bits, delays, and graded spikes (with payloads within
    its payload width) only if it has them."""
    if models is None:
        models = ("lif",) if target is None else \
            tuple(m for m in MODEL_STRATEGIES if m in target.neuron_models)
    graded_ok = target is None or target.graded_spikes
    payload_bits = target.payload_bits if target is not None else None
    net = Network()
    steps = draw(st.integers(1, max_steps))
    inputs = {}
    n_inputs = draw(st.integers(1, 2))
    sources = []
    for i in range(n_inputs):
        graded = graded_ok and draw(st.booleans())
        n = draw(st.integers(1, max_n))
        inp = net.input(n, name=f"x{i}", graded=graded)
        inputs[inp.name] = draw(rasters(steps, n, graded, payload_bits=payload_bits))
        sources.append(inp)
    n_layers = draw(st.integers(1, max_layers))
    pops = []
    for k in range(n_layers):
        n = draw(st.integers(1, max_n))
        kind = draw(st.sampled_from(list(models)))
        pop = net.population(n, draw(neuron_models(kind, n, target)), name=f"h{k}")
        for port in pop.model.ports:
            pre = draw(st.sampled_from(sources + pops[-1:])) if pops else draw(st.sampled_from(sources))
            net.connect(pre, pop, **draw(connections(pop.n, pre.n, target, delays, (port,))))
        pops.append(pop)
        for var in ("spikes",) + pop.model.state_vars:
            net.probe(pop, var)
    if recurrent:
        for _ in range(draw(st.integers(0, 2))):
            pre, post = draw(st.sampled_from(pops)), draw(st.sampled_from(pops))
            net.connect(pre, post, **draw(connections(post.n, pre.n, target, delays,
                                                      post.model.ports)))
    return net, inputs, steps


# -- learning ---------------------------------------------------------------------------

_FACTOR_VARS = ("x1", "x2", "y1", "y2", "y3", "w", "d", "t")


@st.composite
def _factor(draw):
    kind = draw(st.sampled_from(["plain", "plain", "bit", "offset", "sgn"]))
    if kind == "bit":
        return draw(st.sampled_from(["x0", "y0"]))
    const = draw(st.one_of(st.integers(-5, 5), _edgy(-2**15, 2**15)))
    sign = "-" if const < 0 else "+"
    if kind == "offset":
        return f"({draw(st.sampled_from(_FACTOR_VARS))} {sign} {abs(const)})"
    if kind == "sgn":
        var = draw(st.sampled_from(["w", "d", "t"]))
        return f"sgn({var})" if const == 0 else f"sgn({var}{sign}{abs(const)})"
    return draw(st.sampled_from(_FACTOR_VARS))


@st.composite
def _product(draw, k):
    """One product: a dependency, a constant m * 2^e written in one of the allowed forms
    (maybe split over two factors), up to four factors, in any order."""
    dep = draw(st.sampled_from(["x0", "y0", f"u{k}"]))
    m = draw(st.one_of(st.sampled_from([1, 1, -1, 7, -8]), st.integers(-8, 7)))
    e = draw(_edgy(-7, 8))
    forms = [f"{abs(m)}*2^{e}", f"2^{e}" if abs(m) == 1 else f"{abs(m)}*2^{e}"]
    if e == 0:
        forms.append(str(abs(m)))
    if abs(m) % 2 == 0 and m and e > -7:
        forms.append(f"{abs(m) // 2}*2^{e + 1}*2^-1" if e + 1 <= 8 else f"{abs(m)}*2^{e}")
    terms = [draw(st.sampled_from(forms)), dep] + draw(st.lists(_factor(), max_size=4))
    # the dependency must come before any x0 / y0 factor, or that one becomes it
    rest = terms[2:]
    order = draw(st.permutations(list(range(len(rest)))))
    pieces = [terms[0], terms[1]] + [rest[i] for i in order]
    if draw(st.booleans()):  # the constant may stand anywhere but still fold the same
        pieces = pieces[1:2] + pieces[:1] + pieces[2:]
    return ("-" if m < 0 else "+"), "*".join(pieces)


@st.composite
def rule_strings(draw, k=None, max_products=4):
    """A valid learning rule string (spec section 7): 1..max_products products over
    every kind of term, constants at the ends of their range, whitespace anywhere legal."""
    if k is None:
        k = draw(st.integers(0, 3))
    products = draw(st.lists(_product(k), min_size=1, max_size=max_products))
    text = ""
    for i, (sign, product) in enumerate(products):
        if i == 0:
            text = product if sign == "+" else f"-{product}"
        else:
            text += f" {sign} {product}"
    return text


def _impulses():
    return st.one_of(st.sampled_from([0.0, 0.4, 0.5, 1.0, 3.3, 12.75, 64.0, 127.0, 126.999]),
                     st.integers(0, 127 * 256).map(lambda k: k / 256),
                     st.floats(0.0, 127.0, allow_nan=False))


def _taus():
    return st.one_of(st.sampled_from([0.0, 0.0, 1.0, 2.0, 4.0, 25.0, float(MODULATED_TAU)]),
                     st.floats(0.5, 200.0, allow_nan=False))


@st.composite
def learning_rules(draw, max_t_epoch=8):
    """An emulator.LearningRule: dw always, dt and dd often, every trace's impulse and tau
    over their ranges (integer, fractional, 0.5 exactly, 0 and 127), t_epoch
    1..max_t_epoch, any seeds."""
    k = draw(st.integers(0, 3))
    rules = {"dw": draw(rule_strings(k))}
    for name in ("dt", "dd"):
        if draw(st.booleans()):
            rules[name] = draw(rule_strings(k, max_products=3))
    traces = {}
    for trace in ("x1", "x2", "y1", "y2", "y3"):
        traces[f"{trace}_impulse"] = draw(_impulses())
        traces[f"{trace}_tau"] = draw(_taus())
    return LearningRule(**rules, **traces, t_epoch=draw(st.integers(1, min(max_t_epoch, MAX_T_EPOCH))),
                        seed=draw(_edgy(0, 2**32)), synapse_seed=draw(st.integers(0, 2**32)))


@st.composite
def plastic_network_cases(draw, max_n=6, max_steps=40, modulation=True,
                          models=("lif", "lif", "sigma_delta")):
    """(net, inputs, steps): an input (binary or graded) feeding a population through a
    plastic connection (dense or sparse, any sign mode, weights anywhere in their range,
    binary or graded, with or without delays), often a second plastic layer and a
    recurrent plastic connection, sometimes a reward input modulating y2 or y3. LIF
    populations get low thresholds so that they spike; sigma-delta ones send graded
    spikes. Probes every population variable and every variable of every plastic
    connection."""
    net = Network()
    steps = draw(st.integers(1, max_steps))
    n_in = draw(st.integers(1, max_n))
    graded = draw(st.booleans())
    x = net.input(n_in, name="x", graded=graded)
    inputs = {"x": draw(rasters(steps, n_in, graded))}
    low_vth = st.one_of(st.integers(0, 64), _edgy(0, 2**17 - 1))
    pops = []
    for k in range(draw(st.integers(1, 2))):
        n = draw(st.integers(1, max_n))
        kind = draw(st.sampled_from(list(models)))
        model = draw(lif_models(n, vth=low_vth) if kind == "lif" else MODEL_STRATEGIES[kind](n))
        pop = net.population(n, model, name=f"h{k}")
        for var in ("spikes",) + pop.model.state_vars:
            net.probe(pop, var)
        pre = pops[-1] if pops else x
        pops.append(pop)
        _connect_plastic(draw, net, pre, pop, f"w{k}", steps, inputs, modulation)
    if draw(st.booleans()):
        pop = draw(st.sampled_from(pops))
        _connect_plastic(draw, net, pop, pop, "rec", steps, inputs, modulation)
    return net, inputs, steps


def _connect_plastic(draw, net, pre, post, name, steps, inputs, modulation):
    mode = draw(st.sampled_from(["mixed", "excitatory", "inhibitory"]))
    lo, hi = WEIGHT_RANGE[mode]
    w = draw(weight_matrices(post.n, pre.n, lo=lo, hi=hi))
    delays = draw(delay_matrices(w, max_delay=6)) if draw(st.booleans()) else None
    conn = net.connect(pre, post, weights=w, delays=delays, sign_mode=mode,
                       rule=draw(learning_rules()), weight_exp=draw(_edgy(-8, 8)),
                       num_weight_bits=draw(_edgy(1, 8)),
                       num_message_bits=draw(st.sampled_from([0, 0, 8])), name=name)
    if modulation and draw(st.booleans()):
        n = draw(st.sampled_from([1, post.n]))
        reward = net.input(n, name=f"{name}_reward", graded=True)
        inputs[reward.name] = draw(rasters(steps, n, True))
        net.modulate(reward, conn, trace=draw(st.sampled_from(["y2", "y3"])))
    for var in ("weights", "tags", "delay_fields", "x1", "x2", "y1", "y2", "y3"):
        net.probe(conn, var)
    return conn
