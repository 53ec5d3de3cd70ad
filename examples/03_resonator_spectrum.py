"""A bank of resonate-and-fire neurons as a spectrum analyser.

    pip install "emulator[plot]"    # for the figure (matplotlib)
    python examples/03_resonator_spectrum.py

Sixteen resonators, tuned to periods from 4 to 40 steps, read a chirp whose period
sweeps across that band. Each resonator rings when the chirp passes its own frequency
and spikes (phase-locked, once per cycle) while its amplitude is above threshold. The
script prints each resonator's response to pure tones (it responds most to its own) and
writes resonator_spectrum.png: the chirp, the resonators' amplitude and their spikes.
"""
import numpy as np

import emulator

PERIODS = np.geomspace(4.0, 40.0, 16)   # steps per cycle each resonator is tuned to
ALPHA = 0.03                            # decay per step: sets each filter's bandwidth
STATE_EXP = 6                           # fixed-point fraction bits of re and im
AMPLITUDE = 100                         # input signal amplitude (integer payloads)


def resonator_bank(periods=PERIODS, vth=None):
    """A network: one graded input channel -> the real port of one resonator per period."""
    if vth is None:  # about a third of the amplitude a tone at the resonance reaches
        vth = AMPLITUDE / ALPHA / 3
    net = emulator.Network()
    x = net.input(1, name="signal", graded=True)
    bank = net.population(len(periods), emulator.ResonateFire(
        period=periods, alpha=ALPHA, vth=vth, state_exp=STATE_EXP), name="bank")
    net.connect(x, bank, weights=np.ones((len(periods), 1), np.int64), num_message_bits=16,
                port="real")
    net.probe(bank, "re")
    net.probe(bank, "im")
    return net


def run(signal, periods=PERIODS):
    """Run the bank on an integer signal; returns the Result."""
    program = emulator.compile(resonator_bank(periods), target="loihi2")
    raster = np.asarray(signal, np.int64).reshape(-1, 1)
    return emulator.Simulator(program).run(len(raster), inputs={"signal": raster})


def amplitude(result):
    """|re + i im| of every resonator after every step, in input units."""
    re, im = result.probes["bank.re"], result.probes["bank.im"]
    return np.hypot(re, im) / 2**STATE_EXP


def tone(period, steps):
    return np.round(AMPLITUDE * np.sin(2 * np.pi * np.arange(steps) / period)).astype(np.int64)


def tuning_matrix(periods=PERIODS, steps=600):
    """Mean amplitude of each resonator (rows) for a tone at each period (columns), over
    the second half of the run (after the ringing-in)."""
    m = np.empty((len(periods), len(periods)))
    for j, p in enumerate(periods):
        m[:, j] = amplitude(run(tone(p, steps), periods))[steps // 2:].mean(axis=0)
    return m


def chirp(steps, p_start=PERIODS[-1] * 1.2, p_end=PERIODS[0] * 0.9):
    """A sine whose period glides geometrically from p_start to p_end steps."""
    periods = np.geomspace(p_start, p_end, steps)
    phase = np.cumsum(2 * np.pi / periods)
    return np.round(AMPLITUDE * np.sin(phase)).astype(np.int64), periods


def main():
    m = tuning_matrix()
    print("mean amplitude of each resonator (rows) for a tone at each period (columns):")
    print("period " + "".join(f"{p:7.1f}" for p in PERIODS))
    for i, p in enumerate(PERIODS):
        print(f"{p:6.1f} " + "".join(f"{v:7.0f}" for v in m[i]))
    print("each tone's strongest resonator is the one tuned to it:",
          bool(np.all(m.argmax(axis=0) == np.arange(len(PERIODS)))))

    steps = 3000
    signal, periods = chirp(steps)
    result = run(signal)
    amp = amplitude(result)
    spikes = result.spikes["bank"]
    peak_at = periods[amp.argmax(axis=0)]
    print("\nchirp: the period at which each resonator peaks (tuned -> observed):")
    for p, q, n in zip(PERIODS, peak_at, spikes.sum(axis=0)):
        print(f"  {p:6.1f} -> {q:6.1f} steps, {n:4d} spikes")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("\n(matplotlib is not installed: pip install 'emulator[plot]' for the figure)")
    else:
        fig, ax = plt.subplots(3, 1, figsize=(9, 8), sharex=True,
                               gridspec_kw={"height_ratios": [1, 2, 2]})
        ax[0].plot(signal, lw=0.5)
        ax[0].set_ylabel("chirp")
        ax[1].imshow(amp.T, aspect="auto", origin="lower", interpolation="nearest",
                     extent=(0, steps, -0.5, len(PERIODS) - 0.5))
        ax[1].set_ylabel("resonator amplitude")
        t, k = np.nonzero(spikes)
        ax[2].plot(t, k, "|", ms=4)
        ax[2].set_ylim(-0.5, len(PERIODS) - 0.5)
        ax[2].set_ylabel("spikes")
        ax[2].set_xlabel("step")
        for a in ax[1:]:
            a.set_yticks(range(len(PERIODS)), [f"{p:.1f}" for p in PERIODS], fontsize=7)
        fig.tight_layout()
        fig.savefig("resonator_spectrum.png", dpi=120)
        print("\nwrote resonator_spectrum.png")
    print()
    print(emulator.energy.estimate(result).table())


if __name__ == "__main__":
    main()
