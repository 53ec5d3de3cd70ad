"""On-chip learning: rule strings, trace parameters and the ready-made rules.

A plastic connection (`Network.connect(..., rule=LearningRule(...))`) changes its own
weights, and optionally a tag `t` and a delay field `d` per synapse, at the end of every
`t_epoch`-th step, by sum-of-products rules in the Loihi syntax (spec/neurocore.md
section 7). This module parses the rules into products and packs them into the microcode
the kernel runs; `emulator.reference.learning` runs the same products in numpy.

A rule is a sum of products, e.g. ``dw = "2^-2*x1*y0 - 2^-2*y1*x0"``:

    dependencies  x0 (pre spiked this epoch), y0 (post spiked), uK (1 every 2^K epochs)
    traces        x1 x2 (pre), y1 y2 y3 (post): unsigned 7-bit, impulse and decay tau
    synaptic      w (weight), d (delay field), t (tag)
    constants     n, 2^e, n*2^e (e signed)
    other         (var + n), (var - n), sgn(w|d|t [+ n | - n])

The first x0/y0/uK of a product is its dependency: the product counts only for synapses
whose pre (x0) or post (y0) neuron spiked in the epoch, or in epochs where uK is 1. Every
product needs one. Its constants fold into one m * 2^e with -8 <= m <= 7, -7 <= e <= 8.
"""
import math
import re
from dataclasses import dataclass, field

import numpy as np

from .errors import ParameterRangeError, RuleSyntaxError

#: What a rule may look like, quoted in every RuleSyntaxError.
ALLOWED_FORM = ("a rule is a sum of products ('+' or '-' between them); a product joins "
                "factors with '*': one dependency x0, y0 or uK (K a digit), traces x1 x2 "
                "y1 y2 y3, synaptic variables w d t, constants n, 2^e or n*2^e folding to "
                "m*2^e with -8 <= m <= 7 and -7 <= e <= 8, (var + n), (var - n), "
                "sgn(w|d|t [+ n | - n]); e.g. '2^-2*x1*y0 - 2^-2*y1*x0'")

#: Variable codes of the microcode (shared with csrc/learning_rule.hpp) and their widths.
VARIABLES = ("x0", "y0", "x1", "x2", "y1", "y2", "y3", "w", "d", "t")
WIDTHS = {"x0": 1, "y0": 1, "x1": 7, "x2": 7, "y1": 7, "y2": 7, "y3": 7, "w": 9, "d": 9, "t": 9}
PRE_TRACES = ("x1", "x2")
POST_TRACES = ("y1", "y2", "y3")
TRACES = PRE_TRACES + POST_TRACES
#: Factor kinds: the variable itself, (var + const), sgn(var + const).
PLAIN, OFFSET, SIGN = 0, 1, 2
#: Dependency kinds.
DEP_X0, DEP_Y0, DEP_U = 0, 1, 2
#: Which variable each rule changes.
TARGETS = {"dw": "w", "dd": "d", "dt": "t"}
#: Limits of this emulator's learning engine (the products must fit 64-bit arithmetic;
#: the trace histories are t_epoch + 1 values per trace and neuron).
MAX_FACTORS = 4
MAX_PRODUCTS = 16
MAX_T_EPOCH = 63
MAX_OFFSET = 2**15  # |n| in (var + n) and sgn(var + n)
#: Mantissa and exponent of a product's folded constant (spec section 7).
M_RANGE, E_RANGE = (-8, 7), (-7, 8)
#: The synapse stream's default seed (as the reference: spec section 7, Randomness).
DEFAULT_SYNAPSE_SEED = 2
#: A modulated (third-factor) trace has impulse 0 and this tau (spec section 7).
MODULATED_TAU = 65535


@dataclass(frozen=True)
class Factor:
    kind: int      # PLAIN, OFFSET or SIGN
    var: str       # one of VARIABLES
    const: int = 0

    @property
    def width(self):
        return WIDTHS[self.var]


