"""Learning rules: parsing (valid rules parse, the kernel loads their microcode, every
malformed rule raises RuleSyntaxError naming the position), constant folding, factor
widths, the PCG64 streams' agreement with numpy, and the API's named errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import emulator
from emulator import _core
from emulator.errors import (ParameterRangeError, RuleSyntaxError, ShapeError,
                             UnknownNameError, UnsupportedFeatureError)
from emulator.learning import (DEP_U, DEP_X0, DEP_Y0, LearningRule, parse_rule,
                               reward_modulated_stdp, stdp)
from emulator.testing.strategies import rule_strings


def tiny_plastic_net(rule):
    net = emulator.Network()
    x = net.input(2, name="x")
    h = net.population(2, emulator.LIF(du=0, dv=0, vth=1), name="h")
    net.connect(x, h, np.array([[10, -20], [30, 40]]), rule=rule, name="w")
    return net


@given(text=rule_strings())
def test_valid_rules_parse_and_the_kernel_loads_them(text):
    rule = parse_rule("dw", text)
    assert 1 <= len(rule.products) <= 4
    assert all(-8 <= p.m <= 7 and -7 <= p.e <= 8 for p in rule.products)
    program = emulator.compile(tiny_plastic_net(LearningRule(dw=text, dt=text, dd=text)))
    emulator.Simulator(program).run(3, inputs={"x": np.ones((3, 2), np.int64)})


_MUTATIONS = st.sampled_from(list("xyuwdt0123456789+-*^()sgn ,.#%e_") + ["2^", "x9", "u", "**"])


@given(text=rule_strings(), data=st.data())
def test_mutated_rules_parse_or_raise_rule_syntax_error(text, data):
    """Random edits give a valid rule or RuleSyntaxError -- never another exception."""
    chars = list(text)
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        pos = data.draw(st.integers(0, len(chars)), label="pos")
        op = data.draw(st.sampled_from(["insert", "delete", "replace"]), label="op")
        if op == "insert" or not chars:
            chars.insert(pos, data.draw(_MUTATIONS, label="char"))
        elif op == "delete":
            del chars[min(pos, len(chars) - 1)]
        else:
            chars[min(pos, len(chars) - 1)] = data.draw(_MUTATIONS, label="char")
    mutated = "".join(chars)
    try:
        rule = parse_rule("dw", mutated)
    except RuleSyntaxError as e:
        assert "at position" in str(e) and "sum of products" in str(e)
        return
    LearningRule(dw=mutated)  # what parses must also build a rule
    assert rule.products


@pytest.mark.parametrize("text, position, problem", [
    ("x1*y1", 0, "no dependency"),
    ("2^-2*x1*y0 - 9*y1*x0", 13, "fold to -9*2^0"),
    ("x0*z1", 3, "unknown symbol 'z1'"),
    ("x0 + ", 5, "expected a factor"),
    ("x0 $ y0", 3, "unexpected character"),
    ("3^2*x0", 0, "powers of 2"),
    ("16*2^8*x0", 0, "fold to 16*2^8"),
    ("2*2^-8*x0", 0, "fold to 2*2^-8"),
    ("x0*sgn(x1)", 7, "sgn() takes w, d or t"),
    ("x0*(w + 40000)", 8, "at most 32768"),
    ("x0*x1*x2*y1*y2*y3", 0, "at most 4"),
    ("", 0, "empty"),
    ("x0*" + "9" * 5000, 3, "more than 6 digits"),
    ("u\u0663*w", 1, "unexpected character"),       # an Arabic-Indic 3 is not a digit here
    ("0*2^20*x0", 0, "fold to 0*2^20"),
    ("x1 y0", 0, "unknown symbol 'x1y0'"),          # whitespace is ignored, even here
    ("u0*w + u1*t", 7, "u1 after u0"),
])
def test_bad_rules_name_the_position_and_the_allowed_form(text, position, problem):
    with pytest.raises(RuleSyntaxError) as e:
        parse_rule("dw", text)
    msg = str(e.value)
    assert f"position {position} " in msg and problem in msg and "sum of products" in msg


def test_constants_fold_and_normalise_as_the_spec_says():
    fold = lambda text: [(p.m, p.e) for p in parse_rule("dw", text).products]  # noqa: E731
    assert fold("16*x0") == [(4, 2)]                # halved while |m| > 7: 16 -> 8 -> 4
    assert fold("-8*x0") == [(-4, 1)]               # |m| > 7 and even: halved once
    assert fold("2*2^8*x0") == [(2, 8)]             # e cannot grow past 8
    assert fold("5*2^-3*x1*y0 - 3*2^-3*y1*x0") == [(5, -3), (-3, -3)]
    assert fold("2^-2*2*u0") == [(2, -2)]           # several constants multiply
    assert fold("0*x0") == [(0, 0)]


def test_whitespace_is_ignored_everywhere():
    assert parse_rule("dw", " x 0 * y 1 - 1 6 * u 0 ").products == \
        parse_rule("dw", "x0*y1-16*u0").products


def test_numpy_numbers_are_accepted_and_normalised():
    rule = LearningRule(dw="x0*y1", t_epoch=np.int64(2), seed=np.uint32(5),
                        x1_impulse=np.float32(3.5))
    assert (type(rule.t_epoch), type(rule.seed), type(rule.x1_impulse)) == (int, int, float)
    net = tiny_plastic_net(rule)
    emulator.Simulator(emulator.compile(net)).run(2, inputs={"x": np.ones((2, 2), np.int64)})


def test_dependencies_widths_and_shifts():
    p = parse_rule("dw", "x1*y1*y0").products[0]    # the spec's example: shift 3
    assert (p.dep, [f.var for f in p.factors], p.shift) == (DEP_Y0, ["x1", "y1"], 3)
    p = parse_rule("dw", "x0*y0").products[0]       # a later y0 is a 1-bit factor
    assert (p.dep, [f.var for f in p.factors], p.shift) == (DEP_X0, ["y0"], 0)
    p = parse_rule("dw", "u3*u1*w*t").products[0]   # a later uK is ignored
    assert (p.dep, p.k, [f.var for f in p.factors], p.shift) == (DEP_U, 3, ["w", "t"], 7)
    p = parse_rule("dw", "x0 * sgn(w - 3) * (y2 + 4)").products[0]
    assert [(f.var, f.const, f.width) for f in p.factors] == [("w", -3, 9), ("y2", 4, 7)]


def test_rules_must_share_k_and_exist():
    with pytest.raises(RuleSyntaxError, match="same K"):
        LearningRule(dw="u1*w", dt="u2*t")
    with pytest.raises(RuleSyntaxError, match="at least one of dw, dt, dd"):
        LearningRule()


@pytest.mark.parametrize("seed", [0, 1, 2, 830731162, 2**32, 2**63 - 4])
def test_kernel_streams_draw_exactly_what_numpy_draws(seed):
    """The kernel's PCG64 takes numpy's state and then draws the same numbers: random()
    floats and integers(0, 128), whose 32-bit halves numpy buffers between draws."""
    rule = LearningRule(dw="x0", seed=seed, synapse_seed=seed)
    states = rule.stream_states()
    for k, kind in enumerate(["random", "integers", "random", "integers", "random"]):
        rng = np.random.default_rng(seed + k if k < 4 else seed)
        rng.random() if kind == "random" else rng.integers(0, 128)  # construction draw
        want = [rng.random() if kind == "random" else rng.integers(0, 128) for _ in range(9)]
        assert _core.pcg64_draws(states[k], 9, kind).tolist() == want


def test_pinned_draws():
    """A handful of draws pinned as numbers, so a numpy change cannot move both sides."""
    state = LearningRule(dw="x0", seed=0).stream_states()[0]  # x-decay stream, seed 0
    assert _core.pcg64_draws(state, 2, "random").tolist() == [0.2697867137638703,
                                                              0.04097352393619469]
    state = LearningRule(dw="x0", seed=1527471432).stream_states()[1]  # x-impulse, s + 1
    assert _core.pcg64_draws(state, 5, "integers").tolist() == [82, 71, 20, 102, 122]
    state = LearningRule(dw="x0").stream_states()[4]  # the synapse stream, seed 2
    assert _core.pcg64_draws(state, 1, "random").tolist() == [0.2984911434141233]


def test_ready_made_rules():
    rule = stdp(a_plus=2**-2, a_minus=3 * 2**-4, tau_plus=8, tau_minus=12, impulse=20)
    assert rule.dw == "1*2^-2*x1*y0 - 3*2^-4*y1*x0"
    assert (rule.x1_tau, rule.y1_tau, rule.x1_impulse) == (8, 12, 20)
    rule = reward_modulated_stdp()
    assert set(rule.rules) == {"dw", "dt"} and "y2" in rule.dw
    for bad in (0.3, float("inf"), float("nan"), -1):
        with pytest.raises(ParameterRangeError, match="m \\* 2\\^e"):
            stdp(a_plus=bad)


def test_learning_api_errors_are_named():
    net = tiny_plastic_net(LearningRule(dw="x0*y1"))
    x, h, w = net.inputs[0], net.populations[0], net.connections[0]
    assert w.sign_mode == "mixed"  # a plastic connection's default
    with pytest.raises(ParameterRangeError, match="t_epoch"):
        LearningRule(dw="x0", t_epoch=0)
    with pytest.raises(ParameterRangeError, match="x1_impulse"):
        LearningRule(dw="x0", x1_impulse=200)
    with pytest.raises(ParameterRangeError, match="weights=-5 is outside"):
        net.connect(x, h, np.full((2, 2), -5), sign_mode="excitatory", rule=LearningRule(dw="x0"))
    with pytest.raises(ParameterRangeError, match="must be an emulator.LearningRule"):
        net.connect(x, h, np.ones((2, 2)), rule="dw=x0")
    static = net.connect(x, h, np.ones((2, 2), np.int64))
    with pytest.raises(UnsupportedFeatureError, match="not plastic"):
        net.modulate(x, static)
    with pytest.raises(UnsupportedFeatureError, match="only plastic connections"):
        net.probe(static, "weights")
    with pytest.raises(UnknownNameError, match="cannot be modulated"):
        net.modulate(x, w, trace="y1")
    with pytest.raises(UnknownNameError, match="unknown variable 'z'"):
        net.probe(w, "z")
    three = net.input(3, graded=True)
    with pytest.raises(ShapeError, match="has 3 channels; expected 1 or 2"):
        net.modulate(three, w)
    net.modulate(net.input(1, graded=True), w)
    with pytest.raises(ParameterRangeError, match="already modulated"):
        net.modulate(net.input(1, graded=True), w)
    with pytest.raises(UnknownNameError, match="must be a name"):
        net.probe(w, ["weights"])
    other = tiny_plastic_net(LearningRule(dw="x0"))
    with pytest.raises(UnknownNameError, match="not a connection of this network"):
        net.probe(other.connections[0], "weights")
    sim = emulator.Simulator(emulator.compile(net))
    for conn, var in ((w, ["weights"]), (["w"], "weights"), ("nope", "weights"), (w, "z")):
        with pytest.raises(UnknownNameError):
            sim.connection_state(conn, var)
    from emulator.reference import ReferenceSimulator
    with pytest.raises(UnknownNameError, match="no plastic connection named 'nope'"):
        ReferenceSimulator(net).plastic("nope")
