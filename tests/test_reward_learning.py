"""examples/04_reward_learning.py in a short form: reward alone teaches the neuron which
pattern should drive it, and the test trials (which pay no reward) leave weights alone."""
import importlib.util
from pathlib import Path

import numpy as np

PATH = Path(__file__).parent.parent / "examples" / "04_reward_learning.py"
spec = importlib.util.spec_from_file_location("reward_learning", PATH)
example = importlib.util.module_from_spec(spec)
spec.loader.exec_module(example)


def test_reward_improves_the_behaviour():
    before, after, weights, _ = example.train(trials=60, test_trials=30, seed=1)
    assert after >= 0.9 and after >= before + 0.3, (before, after)
    n = example.N
    assert weights[-1, :n].mean() > example.W0 > weights[-1, n:].mean()


def test_unrewarded_trials_do_not_change_the_weights():
    import emulator
    sim = emulator.Simulator(emulator.compile(example.build()))
    rng = np.random.default_rng(0)
    for pattern in (0, 1, 0):
        _, weights, _ = example.trial(sim, pattern, rng, pay=False)
        assert (weights == example.W0).all()
