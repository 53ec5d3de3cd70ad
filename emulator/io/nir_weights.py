"""NIR's weight nodes as sparse matrices on flattened vectors.

Every node between neurons (Affine, Linear, Scale, Conv1d, Conv2d, SumPool2d, AvgPool2d,
Flatten, Delay) is linear, plus a constant, on its input flattened in C order: `weight_op`
returns its matrix (n_out, n_in), its constant output (the bias), the delay of each
output element in steps (Delay only) and its output shape. Convolutions and pools are
unrolled into the matrix as nir defines them (PyTorch's convention: weight (C_out,
C_in / groups, *kernel), output (n + pad_lo + pad_hi - dilation (k - 1) - 1) // stride
+ 1, "same" padding with stride 1 putting the odd element of padding at the end; zero
padding); AvgPool2d divides by the kernel's area, padding included (PyTorch's default
count_include_pad=True). Every size computed from a node's parameters is bounded before
anything of that size is allocated: `limit` weights per matrix (ResourceLimitError).
"""
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import (ParameterRangeError, ResourceLimitError, ShapeError,
                      UnsupportedFeatureError)
from ..network import MAX_DELAY
from .nir_package import describe, node_array

WEIGHT_TYPES = ("Affine", "Linear", "Scale", "Conv1d", "Conv2d", "SumPool2d", "AvgPool2d",
                "Flatten", "Delay")
#: Tolerance on a delay's number of steps: float noise, not a fraction of a step.
DELAY_TOLERANCE = 1e-6
#: Bytes a stored weight takes in a large sparse matrix: a float64 and an int64 index.
ENTRY_BYTES = 16


@dataclass(frozen=True)
class WeightOp:
    """y = matrix @ x + bias, each element of y delayed by `delays` steps (None: 0)."""
    matrix: sp.csr_matrix
    bias: np.ndarray
    delays: object
    out_shape: tuple


def _size(shape):
    return math.prod(shape)


def check_entries(owner, what, count, limit):
    """ResourceLimitError unless a matrix of up to `count` weights fits `limit`."""
    if count > limit:
        raise ResourceLimitError(f"{owner}: {what} would hold up to {count:,} weights "
                                 f"({count * ENTRY_BYTES:,} bytes), more than the {limit:,} "
                                 "from_nir builds in one matrix")


def _per_dim(owner, key, value, ndim, low):
    """An int or one int per spatial dimension, each >= low."""
    expected = "an integer" + (f" or {ndim} integers" if ndim > 1 else "")
    try:
        arr = np.asarray(value)
        numbers = arr.dtype.kind in "iuf" and arr.ndim <= 1 and arr.size in (1, ndim)
    except (TypeError, ValueError, OverflowError):  # ragged, or not convertible at all
        numbers = False
    if not numbers:
        raise ParameterRangeError(f"{owner}: parameter {key}={describe(value)} must be "
                                  f"{expected}")
    arr = np.broadcast_to(arr.ravel(), (ndim,))
    if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
        raise ParameterRangeError(f"{owner}: parameter {key}={describe(value)} must be "
                                  f"{expected}")
    if np.any(arr < low):
        raise ParameterRangeError(f"{owner}: parameter {key}={describe(value)} must be "
                                  f">= {low}")
    return [int(v) for v in arr]


