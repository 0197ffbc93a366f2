"""The layers hold at import time: the domain never loads Flask, the matcher never SQLAlchemy.

Each module is imported alone in a fresh interpreter, since any earlier import in the test
process (conftest loads the app) would hide what the module itself pulls in. import-linter
(`make check`) checks the imports between the service's own packages; this checks the third-
party frameworks they reach, through any chain.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import service

ROOT = Path(__file__).resolve().parents[1]

# The HTTP edge: the modules whose job is to speak Flask (or to start the server that does).
WEB_EDGE_PACKAGES = ("service.api", "service.console")
WEB_EDGE_MODULES = {
    "service.app",
    "service.web",
    "service.cli",
    "service.request_log",
    "service.jobs.gunicorn_hooks",
    "service.jobs.serving",
    "service.security.middleware",
    "service.security.access",
    "service.security.ratelimit",
    "service.security.body_size",
}

ALL_MODULES = sorted(
    info.name for info in pkgutil.walk_packages(service.__path__, prefix="service.")
)
DOMAIN_MODULES = [
    name for name in ALL_MODULES
    if name not in WEB_EDGE_MODULES
    and not any(name == p or name.startswith(p + ".") for p in WEB_EDGE_PACKAGES)
]
MATCHING_MODULES = [name for name in ALL_MODULES if name.startswith("service.matching")]

_PROBE = (
    "import importlib, json, sys; importlib.import_module(sys.argv[1]); "
    "print(json.dumps({'flask': 'flask' in sys.modules, "
    "'sqlalchemy': 'sqlalchemy' in sys.modules}))"
)


@pytest.fixture(scope="module")
def loaded_frameworks() -> dict[str, dict[str, bool]]:
    """Gives, for every module, which frameworks importing it alone loads (run side by side)."""
    modules = sorted(set(DOMAIN_MODULES) | set(MATCHING_MODULES))
    processes = {
        name: subprocess.Popen([sys.executable, "-c", _PROBE, name], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in modules
    }
    found = {}
    for name, process in processes.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, f"importing {name} failed:\n{err}"
        found[name] = json.loads(out)
    return found


def test_the_walk_finds_the_packages() -> None:
    assert "service.errors" in DOMAIN_MODULES
    assert "service.security.keys" in DOMAIN_MODULES
    assert "service.matching.scorer" in MATCHING_MODULES
    assert "service.api.screening" not in DOMAIN_MODULES


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_the_domain_does_not_load_flask(module: str,
                                        loaded_frameworks: dict[str, dict[str, bool]]) -> None:
    assert not loaded_frameworks[module]["flask"]


@pytest.mark.parametrize("module", MATCHING_MODULES)
def test_the_matcher_does_not_load_sqlalchemy(
        module: str, loaded_frameworks: dict[str, dict[str, bool]]) -> None:
    assert not loaded_frameworks[module]["sqlalchemy"]


def test_creating_a_key_on_the_command_line_loads_no_flask(database_url: str) -> None:
    # `xref keys create` is run on servers being set up, where the web stack has no business.
    script = (
        "import sys; from click.testing import CliRunner; from service.cli import main; "
        "result = CliRunner().invoke(main, ['keys', 'create', '--name', 'ops', "
        "'--scopes', 'read']); "
        "assert result.exit_code == 0, result.output; print('flask' in sys.modules)"
    )
    env = {**os.environ, "XREF_DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