@dataclass(frozen=True)
class Product:
    """dep * m * 2^e * (factors), one term of a rule."""
    dep: int                 # DEP_X0, DEP_Y0 or DEP_U
    k: int                   # the K of uK (0 otherwise)
    m: int
    e: int
    factors: tuple = ()

    @property
    def shift(self):
        """Right shift applied to dep * m * factors: max(0, sum of widths + 4 - 15)."""
        return max(0, sum(f.width for f in self.factors) + 4 - 15)


@dataclass(frozen=True)
class Rule:
    """A parsed rule string: its text and its products."""
    text: str
    products: tuple

    def microcode(self):
        """The rule as int32 words for the kernel: per product dep, K, m, e, n_factors,
        then (kind, variable code, const) per factor."""
        words = []
        for p in self.products:
            words += [p.dep, p.k, p.m, p.e, len(p.factors)]
            for f in p.factors:
                words += [f.kind, VARIABLES.index(f.var), f.const]
        return np.asarray(words, dtype=np.int32)


_TOKEN = re.compile(r"(?P<num>[0-9]+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>\^|\*|\+|-|\(|\))")
#: Longest number literal a rule may hold (its constants are at most 2^15).
MAX_DIGITS = 6


def _tokens(name, text):
    """(kind, value, position) tokens of the rule with its whitespace removed (the spec
    ignores whitespace, so "1 6" is 16); positions are those in the original text."""
    kept = [(i, c) for i, c in enumerate(text) if not c.isspace()]
    compact = "".join(c for _, c in kept)
    where = [i for i, _ in kept] + [len(text)]
    out, pos = [], 0
    while pos < len(compact):
        m = _TOKEN.match(compact, pos)
        if m is None:
            _fail(name, text, where[pos], compact[pos], "unexpected character")
        kind, value = m.lastgroup, m.group(m.lastgroup)
        if kind == "num" and len(value) > MAX_DIGITS:
            _fail(name, text, where[pos], value, f"a number of more than {MAX_DIGITS} digits")
        out.append((kind, value, where[pos]))
        pos = m.end()
    out.append(("end", "", len(text)))
    return out


def _fail(name, text, pos, term, problem):
    short = lambda s: s if len(s) <= 100 else s[:97] + "..."  # noqa: E731
    raise RuleSyntaxError(f"learning rule {name}={short(text)!r}: {problem} at position {pos} "
                          f"({short(term)!r}); {ALLOWED_FORM}")


