"""Learning from reward alone, on chip: which input pattern should drive a neuron.

    pip install "emulator[plot]"    # for the figure (matplotlib)
    python examples/04_reward_learning.py

Two input patterns, A (channels 0-9) and B (channels 10-19), take turns, one per trial.
An output neuron starts out answering both. After each trial the environment pays a
reward: +REWARD if the neuron fired for A, -REWARD if it fired for B, nothing if it kept
quiet. Nothing else tells the network what is right.

The plastic connection runs reward-modulated STDP on the emulated learning engine
(spec section 7's example):

    dt = 2^-2*x1*y0 - 2^-2*y1*x0 - u0*t    the tag t: the last epoch's STDP pairings
    dw = 2^-1*u0*t*y2                      the weight moves by tag x reward (y2)

A trial is two learning epochs. In the first the pattern plays and the tag collects its
pairings. In the second the inputs are quiet and the reward channel (wired to the
connection's y2 trace by `net.modulate`) carries the environment's verdict on its last
step; the weights then move by tag x reward. All rules of an epoch read the synapse
values from before it, so the second epoch sees the first one's tag. The neuron is
silent while the reward is read: the trace history clips y2 to [0, 127] from the step a
post neuron spikes on (as the spec reads the reference), which would erase a punishment.

The script tests the network before and after training (test trials pay no reward, so
the weights stay put), prints how often it answered right, and writes
reward_learning.png: the weights of the A and B channels over the training.
"""
import numpy as np

import emulator

N = 10                   # channels per pattern
STIMULUS, QUIET = 10, 3  # steps of a stimulus epoch: pattern on, then silence
EPOCH = STIMULUS + QUIET  # steps per learning epoch; a trial is two epochs
RATE = 0.5               # spike probability per channel and step while a pattern is on
REWARD = 60              # reward payload (y2 is clipped to [-128, 127] by the rule)
W0 = 40                  # initial weight of every synapse


def build(w0=W0):
    """The network: 2N channels -> one LIF neuron through a plastic connection, plus a
    graded reward channel modulating the connection's y2 trace."""
    rule = emulator.learning.reward_modulated_stdp(
        a_plus=2**-2, a_minus=2**-2, tau_plus=4.0, tau_minus=4.0, impulse=40.0,
        tag_decay=1, learning_rate=2**-1, t_epoch=EPOCH, seed=12)
    net = emulator.Network()
    x = net.input(2 * N, name="x")
    reward = net.input(1, name="reward", graded=True)
    out = net.population(1, emulator.LIF(du=4095, dv=2048, vth=150), name="out")
    w = net.connect(x, out, np.full((1, 2 * N), w0), sign_mode="excitatory", rule=rule,
                    name="w")
    net.modulate(reward, w, trace="y2")
    net.probe(w, "weights")
    return net


def stimulus(pattern, rng):
    """The x raster of a stimulus epoch: pattern 0 (A) or 1 (B), then quiet steps."""
    raster = np.zeros((EPOCH, 2 * N), np.int64)
    on = slice(pattern * N, (pattern + 1) * N)
    raster[:STIMULUS, on] = rng.random((STIMULUS, N)) < RATE
    return raster


def score(fired, pattern):
    """Right if the neuron fired for A or kept quiet for B."""
    return fired == (pattern == 0)


def trial(sim, pattern, rng, pay=True):
    """One trial on simulator `sim`: the stimulus epoch, then the reward epoch (reward 0
    when pay is False: the weights then stay as they are). Returns (right?, weights after
    every step (2 * EPOCH, 2N), the stimulus epoch's Result)."""
    silent = np.zeros((EPOCH, 1), np.int64)
    shown = sim.run(EPOCH, inputs={"x": stimulus(pattern, rng), "reward": silent})
    fired = bool(shown.spikes["out"].any())
    reward = silent.copy()
    if pay and fired:
        reward[-1] = REWARD if pattern == 0 else -REWARD
    paid = sim.run(EPOCH, inputs={"x": np.zeros((EPOCH, 2 * N), np.int64), "reward": reward})
    weights = np.concatenate([shown.probes["w.weights"][:, 0], paid.probes["w.weights"][:, 0]])
    return score(fired, pattern), weights, shown


def accuracy(sim, trials, rng):
    """Fraction of `trials` answered right, without reward (so without learning)."""
    return np.mean([trial(sim, int(rng.integers(2)), rng, pay=False)[0] for _ in range(trials)])


def train(trials=150, test_trials=40, seed=0):
    """Test the untrained network, train it for `trials` rewarded trials, test it again.
    Returns (accuracy before, accuracy after, weights after every training step
    (steps, 2N), the last stimulus epoch's Result)."""
    rng = np.random.default_rng(seed)
    sim = emulator.Simulator(emulator.compile(build(), target="loihi2"))
    before = accuracy(sim, test_trials, rng)
    weights, shown = [], None
    for _ in range(trials):
        _, w, shown = trial(sim, int(rng.integers(2)), rng)
        weights.append(w)
    after = accuracy(sim, test_trials, rng)
    return before, after, np.concatenate(weights), shown


def main(trials=150):
    before, after, weights, shown = train(trials)
    print(f"answered right before training: {before:.0%}; after {trials} rewarded trials: "
          f"{after:.0%}")
    print(f"mean weight of the A channels {weights[-1, :N].mean():.1f}, "
          f"of the B channels {weights[-1, N:].mean():.1f} (both started at {W0})")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib is not installed: pip install 'emulator[plot]' for the figure)")
    else:
        fig, ax = plt.subplots(figsize=(8, 4))
        t = np.arange(1, len(weights) + 1) / (2 * EPOCH)
        ax.plot(t, weights[:, :N], color="tab:blue", lw=0.8)
        ax.plot(t, weights[:, N:], color="tab:red", lw=0.8)
        ax.set_xlabel("trial")
        ax.set_ylabel("weight")
        ax.set_title("reward-modulated STDP: pattern A (blue) is rewarded, B (red) punished")
        fig.tight_layout()
        fig.savefig("reward_learning.png", dpi=120)
        print("wrote reward_learning.png")
    print("one stimulus epoch of the trained network:")
    print(emulator.energy.estimate(shown).table())
    return before, after


if __name__ == "__main__":
    main()
