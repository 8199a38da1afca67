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
X11_LINE = "bash .ci/x11-gui-tests"
LINT_LINE = "bash .ci/lint"


def _ci_tail_with(test_command: str) -> str:
    """.ci/run from its README-command section on, with that command replaced by
    `test_command` and the packaging build by an echo."""
    text = (REPO_ROOT / ".ci" / "run").read_text()
    lines = [ln.strip() for ln in text.splitlines()]
    start = lines.index("set +e")
    tail = "\n".join(text.splitlines()[start:])
    assert readme_test_command() in tail and BUILD_LINE in tail and X11_LINE in tail
    assert LINT_LINE in tail
    tail = tail.replace(readme_test_command(), test_command).replace(X11_LINE, "echo on-x11")
    tail = tail.replace(LINT_LINE, "echo linted")
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
    assert ("on-x11" in done.stdout) == (status == 0)
    assert ("linted" in done.stdout) == (status == 0)


def test_both_readme_commands_install_from_the_constraints_file():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    try_it = re.search(r"^## Try it\n+```bash\n(.*?)\n```", readme, re.MULTILINE | re.DOTALL)
    assert try_it, 'README.md has no ```bash block under "Try it"'
    for command in (try_it.group(1), readme_test_command()):
        assert len(command.splitlines()) == 1
        assert re.search(r"\bpip install -c constraints\.txt '?\.", command), command


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_the_constraints_file_pins_every_dependency_exactly():
    import tomllib

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    lines = (REPO_ROOT / "constraints.txt").read_text().splitlines()
    pins = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[A-Za-z0-9_.+-]+", p) for p in pins), pins
    pinned = {_name(p) for p in pins}
    assert wanted <= pinned, wanted - pinned
    assert "bpstudio" not in pinned and "pyinstaller" in pinned
