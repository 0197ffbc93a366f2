"""Builds the package; the matcher's hot modules are compiled to C extensions with mypyc.

Everything else about the package is declared in pyproject.toml. The compiled modules are
the same typed Python source (mypyc compiles what mypy checks), so the package also runs
uncompiled: set ``XREF_PURE_PYTHON=1`` to install without compiling, for instance to debug
the matcher with a Python-level profiler. Comparison and screening are slower then:
``make bench`` measures the source beside the extensions (BENCHMARKS.md).
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup

# The modules every comparison and every screening query runs through: normalisation, keys,
# other scripts, weights, scoring and the candidate index. They import nothing else from the service.
COMPILED_MODULES = [
    "service/matching/phonetics.py",
    "service/matching/scripts.py",
    "service/matching/vocabulary.py",
    "service/matching/frequencies.py",
    "service/matching/normalize.py",
    "service/matching/scorer.py",
    "service/matching/index.py",
]


def compiled_extensions() -> list:
    if os.environ.get("XREF_PURE_PYTHON", "").lower() in ("1", "true", "yes"):
        _remove_in_place_extensions()
        return []
    from mypyc.build import mypycify

    return mypycify(COMPILED_MODULES, opt_level="3", debug_level="0")


def _remove_in_place_extensions() -> None:
    """Removes the extensions an earlier compiled editable install built beside the source:
    Python would load them instead of the source this install is for."""
    root = Path(__file__).resolve().parent
    for module in COMPILED_MODULES:
        for extension in (root / module).parent.glob(Path(module).stem + ".*.so"):
            extension.unlink()
    for library in root.glob("*__mypyc.*.so"):
        library.unlink()


setup(ext_modules=compiled_extensions())
