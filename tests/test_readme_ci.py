"""Tests that CI runs exactly the test command the README gives. Headless: must not import Qt."""

import re
from pathlib import Path

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
