"""Shared by the command-line tests: `run_cli` runs the real `bpstudio` command in a
subprocess; `run_main` runs the command line's `main()` in this process, the quick way for
the many cases of bad input. Headless: must not import Qt.

Test modules get `run_cli` and `run_main` as fixtures of the same name (importing from a
conftest is fragile when several folders have one).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import bpstudio
from bpstudio.cli import main
from bpstudio.resources import examples_dir

# The bpstudio this test process imports; the subprocess runs the same one, whatever the
# current directory and whether or not bpstudio is installed.
PACKAGE_ROOT = str(Path(bpstudio.__file__).resolve().parent.parent)
TIMEOUT = 120


@dataclass(frozen=True)
class Result:
    """What one run of the command did."""

    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(
    *args: object,
    cwd: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
) -> Result:
    """Runs `python -m bpstudio ARGS` (paths and numbers converted to text) and returns its exit
    status, stdout and stderr; `env` adds or overrides environment variables. Every run in
    these tests goes through here, so no command may ever print a Python traceback."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_ROOT, env.get("PYTHONPATH")]))
    argv = _argv(args)
    # -P: no current directory on sys.path, so PYTHONPATH alone picks the bpstudio
    done = subprocess.run(
        [sys.executable, "-P", "-m", "bpstudio", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=TIMEOUT,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return Result(done.returncode, done.stdout, done.stderr)


def run_main(*args: object) -> Result:
    """Runs `bpstudio.cli.main(ARGS)` in this process and returns its exit status and what it
    printed to stdout and stderr. An exception it does not answer fails the test."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main(_argv(args))
        except SystemExit as exit_:
            code = exit_.code
    return Result(code, stdout.getvalue(), stderr.getvalue())


def _argv(args: tuple[object, ...]) -> list[str]:
    """`args` as command-line words: paths and numbers converted to text."""
    return [os.fspath(a) if isinstance(a, os.PathLike) else str(a) for a in args]


@pytest.fixture(name="run_cli", scope="session")
def run_cli_fixture():
    """`run_cli`, for tests and for shared fixtures of any scope."""
    return run_cli


@pytest.fixture(name="run_main", scope="session")
def run_main_fixture():
    """`run_main`, for tests and for shared fixtures of any scope."""
    return run_main


@pytest.fixture(name="examples", scope="session")
def examples_fixture() -> Path:
    """The folder of the bundled example documents."""
    return examples_dir()
