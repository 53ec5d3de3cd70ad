"""The neuroemu command line: each command's output, files and exit codes."""
import subprocess
import sys

import numpy as np
import pytest

import emulator
from emulator.cli import EXIT_CODES, main


@pytest.fixture
def program_file(tmp_path):
    rng = np.random.default_rng(0)
    net = emulator.Network()
    x = net.input(6, name="x")
    h = net.population(12, emulator.LIF(du=500, dv=300, vth=40), name="h")
    net.connect(x, h, rng.integers(0, 60, (12, 6)))
    path = tmp_path / "model.prog"
    emulator.compile(net, emulator.targets.spinnaker2(n_chips=2)).save(path)
    raster = (rng.random((30, 6)) < 0.3).astype(np.int8)
    np.save(tmp_path / "data.npy", raster)
    return path, raster


def test_run_then_energy(program_file, tmp_path, capsys):
    path, raster = program_file
    out = tmp_path / "result.npz"
    assert main(["run", str(path), "--input", str(tmp_path / "data.npy"), "-o", str(out),
                 "--quiet"]) == 0
    printed = capsys.readouterr()
    assert "30 steps on spinnaker2" in printed.out and printed.err == ""
    saved = emulator.Result.load(out)
    direct = emulator.Simulator(emulator.Program.load(path)).run(30, {"x": raster})
    assert np.array_equal(saved.spikes["h"], direct.spikes["h"])
    assert saved.counters.total == direct.counters.total
    assert saved.traffic.total == direct.traffic.total
    assert emulator.energy.estimate(saved, 10).to_dict() == emulator.energy.estimate(direct, 10).to_dict()
    png = tmp_path / "energy.png"
    assert main(["energy", str(out), "--steps-per-inference", "10", "--plot", str(png)]) == 0
    printed = capsys.readouterr().out
    assert "energy" in printed and "latency" in printed and "ACs" in printed
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert main(["energy", str(out), "--json", "--dvfs", "0.5V"]) == 0
    assert '"energy_per_inference"' in capsys.readouterr().out


def test_targets_lists_every_target(capsys):
    assert main(["targets"]) == 0
    out = capsys.readouterr().out
    for name in emulator.targets.available():
        assert name in out


@pytest.mark.parametrize("case, code", [("missing", "input"), ("not_numpy", "input"),
                                        ("shape", "input"), ("dvfs", "error"),
                                        ("one_d", "input"), ("npy_result", "input"),
                                        ("objects", "input"), ("huge_header", "input"),
                                        ("damaged_npz", "input"), ("damaged_program", "input"),
                                        ("damaged_result", "input")])
def test_errors_are_one_line_with_an_exit_code(program_file, tmp_path, capsys, case, code):
    path, raster = program_file
    out = str(tmp_path / "r.npz")
    if case == "missing":
        argv = ["run", str(tmp_path / "nothing.prog"), "--input", "x.npy", "-o", out]
    elif case == "not_numpy":
        (tmp_path / "bad.npy").write_text("hello")
        argv = ["run", str(path), "--input", str(tmp_path / "bad.npy"), "-o", out]
    elif case == "shape":
        np.save(tmp_path / "wide.npy", np.zeros((5, 9), np.int8))
        argv = ["run", str(path), "--input", str(tmp_path / "wide.npy"), "-o", out]
    elif case == "one_d":
        np.save(tmp_path / "flat.npy", np.zeros(6, np.int8))
        argv = ["run", str(path), "--input", str(tmp_path / "flat.npy"), "-o", out]
    elif case == "npy_result":
        argv = ["energy", str(tmp_path / "data.npy")]
    elif case == "objects":  # a pickled raster is never unpickled
        np.save(tmp_path / "objects.npy", np.array([[1, None]], dtype=object), allow_pickle=True)
        argv = ["run", str(path), "--input", str(tmp_path / "objects.npy"), "-o", out]
    elif case == "huge_header":  # a header promising 2^40 rows allocates nothing
        data = (tmp_path / "data.npy").read_bytes().replace(b"(30, 6)", b"(1099511627776, 6)")
        (tmp_path / "huge.npy").write_bytes(data)
        argv = ["run", str(path), "--input", str(tmp_path / "huge.npy"), "-o", out]
    elif case == "damaged_npz":
        np.savez(tmp_path / "in.npz", x=raster)
        data = bytearray((tmp_path / "in.npz").read_bytes())
        data[len(data) // 2] ^= 0xFF
        (tmp_path / "in.npz").write_bytes(bytes(data))
        argv = ["run", str(path), "--input", str(tmp_path / "in.npz"), "-o", out]
    elif case == "damaged_program":
        data = bytearray(path.read_bytes())
        data[100:140] = bytes(40)
        (tmp_path / "bad.prog").write_bytes(bytes(data))
        argv = ["run", str(tmp_path / "bad.prog"), "--input", str(tmp_path / "data.npy"),
                "-o", out]
    elif case == "damaged_result":
        main(["run", str(path), "--input", str(tmp_path / "data.npy"), "-o", out, "--quiet"])
        capsys.readouterr()
        data = bytearray((tmp_path / "r.npz").read_bytes())
        data[-200:-150] = bytes(50)
        (tmp_path / "r.npz").write_bytes(bytes(data))
        argv = ["energy", out]
    else:
        main(["run", str(path), "--input", str(tmp_path / "data.npy"), "-o", out, "--quiet"])
        capsys.readouterr()
        argv = ["energy", out, "--dvfs", "turbo"]
    argv.append("--quiet")  # (progress bars share stderr)
    assert main(argv) == EXIT_CODES[code]
    err = capsys.readouterr().err
    assert err.startswith("neuroemu ") and "Traceback" not in err and len(err.splitlines()) == 1
    with pytest.raises(emulator.EmulatorError if case != "missing" else OSError):
        main(argv + ["--debug"])


def test_the_console_script_exits_with_its_code(tmp_path):
    done = subprocess.run([sys.executable, "-m", "emulator.cli", "run", str(tmp_path / "no.prog"),
                           "-o", str(tmp_path / "r.npz")], capture_output=True, text=True)
    assert done.returncode == EXIT_CODES["input"]
    assert "Traceback" not in done.stderr
    usage = subprocess.run([sys.executable, "-m", "emulator.cli", "frobnicate"],
                           capture_output=True, text=True)
    assert usage.returncode == EXIT_CODES["usage"]