def _padding(owner, value, kernel, stride, dilation):
    """(low, high) zero padding per spatial dimension."""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise ParameterRangeError(f"{owner}: parameter padding={describe(value)} is not "
                                      "UTF-8 text") from None
    if isinstance(value, str):
        if value == "valid":
            return [(0, 0)] * len(kernel)
        if value != "same":
            raise ParameterRangeError(f"{owner}: parameter padding={describe(value)}; expected "
                                      "'same', 'valid' or integers")
        if any(s != 1 for s in stride):
            raise UnsupportedFeatureError(f"{owner}: padding='same' with stride {stride}; "
                                          "nir (as PyTorch) defines it for stride 1 only")
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return [(t // 2, t - t // 2) for t in total]
    return [(p, p) for p in _per_dim(owner, "padding", value, len(kernel), 0)]


def conv_matrix(owner, weight, in_shape, stride, padding, dilation, groups, limit):
    """(matrix, output shape) of a convolution of `weight` (C_out, C_in / groups, *kernel)
    over an input of shape (C_in, *spatial); padding as (low, high) per dimension; at
    most `limit` weights."""
    c_out, c_in_group = weight.shape[:2]
    kernel = weight.shape[2:]
    if len(in_shape) != 1 + len(kernel):
        raise ShapeError(f"{owner}: input shape {tuple(in_shape)} does not match a "
                         f"{len(kernel)}-d kernel: expected (channels, {len(kernel)} sizes)")
    c_in, spatial = in_shape[0], in_shape[1:]
    if groups < 1 or c_in % groups or c_out % groups or c_in // groups != c_in_group:
        raise ShapeError(f"{owner}: weight shape {weight.shape} with groups={groups} does not "
                         f"fit {c_in} input channels (expected C_in / groups = "
                         f"{c_in // max(groups, 1)} weight channels, groups dividing C_out)")
    out_spatial = tuple((n + lo + hi - d * (k - 1) - 1) // s + 1 for n, (lo, hi), d, k, s
                        in zip(spatial, padding, dilation, kernel, stride))
    if any(o < 1 for o in out_spatial):
        raise ShapeError(f"{owner}: kernel {kernel} (dilation {dilation}) is larger than the "
                         f"padded input {spatial}: no output")
    out_shape = (c_out, *out_spatial)
    check_entries(owner, "its unrolled matrix", _size(out_shape) * c_in_group * _size(kernel),
                  limit)
    grid = np.indices(out_shape).reshape(len(out_shape), -1)
    co, pos = grid[0], grid[1:]
    rows_all = np.arange(grid.shape[1])
    rows, cols, vals = [], [], []
    for ci_local in range(c_in_group):
        ci = (co // (c_out // groups)) * c_in_group + ci_local
        for k in np.ndindex(*kernel):
            idx = [pos[i] * stride[i] - padding[i][0] + k[i] * dilation[i]
                   for i in range(len(kernel))]
            ok = np.ones(len(co), bool)
            for i, n in enumerate(spatial):
                ok &= (idx[i] >= 0) & (idx[i] < n)
            rows.append(rows_all[ok])
            cols.append(np.ravel_multi_index((ci[ok], *(j[ok] for j in idx)), (c_in, *spatial)))
            vals.append(weight[(co[ok], ci_local, *k)])
    matrix = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                           shape=(_size(out_shape), _size(in_shape)))
    matrix.eliminate_zeros()
    return matrix, out_shape


def _conv(owner, node, in_shape, ndim, limit):
    weight = node_array(owner, node, "weight")
    if weight.ndim != 2 + ndim or not weight.size:
        raise ShapeError(f"{owner}: weight has shape {weight.shape}; expected (C_out, "
                         f"C_in / groups, {ndim} kernel sizes), none of them 0")
    kernel = weight.shape[2:]
    stride = _per_dim(owner, "stride", getattr(node, "stride", None), ndim, 1)
    dilation = _per_dim(owner, "dilation", getattr(node, "dilation", None), ndim, 1)
    padding = _padding(owner, getattr(node, "padding", None), kernel, stride, dilation)
    (groups,) = _per_dim(owner, "groups", getattr(node, "groups", None), 1, 1)
    matrix, out_shape = conv_matrix(owner, weight, in_shape, stride, padding, dilation,
                                    groups, limit)
    bias = node_array(owner, node, "bias")
    try:
        bias = np.broadcast_to(bias, (weight.shape[0],))
    except ValueError:
        raise ShapeError(f"{owner}: bias has shape {bias.shape}; expected ({weight.shape[0]},) "
                         "(one per output channel)") from None
    return matrix, np.repeat(bias, _size(out_shape[1:])), out_shape


def _pool(owner, node, in_shape, average, limit):
    if len(in_shape) != 3:
        raise ShapeError(f"{owner}: input shape {tuple(in_shape)}; a 2-d pool needs "
                         "(channels, height, width)")
    kernel = _per_dim(owner, "kernel_size", getattr(node, "kernel_size", None), 2, 1)
    stride = _per_dim(owner, "stride", getattr(node, "stride", None), 2, 1)
    padding = _padding(owner, getattr(node, "padding", None), kernel, stride, (1, 1))
    c = in_shape[0]
    check_entries(owner, "its kernel", c * _size(kernel), limit)
    weight = np.full((c, 1, *kernel), 1.0 / (kernel[0] * kernel[1]) if average else 1.0)
    matrix, out_shape = conv_matrix(owner, weight, in_shape, stride, padding, (1, 1), c,
                                    limit)
    return matrix, np.zeros(_size(out_shape)), out_shape


def _dense(owner, node, in_shape, with_bias):
    weight = node_array(owner, node, "weight")
    if weight.ndim != 2:
        raise UnsupportedFeatureError(f"{owner}: weight of shape {weight.shape}; only 2-d "
                                      "(n_out, n_in) weights are supported")
    if weight.shape[1] != _size(in_shape):
        raise ShapeError(f"{owner}: weight has shape {weight.shape}, but its input has "
                         f"{_size(in_shape)} elements (shape {tuple(in_shape)})")
    bias = np.zeros(weight.shape[0])
    if with_bias:
        given = node_array(owner, node, "bias")
        try:
            bias = np.broadcast_to(given, bias.shape).astype(np.float64)
        except ValueError:
            raise ShapeError(f"{owner}: bias has shape {given.shape}; expected "
                             f"({weight.shape[0]},)") from None
    return sp.csr_matrix(weight), bias, (weight.shape[0],)


def _elementwise(owner, node, key, in_shape):
    values = node_array(owner, node, key)
    if values.size != _size(in_shape):
        raise ShapeError(f"{owner}: parameter {key} has {values.size} elements (shape "
                         f"{values.shape}), but its input has {_size(in_shape)} (shape "
                         f"{tuple(in_shape)})")
    return values.ravel()


def _delays(owner, node, in_shape, dt):
    """Each element's delay in steps, as whole floats (a huge one stays exact enough for
    the check against the hardware's maximum that follows)."""
    seconds = _elementwise(owner, node, "delay", in_shape)
    with np.errstate(over="ignore"):
        steps = seconds / dt
    if not np.all(np.isfinite(steps)):
        bad = float(seconds[~np.isfinite(steps)][0])
        raise ParameterRangeError(f"{owner}: parameter delay={bad!r} s is more steps of "
                                  f"dt={dt!r} than a float64 holds")
    whole = np.round(steps)
    if np.any(seconds < 0) or np.any(np.abs(steps - whole) > DELAY_TOLERANCE):
        bad = float(seconds[(seconds < 0) | (np.abs(steps - whole) > DELAY_TOLERANCE)][0])
        raise ParameterRangeError(f"{owner}: parameter delay={bad!r} s is {bad / dt:.6g} steps "
                                  f"of dt={dt!r}; a delay must be a whole number of steps "
                                  ">= 0: choose a dt that divides it")
    distinct = np.unique(whole)
    if len(distinct) > MAX_DELAY + 1:  # each distinct delay is composed apart
        raise ParameterRangeError(
            f"{owner}: parameter delay holds {len(distinct)} different delays (up to "
            f"{distinct[-1]:.6g} steps); no path may be delayed by more than {MAX_DELAY} "
            f"steps, so at most {MAX_DELAY + 1} can differ")
    return whole


def weight_op(owner, kind, node, in_shape, dt, limit):
    """The WeightOp of weight node `node` of type `kind` on an input of shape `in_shape`,
    its matrix holding at most `limit` weights."""
    n = _size(in_shape)
    delays = None
    if kind in ("Affine", "Linear"):
        matrix, bias, out_shape = _dense(owner, node, in_shape, kind == "Affine")
    elif kind in ("Conv1d", "Conv2d"):
        matrix, bias, out_shape = _conv(owner, node, in_shape, 1 if kind == "Conv1d" else 2,
                                        limit)
    elif kind in ("SumPool2d", "AvgPool2d"):
        matrix, bias, out_shape = _pool(owner, node, in_shape, kind == "AvgPool2d", limit)
    elif kind == "Scale":
        matrix = sp.diags(_elementwise(owner, node, "scale", in_shape), format="csr")
        bias, out_shape = np.zeros(n), tuple(in_shape)
    elif kind == "Delay":
        delays = _delays(owner, node, in_shape, dt)
        matrix, bias, out_shape = sp.identity(n, format="csr"), np.zeros(n), tuple(in_shape)
    else:  # Flatten: C order is kept, so only the shape changes
        matrix, bias, out_shape = sp.identity(n, format="csr"), np.zeros(n), (n,)
    return WeightOp(matrix, bias, delays, tuple(int(s) for s in out_shape))