class _Parser:
    """Recursive descent over one rule string."""

    def __init__(self, name, text):
        self.name, self.text = name, text
        self.toks = _tokens(name, text)
        self.i = 0
        self.k = None  # the K of the rule's uK terms

    def peek(self):
        return self.toks[self.i]

    def take(self):
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def fail(self, tok, problem):
        _fail(self.name, self.text, tok[2], tok[1] or "end of rule", problem)

    def expect_op(self, op):
        tok = self.take()
        if tok != ("op", op, tok[2]):
            self.fail(tok, f"expected {op!r}")
        return tok

    def integer(self, what):
        tok = self.take()
        sign = 1
        if tok[0] == "op" and tok[1] in "+-":
            sign = -1 if tok[1] == "-" else 1
            tok = self.take()
        if tok[0] != "num":
            self.fail(tok, f"expected an integer {what}")
        return sign * int(tok[1])

    def rule(self):
        products = []
        sign = 1
        tok = self.peek()
        if tok[0] == "op" and tok[1] in "+-":
            sign = -1 if self.take()[1] == "-" else 1
        if self.peek()[0] == "end":
            self.fail(self.peek(), "the rule is empty")
        while True:
            products.append(self.product(sign))
            tok = self.take()
            if tok[0] == "end":
                break
            if tok[0] != "op" or tok[1] not in "+-":
                self.fail(tok, "expected '+', '-', '*' or the end of the rule")
            sign = -1 if tok[1] == "-" else 1
        if len(products) > MAX_PRODUCTS:
            self.fail(self.toks[0], f"{len(products)} products; at most {MAX_PRODUCTS}")
        return Rule(self.text, tuple(products))

    def product(self, sign):
        start = self.peek()
        m, e, dep, k, factors = sign, 0, None, 0, []
        while True:
            tok = self.peek()
            if tok[0] == "num":
                self.take()
                if self.peek()[:2] == ("op", "^"):  # n^e: only 2^e is a constant
                    if tok[1] != "2":
                        self.fail(tok, "only powers of 2 are allowed ('2^e')")
                    self.take()
                    e += self.integer("exponent after '2^'")
                else:
                    m *= int(tok[1])
            elif tok[0] == "name":
                self.take()
                dep, k = self.name_factor(tok, dep, k, factors)
            elif tok[:2] == ("op", "("):
                factors.append(self.offset())
            else:
                self.fail(tok, "expected a factor")
            if self.peek()[:2] != ("op", "*"):
                break
            self.take()
        if dep is None:
            self.fail(start, "this product has no dependency (x0, y0 or uK)")
        if len(factors) > MAX_FACTORS:
            self.fail(start, f"this product has {len(factors)} factors; at most {MAX_FACTORS}")
        while abs(m) > 7 and m % 2 == 0 and e < 8:
            m //= 2
            e += 1
        if not (M_RANGE[0] <= m <= M_RANGE[1] and E_RANGE[0] <= e <= E_RANGE[1]):
            self.fail(start, f"the constants of this product fold to {m}*2^{e}, outside "
                             f"-8..7 * 2^(-7..8)")
        return Product(dep, k, m, e, tuple(factors))

    def name_factor(self, tok, dep, k, factors):
        name = tok[1]
        if name == "sgn":
            self.expect_op("(")
            var = self.take()
            if var[0] != "name" or var[1] not in ("w", "d", "t"):
                self.fail(var, "sgn() takes w, d or t")
            const = self.offset_const()
            self.expect_op(")")
            factors.append(Factor(SIGN, var[1], const))
            return dep, k
        u = re.fullmatch(r"u([0-9])", name)
        if name in ("x0", "y0") or u:
            if dep is None:
                if not u:
                    return (DEP_X0 if name == "x0" else DEP_Y0), 0
                # one K per rule (and per connection: LearningRule checks across rules)
                if self.k is not None and int(u.group(1)) != self.k:
                    self.fail(tok, f"u{u.group(1)} after u{self.k}: every uK dependency must "
                                   "have the same K")
                self.k = int(u.group(1))
                return DEP_U, self.k
            if not u:  # a later x0/y0 is a 1-bit factor; a later uK is ignored
                factors.append(Factor(PLAIN, name))
            return dep, k
        if name in VARIABLES:
            factors.append(Factor(PLAIN, name))
            return dep, k
        self.fail(tok, f"unknown symbol {name!r}")

    def offset_const(self):
        tok = self.peek()
        if tok[0] == "op" and tok[1] in "+-":
            self.take()
            n = self.take()
            if n[0] != "num" or int(n[1]) > MAX_OFFSET:
                self.fail(n, f"expected an integer constant of at most {MAX_OFFSET}")
            return int(n[1]) * (-1 if tok[1] == "-" else 1)
        return 0

    def offset(self):
        self.expect_op("(")
        var = self.take()
        if var[0] != "name" or var[1] not in VARIABLES[2:]:
            self.fail(var, "(var + n) takes a trace (x1 x2 y1 y2 y3) or w, d, t")
        const = self.offset_const()
        self.expect_op(")")
        return Factor(OFFSET, var[1], const)


def parse_rule(name, text):
    """Parse one rule string (name: "dw", "dd" or "dt", for messages) into a Rule."""
    if not isinstance(text, str):
        raise RuleSyntaxError(f"learning rule {name}={text!r} must be a string; {ALLOWED_FORM}")
    return _Parser(name, text).rule()


