"""The resonator bank of examples/03_resonator_spectrum.py is a spectrum analyser: each
resonator responds most to a tone at its own period, and during a chirp it peaks near the
moment the chirp passes its period."""
import runpy
from pathlib import Path

import numpy as np

EXAMPLE = runpy.run_path(str(Path(__file__).parent.parent / "examples" /
                             "03_resonator_spectrum.py"), run_name="example")


def test_each_resonator_responds_most_to_its_own_frequency():
    m = EXAMPLE["tuning_matrix"]()
    periods = EXAMPLE["PERIODS"]
    # for every tone the strongest resonator is the one tuned to it ...
    assert m.argmax(axis=0).tolist() == list(range(len(periods)))
    # ... and every resonator's strongest tone is its own
    assert m.argmax(axis=1).tolist() == list(range(len(periods)))


def test_resonators_peak_in_order_along_a_chirp():
    signal, periods = EXAMPLE["chirp"](3000)
    amp = EXAMPLE["amplitude"](EXAMPLE["run"](signal))
    peak_period = periods[amp.argmax(axis=0)]
    # within 10 % of the tuned period (the filters lag a gliding tone a little)
    assert np.all(np.abs(peak_period / EXAMPLE["PERIODS"] - 1) < 0.1)
