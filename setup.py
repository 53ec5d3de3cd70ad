"""Builds the C++ kernel emulator._core from csrc/ (metadata lives in pyproject.toml).

EMULATOR_SANITIZE=1 builds it with AddressSanitizer and UndefinedBehaviorSanitizer, and
with signed overflow undefined (-fno-wrapv) so that UBSan reports it: the build .ci/sanitize
tests the kernel with (load it with libasan preloaded; see that script).
"""
import glob
import os

from pybind11.setup_helpers import Pybind11Extension, build_ext
from setuptools import setup

# -O3 for the step loops; no -march=native, so a built wheel runs on any x86-64; no fused
# multiply-adds, so trace decay rounds exactly as numpy does.
flags = ["-O3", "-fno-math-errno", "-ffp-contract=off"]
link = []
if os.environ.get("EMULATOR_SANITIZE"):
    sanitize = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
                "-fno-wrapv", "-fno-omit-frame-pointer", "-g"]
    flags = ["-O1", "-fno-math-errno", "-ffp-contract=off"] + sanitize
    link = sanitize

kernel = Pybind11Extension(
    "emulator._core",
    sorted(glob.glob("csrc/*.cpp")),
    include_dirs=["csrc"],
    cxx_std=17,
    extra_compile_args=flags,
    extra_link_args=link,
)

setup(ext_modules=[kernel], cmdclass={"build_ext": build_ext})
