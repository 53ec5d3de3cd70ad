"""neuroemu: the emulator from a shell.

    neuroemu compile model.nir --target loihi2 [--chips 4] [--dt 1e-3] -o model.prog
    neuroemu run model.prog --input data.npy [--steps 100] -o result.npz
    neuroemu energy result.npz [--steps-per-inference N] [--dvfs 0.5V] [--plot energy.png]
    neuroemu targets

Progress bars (tqdm, on stderr) show long compiles and runs; --quiet silences them.
Errors print one line a shell user can act on; --debug shows the Python traceback.
Exit codes (EXIT_CODES): 0 done; 1 any other emulator error; 2 bad command line; 3 a file
that cannot be read or is not what it should be, or inputs that do not fit the program;
4 the network does not fit the target; 5 the target lacks a feature the network needs;
70 an internal error (a bug: please report it with the --debug output).
"""
import argparse
import json
import sys

import numpy as np

from .errors import (EmulatorError, FileFormatError, InputError, ResourceLimitError,
                     ShapeError, UnknownNameError, UnsupportedFeatureError)

EXIT_CODES = {"ok": 0, "error": 1, "usage": 2, "input": 3, "fit": 4, "unsupported": 5,
              "internal": 70}
_EXIT_OF = ((ResourceLimitError, "fit"), (UnsupportedFeatureError, "unsupported"),
            (FileFormatError, "input"), (InputError, "input"), (ShapeError, "input"),
            (UnknownNameError, "input"))


def _bar(args, **kwargs):
    from tqdm import tqdm
    return tqdm(disable=args.quiet, file=sys.stderr, leave=False, **kwargs)


def _compile(args):
    from . import targets
    from .compiler import compile as compile_network
    from .io import from_nir
    net = from_nir(args.model, dt=args.dt)
    target = targets.get(args.target)
    if args.chips is not None:
        target = target.derive(n_chips=args.chips)
    with _bar(args, desc="compile", bar_format="{desc}: {elapsed}") as bar:
        def phase(name):
            bar.set_description_str(f"compile: {name}")
            bar.update()
        program = compile_network(net, target, max_neurons_per_core=args.max_neurons_per_core,
                                  dt=args.dt, progress=phase)
    program.save(args.output)
    program.summary(file=sys.stdout)
    print(f"wrote {args.output}")


def _inputs(args, program):
    """{input name: raster} from --input: one .npy (the program's only input), a .npz
    of arrays named by input, or NAME=FILE.npy pairs (read safely: emulator.io.npz)."""
    from .io.npz import is_npz, read_npy, read_npz
    names = [i["name"] for i in program.meta["inputs"]]
    rasters = {}
    for item in args.input or []:
        name, sep, path = item.partition("=")
        if not sep:
            name, path = None, item
        if is_npz(path):
            rasters.update(read_npz(path, "input"))
            continue
        data = read_npy(path, "input")
        if name is None:
            if len(names) != 1:
                raise InputError(f"run: the program has inputs {names}; give each as "
                                 "NAME=FILE.npy or all in one .npz")
            name = names[0]
        rasters[name] = data
    for name, raster in rasters.items():
        if np.ndim(raster) != 2:
            raise InputError(f"run: the raster of input {name!r} has shape {np.shape(raster)}; "
                             "expected (steps, n)")
    missing = sorted(set(names) - set(rasters))
    if missing:
        raise InputError(f"run: no raster for input(s) {missing}; give --input")
    return rasters


def _run(args):
    from .compiler.program import Program
    from .runtime import Simulator
    program = Program.load(args.program)
    rasters = _inputs(args, program)
    steps = args.steps
    if steps is None:
        lengths = {len(r) for r in rasters.values()}
        if len(lengths) != 1:
            raise InputError(f"run: the input rasters have different lengths {sorted(lengths)}; "
                             "give --steps")
        steps = lengths.pop() if lengths else 0
    rasters = {name: r[:steps] for name, r in rasters.items()}
    sim = Simulator(program)
    with _bar(args, total=steps, desc="run", unit="step") as bar:
        def progress(done, total):
            bar.update(done - bar.n)
        result = sim.run(steps, rasters, progress=progress)
    result.save(args.output)
    c = result.counters
    print(f"{steps} steps on {program.meta['target']['name']}: {c['spikes']} spikes, "
          f"{c['synops']} synaptic operations, {c['packets']} packets")
    for name in result.spikes:
        s = result.spikes[name]
        print(f"  {name}: {np.count_nonzero(s)} spikes from {s.shape[1]} neurons")
    print(f"wrote {args.output}")


