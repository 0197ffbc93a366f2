"""Builds the package; the matcher's hot modules are compiled to C extensions with mypyc.

Everything else about the package is declared in pyproject.toml. The compiled modules are
the same typed Python source (mypyc compiles what mypy checks), so the package also runs
uncompiled: set ``XREF_PURE_PYTHON=1`` to install without compiling, for instance to debug
the matcher with a Python-level profiler. Screening and comparison are about 1.5-2.5 times
slower then (BENCHMARKS.md).
"""

from __future__ import annotations

import os
import sys

from setuptools import setup

# The modules every comparison and every screening query runs through: normalisation, keys,
# weights, scoring and the candidate index. They import nothing else from the service.
COMPILED_MODULES = [
    "service/matching/phonetics.py",
    "service/matching/vocabulary.py",
    "service/matching/frequencies.py",
    "service/matching/normalize.py",
    "service/matching/scorer.py",
    "service/matching/index.py",
]


def compiled_extensions() -> list:
    if os.environ.get("XREF_PURE_PYTHON", "").lower() in ("1", "true", "yes"):
        return []
    from mypyc.build import mypycify

    return mypycify(COMPILED_MODULES, opt_level="3", debug_level="0")


if __name__ == "__main__" or "setuptools" in sys.modules:
    setup(ext_modules=compiled_extensions())