@dataclass(frozen=True)
class Trace:
    """One trace's impulse, split as the hardware adds it, and its decay per step."""
    impulse: float
    tau: float

    @property
    def impulse_int(self):
        return int(math.floor(self.impulse))

    @property
    def impulse_frac(self):
        """round_half_even((impulse - int) * 256), in 0..256."""
        return int(np.round((self.impulse - math.floor(self.impulse)) * 256))

    @property
    def decay(self):
        """exp(-1/tau), computed once in numpy (0 for tau = 0: the trace is zeroed)."""
        return float(np.exp(-1.0 / self.tau)) if self.tau > 0 else 0.0


def _real(owner, name, value, lo, hi):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or not lo <= value <= hi:
        raise ParameterRangeError(f"{owner}: parameter {name}={value!r} must be a real number "
                                  f"in [{lo}, {hi}]")
    return float(value)


def _int(owner, name, value, lo, hi):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ParameterRangeError(f"{owner}: parameter {name}={value!r} must be an integer "
                                  f"in [{lo}, {hi}]")
    return int(value)


@dataclass(frozen=True)
class LearningRule:
    """The learning of one plastic connection (spec section 7).

    dw, dt, dd: rule strings for the weight, the tag t and the delay field d (None: that
    variable does not learn). <trace>_impulse (real, 0..127) and <trace>_tau (real >= 0;
    0 zeroes the trace at each decay) for x1, x2, y1, y2, y3. t_epoch: steps per epoch
    (1..63). seed: the trace streams' seed s (x-decay s, x-impulse s+1, y-decay s+2,
    y-impulse s+3); synapse_seed: the stochastic-rounding stream's seed (2 as the
    reference). Both are numpy PCG64 seeds: one seed gives the same learning in the
    kernel and in the numpy reference.
    """
    dw: str = None
    dt: str = None
    dd: str = None
    x1_impulse: float = 0.0
    x1_tau: float = 0.0
    x2_impulse: float = 0.0
    x2_tau: float = 0.0
    y1_impulse: float = 0.0
    y1_tau: float = 0.0
    y2_impulse: float = 0.0
    y2_tau: float = 0.0
    y3_impulse: float = 0.0
    y3_tau: float = 0.0
    t_epoch: int = 1
    seed: int = 0
    synapse_seed: int = DEFAULT_SYNAPSE_SEED
    rules: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        owner = "LearningRule"
        rules = {}
        for name in TARGETS:
            text = getattr(self, name)
            if text is not None:
                rules[name] = parse_rule(name, text)
        if not rules:
            raise RuleSyntaxError(f"{owner}: give at least one of dw, dt, dd; {ALLOWED_FORM}")
        ks = {p.k for r in rules.values() for p in r.products if p.dep == DEP_U}
        if len(ks) > 1:
            bad = sorted(ks)
            raise RuleSyntaxError(f"{owner}: the rules use u{bad[0]} and u{bad[1]}; every uK "
                                  f"of dw, dt and dd must have the same K; {ALLOWED_FORM}")
        # normalised to Python numbers (a numpy integer given here must not reach the
        # Program's JSON description)
        for trace in TRACES:
            for part, hi in (("impulse", 127), ("tau", 1e9)):
                key = f"{trace}_{part}"
                object.__setattr__(self, key, _real(owner, key, getattr(self, key), 0, hi))
        for key, lo, hi in (("t_epoch", 1, MAX_T_EPOCH), ("seed", 0, 2**63 - 4),
                            ("synapse_seed", 0, 2**63 - 1)):
            object.__setattr__(self, key, _int(owner, key, getattr(self, key), lo, hi))
        object.__setattr__(self, "rules", rules)

    def trace(self, name, modulated=False):
        """The Trace of `name`; a modulated trace has impulse 0 and tau 65535."""
        if modulated:
            return Trace(0.0, float(MODULATED_TAU))
        return Trace(float(getattr(self, f"{name}_impulse")), float(getattr(self, f"{name}_tau")))

    def stream_states(self):
        """The five PCG64 streams' states after their construction draw, as numpy holds
        them: (5, 6) uint64 rows (state high, state low, inc high, inc low, has_uint32,
        uinteger) for x-decay (seed), x-impulse (seed + 1), y-decay (seed + 2), y-impulse
        (seed + 3) and the synapse stream (synapse_seed). Seeding is numpy's own
        (SeedSequence), so the kernel's draws are numpy's."""
        seeds = [self.seed + k for k in range(4)] + [self.synapse_seed]
        kinds = ["random", "integers", "random", "integers", "random"]
        return np.array([_stream_words(seed, kind) for seed, kind in zip(seeds, kinds)],
                        dtype=np.uint64)


