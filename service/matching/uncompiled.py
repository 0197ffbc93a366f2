"""Running the matcher from its Python source when its compiled extensions are installed.

``setup.py`` compiles the matcher's hot modules with mypyc; the extensions sit beside their
source and Python prefers them. `prefer_source` makes a process load the source of this
package's modules instead (and only theirs: NumPy and rapidfuzz keep their extensions). The
tests and the benchmark use it in a child process to check and measure the source beside
the extensions.
"""

from __future__ import annotations

import os
import sys
from importlib.machinery import SOURCE_SUFFIXES, FileFinder, SourceFileLoader

PACKAGE_DIR = os.path.dirname(__file__)


def prefer_source() -> None:
    """Makes this package's modules load from source when first imported (call it before
    any of them is)."""

    def source_only(path: str) -> FileFinder:
        if path == PACKAGE_DIR:
            return FileFinder(path, (SourceFileLoader, SOURCE_SUFFIXES))
        raise ImportError(path)

    sys.path_hooks.insert(0, source_only)
    sys.path_importer_cache.clear()
