"""The README's two commands, .ci/run and the packaging agree, so a fresh machine runs what it says."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from conformance.cli.main import SUBCOMMANDS, build_parser
from conformance.cli.run_cmd import HYPOTHESIS_PROFILES
from conformance.suite.hypothesis_profiles import PROFILES
from tests.conftest import deal_to_shares

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text)[:2]


def test_readme_opens_with_two_commands() -> None:
    head = (ROOT / "README.md").read_text(encoding="utf-8").split("## ", 1)[0]
    commands = _readme_commands()
    assert len(commands) == 2
    assert all(command in head for command in commands)
    assert commands[0].endswith("sophon-conformance run")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _readme_commands()[1] in ci_script.splitlines()
    assert "-eq 5" in ci_script


def test_console_script_and_plugin_entry_points() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["sophon-conformance"] == "conformance.cli.main:main"
    assert project["entry-points"]["pytest11"]["sophon_conformance"] == "conformance.suite.plugin"


def test_every_locked_package_is_pinned() -> None:
    lines = [
        line
        for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert lines
    assert all("==" in line for line in lines), [line for line in lines if "==" not in line]


def test_cli_builds_every_subcommand_present() -> None:
    _parser, modules = build_parser()
    assert set(modules) <= set(SUBCOMMANDS)
    assert "validate" in modules


def test_each_xdist_worker_starts_its_share_with_its_turn_of_the_longest_tests() -> None:
    """Work stealing hands worker i the i-th contiguous share; dealt round-robin, the longest tests (front of
    the list) open the shares side by side, and no test is lost or repeated."""
    items = list(range(103))
    dealt = deal_to_shares(items, 4)
    assert sorted(dealt) == items
    sizes, left = [], len(items)
    for remaining in (4, 3, 2, 1):  # xdist's worksteal: what is left over the workers left
        sizes.append(left // remaining)
        left -= sizes[-1]
    starts = [sum(sizes[:i]) for i in range(4)]
    assert [dealt[start] for start in starts] == [0, 1, 2, 3]
    assert [dealt[start + 1] for start in starts] == [4, 5, 6, 7]
    assert deal_to_shares(items, 1) == items and deal_to_shares([], 4) == []


def test_tests_sharing_a_module_fixture_are_dealt_to_one_worker() -> None:
    """A module fixture is built once per worker that runs its tests: dealt apart (as single tests are), the
    two tests of the busy query-area run built that 130 s run twice; grouped, they open one share together."""
    items = [("area", 0), ("area", 1), ("quick", 0), ("quick", 1), *(("short", n) for n in range(96))]

    def group_of(item: tuple[str, int]) -> object:
        return item[0] if item[0] == "area" else item

    dealt = deal_to_shares(items, 4, group_of)
    assert sorted(dealt) == sorted(items)
    starts = [0, 25, 50, 75]  # four shares of 25
    assert dealt[0:2] == [("area", 0), ("area", 1)]
    assert [dealt[start] for start in starts[1:]] == [("quick", 0), ("quick", 1), ("short", 0)]


def test_the_cli_offers_every_hypothesis_profile_the_suite_registers() -> None:
    assert HYPOTHESIS_PROFILES == PROFILES


def test_processes_the_session_starts_share_one_bytecode_cache_outside_the_checkout() -> None:
    """Without it every worker and every `run` a test starts recompiles and re-rewrites all it imports."""
    probe = "import sys; print(sys.dont_write_bytecode); print(sys.pycache_prefix)"
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    dont_write, prefix = shown.stdout.splitlines()
    assert dont_write == "False"
    assert prefix not in ("", "None") and not Path(prefix).resolve().is_relative_to(ROOT)
