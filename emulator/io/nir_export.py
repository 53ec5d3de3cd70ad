"""to_nir: a Network as a NIR graph.

- each Input becomes an Input node of shape (n,) (binary inputs only: NIR carries what a
  graded payload means no better than a real value, and from_nir reads binary inputs);
- each FloatLIF population becomes the NIR neuron node its parameters call for (the
  table in emulator/io/nir_neurons.py, read backwards, with input gains of 1); an integer
  LIF population becomes its float equivalent first (u, v in integer units: decays
  (4095 - du) / 4096 and (4096 - dv) / 4096, threshold vth * 64, bias bias_mant *
  2**bias_exp, weights as the target stores them times 2**weight_exp * 64), which leaves
  out only the rounding inside the integer dynamics;
- each connection becomes a Linear node (an Affine node where it carries the bias of an
  IF or I population), one per distinct delay, each followed by a Delay node
  of delay * dt seconds when the delay is not 0;
- an Output node follows every population probed for what NIR outputs ("spikes" of a
  spiking population, "v" of one that never spikes) and every population that feeds
  nothing; other probes have no NIR counterpart and are not written.

Other neuron models, plastic connections and graded spikes raise UnsupportedFeatureError.
A population with no incoming connection is a root of the graph, before which nir's type
inference inserts an Input node of its own.
"""
import math
import warnings

import numpy as np

from ..errors import ParameterRangeError, UnsupportedFeatureError
from ..network import Network
from ..quantize import prepare_weights
from .nir_neurons import check_discretization, check_step, float_parameters, nir_node
from .nir_package import require_nir


def _unique(name, taken):
    k, out = 0, name
    while out in taken:
        k += 1
        out = f"{name}_{k}"
    taken.add(out)
    return out


def _weights(conn, input_scale):
    """The connection's dense (n_post, n_pre) weights in the post's u units, and its
    delays as a dense matrix (entries without a synapse are -1)."""
    w = prepare_weights(conn.weights, conn.sign_mode, conn.num_weight_bits) * \
        2.0 ** conn.weight_exp if conn.quantized else conn.weights
    w = w * input_scale
    shape = (conn.post.n, conn.pre.n)
    dense, delays = np.zeros(shape), np.full(shape, -1, np.int64)
    np.add.at(dense, (conn.post_index, conn.pre_index), w)
    delays[conn.post_index, conn.pre_index] = conn.delays
    return dense, delays


def to_nir(network, path=None, dt=1e-3, discretization="exact"):
    """The nir.NIRGraph of `network` (written to `path` with nir.write when given). dt:
    the step length in seconds the network's time constants and biases assume;
    discretization as in from_nir, so that from_nir(to_nir(net, dt=dt), dt=dt) gives
    the same populations and weights back."""
    if not isinstance(network, Network):
        raise ParameterRangeError(f"to_nir: network={network!r} is not an emulator.Network")
    nir = require_nir()
    dt = check_step("to_nir", dt)
    check_discretization("to_nir", discretization)
    nodes, edges = {}, []
    taken = {o.name for o in (*network.inputs, *network.populations)}
    for inp in network.inputs:
        if inp.graded:
            raise UnsupportedFeatureError(f"input {inp.name!r} is graded; to_nir writes "
                                          "binary inputs only")
        nodes[inp.name] = nir.Input(input_type=np.array([inp.n]))
    scales, bias_inputs, spiking = {}, {}, {}
    for pop in network.populations:
        tau_syn, tau_mem, threshold, bias, scales[pop.name] = float_parameters(pop, dt)
        nodes[pop.name], bias_inputs[pop.name] = nir_node(
            nir, f"population {pop.name!r}", tau_syn, tau_mem, threshold, bias, dt,
            discretization)
        spiking[pop.name] = math.isfinite(threshold)
    for conn in network.connections:
        owner = f"connection {conn.name!r}"
        if conn.plastic:
            raise UnsupportedFeatureError(f"{owner} is plastic; NIR has no learning rules")
        if conn.graded:
            raise UnsupportedFeatureError(f"{owner} is graded (num_message_bits="
                                          f"{conn.num_message_bits}); to_nir writes binary "
                                          "connections only")
        weights, delays = _weights(conn, scales[conn.post.name])
        values = np.unique(delays[delays >= 0])
        for d in values:
            name = _unique(conn.name if len(values) == 1 else f"{conn.name}@{d}", taken)
            w = np.where(delays == d, weights, 0.0)
            bias = bias_inputs.pop(conn.post.name, None)
            nodes[name] = nir.Linear(weight=w) if bias is None else \
                nir.Affine(weight=w, bias=bias)
            edges.append((conn.pre.name, name))
            if d:
                delay = _unique(f"{name}+delay", taken)
                nodes[delay] = nir.Delay(delay=np.full(conn.post.n, d * dt))
                edges.append((name, delay))
                name = delay
            edges.append((name, conn.post.name))
    left = [name for name, bias in bias_inputs.items() if bias is not None]
    if left:
        raise UnsupportedFeatureError(
            f"populations {left} have a bias but no incoming connection to carry it: their "
            "NIR nodes (IF, I) have no bias of their own")
    feeding = {c.pre.name for c in network.connections}
    dropped = [p for p in network.probes if p != (p[0], "spikes" if spiking[p[0]] else "v")]
    if dropped:  # NIR's Output carries one signal per node
        warnings.warn(f"to_nir: probes {dropped} have no NIR Output and are not written",
                      stacklevel=2)
    for pop in network.populations:
        wanted = (pop.name, "spikes" if spiking[pop.name] else "v")
        if wanted in network.probes or pop.name not in feeding:
            out = _unique(f"{pop.name}_out", taken)
            nodes[out] = nir.Output(output_type=np.array([pop.n]))
            edges.append((pop.name, out))
    graph = nir.NIRGraph(nodes=nodes, edges=edges, type_check=True)
    if path is not None:
        nir.write(path, graph)
    return graph
