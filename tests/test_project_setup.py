"""The README's two commands, .ci/run and the packaging agree, so a fresh machine runs what it says."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from conformance.cli.main import SUBCOMMANDS, build_parser

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
