"""Builds the C++ kernel emulator._core from csrc/ (metadata lives in pyproject.toml)."""
import glob

from pybind11.setup_helpers import Pybind11Extension, build_ext
from setuptools import setup

kernel = Pybind11Extension(
    "emulator._core",
    sorted(glob.glob("csrc/*.cpp")),
    include_dirs=["csrc"],
    cxx_std=17,
    # -O3 for the step loops; no -march=native, so a built wheel runs on any x86-64;
    # no fused multiply-adds, so trace decay rounds exactly as numpy does.
    extra_compile_args=["-O3", "-fno-math-errno", "-ffp-contract=off"],
)

setup(ext_modules=[kernel], cmdclass={"build_ext": build_ext})
