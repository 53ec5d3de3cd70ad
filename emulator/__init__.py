"""emulator: a bit-accurate neuromorphic hardware emulator.

    net = emulator.Network()
    x = net.input(100, name="x")
    h = net.population(50, emulator.LIF(du=410, dv=410, vth=200), name="h")
    net.connect(x, h, weights=W)
    program = emulator.compile(net, target="loihi2")
    result = emulator.Simulator(program).run(100, inputs={"x": raster})
    report = emulator.energy.estimate(result)

Plastic connections learn on chip: net.connect(x, h, W, rule=emulator.LearningRule(...))
(see emulator.learning for the rule syntax and the ready-made stdp rules).

Float networks (float weights, emulator.FloatLIF time constants and thresholds) convert
to the integer formats with emulator.quantize(net, target, dt=...), which reports the
error of every converted quantity; compile(net, target, dt=...) runs it when needed.
"""
from . import energy, errors, io, learning, metrics, targets
from .compiler import compile
from .compiler.program import Program
from .errors import (EmulatorError, FileFormatError, InputError, ParameterRangeError,
                     PayloadRangeError, ProgramFormatError, ResourceLimitError, RuleSyntaxError,
                     RunInterrupted, ShapeError, SimulatorBusyError, UnknownNameError,
                     UnsupportedFeatureError)
from .learning import LearningRule
from .memory import memory_limit, set_memory_limit
from .network import Connection, Input, Network, Population
from .neurons import LIF, Delta, FloatLIF, ResonateFire, Sigma, SigmaDelta
from .quantize import Quantization, quantize
from .runtime import Result, Simulator

__version__ = "0.1.0"

__all__ = ["Network", "Input", "Population", "Connection", "LIF", "SigmaDelta", "Delta",
           "Sigma", "ResonateFire", "FloatLIF", "quantize", "Quantization", "LearningRule", "learning", "compile", "Program",
           "Simulator", "Result", "energy", "io", "metrics", "targets", "errors", "EmulatorError",
           "InputError", "ParameterRangeError", "PayloadRangeError", "ProgramFormatError",
           "FileFormatError", "ResourceLimitError", "RuleSyntaxError", "ShapeError",
           "SimulatorBusyError", "RunInterrupted", "UnknownNameError", "UnsupportedFeatureError",
           "memory_limit", "set_memory_limit"]