def _stream_words(seed, kind):
    rng = np.random.default_rng(seed)
    rng.random() if kind == "random" else rng.integers(0, 128)  # the construction draw
    state = rng.bit_generator.state
    s, inc, low = state["state"]["state"], state["state"]["inc"], (1 << 64) - 1
    return [s >> 64, s & low, inc >> 64, inc & low, state["has_uint32"], state["uinteger"]]


def stdp(a_plus=2**-2, a_minus=2**-2, tau_plus=10.0, tau_minus=10.0, impulse=16.0,
         t_epoch=1, seed=0):
    """Pair-based STDP: a pre trace x1 and a post trace y1 (impulse `impulse`, decays
    tau_plus and tau_minus); dw = a_plus * x1 * y0 - a_minus * y1 * x0.

    a_plus and a_minus are constants of the rule syntax (m * 2^e, e.g. 2**-2 or 3 * 2**-4).
    """
    return LearningRule(dw=f"{_constant(a_plus)}*x1*y0 - {_constant(a_minus)}*y1*x0",
                        x1_impulse=impulse, x1_tau=tau_plus,
                        y1_impulse=impulse, y1_tau=tau_minus, t_epoch=t_epoch, seed=seed)


def reward_modulated_stdp(a_plus=2**-2, a_minus=2**-2, tau_plus=10.0, tau_minus=10.0,
                          impulse=16.0, tag_decay=2**-3, learning_rate=2**-2, t_epoch=1,
                          seed=0):
    """Reward-modulated STDP with an eligibility tag (spec section 7's example):

        dt = a_plus * x1 * y0 - a_minus * y1 * x0 - u0 * t * tag_decay
        dw = learning_rate * u0 * t * y2

    The tag t collects STDP's pairings and decays; the weight moves by the tag times the
    reward, which `Network.modulate(reward, connection, trace="y2")` writes into y2.
    """
    return LearningRule(
        dt=(f"{_constant(a_plus)}*x1*y0 - {_constant(a_minus)}*y1*x0 - "
            f"{_constant(tag_decay)}*u0*t"),
        dw=f"{_constant(learning_rate)}*u0*t*y2",
        x1_impulse=impulse, x1_tau=tau_plus, y1_impulse=impulse, y1_tau=tau_minus,
        t_epoch=t_epoch, seed=seed)


def _constant(value):
    """A positive real m * 2^e (m an integer 1..7) written in the rule syntax."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or value <= 0:
        raise ParameterRangeError(f"learning constant {value!r} must be a positive number "
                                  "m * 2^e (m 1..7, e -7..8)")
    m, e = float(value), 0
    while m != int(m) and e > -7:
        m, e = m * 2, e - 1
    while m > 7 and m % 2 == 0:
        m, e = m / 2, e + 1
    if m != int(m) or not 1 <= m <= 7 or not -7 <= e <= 8:
        raise ParameterRangeError(f"learning constant {value!r} is not m * 2^e with m in "
                                  "1..7 and e in -7..8")
    return f"{int(m)}*2^{e}"
