"""Tests that CI runs exactly the test command the README gives, then the packaging build only
if it passed. Headless: must not import Qt."""

import re
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
TESTS_HEADING = "Run the tests"


def readme_test_command() -> str:
    """The command in the first ```bash block under the README's "Run the tests" heading."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    heading = re.search(rf"^#+\s*{re.escape(TESTS_HEADING)}\s*$", readme, re.MULTILINE)
    assert heading, f'README.md has no "{TESTS_HEADING}" heading'
    block = re.search(r"^```bash\n(.*?)^```", readme[heading.end() :], re.MULTILINE | re.DOTALL)
    assert block, f'README.md has no ```bash block under "{TESTS_HEADING}"'
    lines = [ln.strip() for ln in block.group(1).splitlines()]
    commands = [ln for ln in lines if ln and not ln.startswith("#")]
    assert len(commands) == 1, f"expected one command line in the README block, got {commands}"
    return commands[0]


def test_readme_test_command_runs_pytest():
    assert "pytest" in readme_test_command()


def test_ci_runs_the_readme_test_command_verbatim():
    """.ci/run must contain the README's test command as one whole, uncommented line."""
    ci_lines = [ln.strip() for ln in (REPO_ROOT / ".ci" / "run").read_text().splitlines()]
    command = readme_test_command()
    assert ci_lines.count(command) == 1, f".ci/run must run, on a line of its own: {command}"


BUILD_LINE = "bash packaging/build.sh"


def _ci_tail_with(test_command: str) -> str:
    """.ci/run from its README-command section on, with that command replaced by
    `test_command` and the packaging build by an echo."""
    text = (REPO_ROOT / ".ci" / "run").read_text()
    lines = [ln.strip() for ln in text.splitlines()]
    start = lines.index("set +e")
    tail = "\n".join(text.splitlines()[start:])
    assert readme_test_command() in tail and BUILD_LINE in tail
    tail = tail.replace(readme_test_command(), test_command)
    return "set -euo pipefail\n" + tail.replace(BUILD_LINE, "echo building")


@pytest.mark.parametrize(
    ("test_command", "status"),
    [("false && true", 1), ("true && (exit 5)", 5), ("true && true", 0)],
    ids=["an early step fails", "pytest fails", "all pass"],
)
def test_ci_builds_the_app_only_after_the_test_command_passed(test_command, status):
    """The packaging build comes after the README command, and any failure in that command's
    && chain (where `set -e` does not stop) ends CI with its status, before the build."""
    done = subprocess.run(
        ["bash", "-c", _ci_tail_with(test_command)], capture_output=True, text=True
    )
    assert done.returncode == status, done.stdout + done.stderr
    assert ("building" in done.stdout) == (status == 0)