def _energy(args):
    from .energy import estimate
    from .runtime import Result
    result = Result.load(args.result)
    report = estimate(result, steps_per_inference=args.steps_per_inference, dvfs=args.dvfs)
    if args.json:
        print(json.dumps({"energy": report.to_dict(),
                          "metrics": result.metrics(report.steps_per_inference)}, indent=1))
    else:
        print(report.table())
        print(result.traffic.table())
        m = result.metrics(report.steps_per_inference)
        ops = m["synaptic_operations"]
        print(f"metrics per inference: {ops['effective_acs']:.4g} ACs, "
              f"{ops['effective_macs']:.4g} MACs ({ops['dense']:.4g} dense); activation "
              f"sparsity {m['activation_sparsity']:.3f}, connection sparsity "
              f"{m['connection_sparsity']:.3f}, footprint {m['footprint_bytes']['total']} bytes")
    if args.plot:
        report.plot(args.plot)
        print(f"wrote {args.plot}", file=sys.stderr if args.json else sys.stdout)


def _targets(args):
    from . import targets
    for name in targets.available():
        print(targets.get(name).describe())


def parser():
    p = argparse.ArgumentParser(prog="neuroemu", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--quiet", action="store_true", help="no progress bars")
    common.add_argument("--debug", action="store_true", help="show Python tracebacks")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("compile", parents=[common], help="map a NIR model onto a target")
    c.add_argument("model", help="a NIR file (.nir)")
    c.add_argument("--target", default="loihi2", help="loihi1, loihi2 or spinnaker2")
    c.add_argument("--chips", type=int, help="number of chips (default: the target's)")
    c.add_argument("--dt", type=float, default=1e-3, help="step length in seconds")
    c.add_argument("--max-neurons-per-core", type=int, help="a smaller core size")
    c.add_argument("-o", "--output", required=True, help="program file to write")
    c.set_defaults(func=_compile)

    r = sub.add_parser("run", parents=[common], help="run a compiled program")
    r.add_argument("program", help="a program file written by compile")
    r.add_argument("--input", action="append", metavar="[NAME=]FILE",
                   help="input raster (steps, n): .npy for the only input, NAME=FILE.npy, "
                        "or a .npz of rasters named by input; repeat for several")
    r.add_argument("--steps", type=int, help="steps to run (default: the rasters' length)")
    r.add_argument("-o", "--output", required=True, help="result file to write (.npz)")
    r.set_defaults(func=_run)

    e = sub.add_parser("energy", parents=[common], help="energy and latency of a run")
    e.add_argument("result", help="a result file written by run")
    e.add_argument("--steps-per-inference", type=int, help="steps of one inference")
    e.add_argument("--dvfs", help="a DVFS level of the target (e.g. 0.5V on spinnaker2)")
    e.add_argument("--plot", metavar="PNG", help="write the energy breakdown and traffic map")
    e.add_argument("--json", action="store_true", help="print the report as JSON")
    e.set_defaults(func=_energy)

    t = sub.add_parser("targets", parents=[common], help="list the targets and their limits")
    t.set_defaults(func=_targets)
    return p


def main(argv=None):
    args = parser().parse_args(argv)  # exits 2 on a bad command line
    try:
        args.func(args)
        return EXIT_CODES["ok"]
    except KeyboardInterrupt:
        print("neuroemu: interrupted", file=sys.stderr)
        return 130
    except EmulatorError as error:
        if args.debug:
            raise
        print(f"neuroemu {args.command}: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_CODES[next((code for cls, code in _EXIT_OF if isinstance(error, cls)),
                               "error")]
    except OSError as error:  # a missing or unreadable file
        if args.debug:
            raise
        print(f"neuroemu {args.command}: cannot read or write a file: {error}", file=sys.stderr)
        return EXIT_CODES["input"]
    except Exception as error:  # noqa: BLE001 -- anything else is a bug: say so
        if args.debug:
            raise
        print(f"neuroemu {args.command}: internal error ({type(error).__name__}: {error}); "
              "run again with --debug and report the traceback", file=sys.stderr)
        return EXIT_CODES["internal"]


if __name__ == "__main__":
    sys.exit(main())
