"""The suite talks to the emulator and receiver over sockets only: its modules never import them."""

from __future__ import annotations

import ast
from pathlib import Path

import conformance.suite

SUITE_DIR = Path(conformance.suite.__file__).parent
FORBIDDEN = ("conformance.emulator", "conformance.receiver")
WIRING = {"embedded.py"}  # starts the servers for a process, inside functions only


def forbidden_imports(source: str) -> list[str]:
    """Every import (or importlib string) of a forbidden package in a module's source."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value]
        found += [name for name in names if name.startswith(FORBIDDEN)]
    return found


def test_checker_finds_every_form_of_import() -> None:
    source = (
        "import conformance.emulator.server\n"
        "from conformance.receiver import start_receiver_thread\n"
        "mod = __import__('conformance.emulator.store')\n"
        "from conformance.clients import http_client\n"
    )
    assert forbidden_imports(source) == [
        "conformance.emulator.server",
        "conformance.receiver",
        "conformance.emulator.store",
    ]


def test_suite_modules_import_nothing_from_emulator_or_receiver() -> None:
    modules = [path for path in SUITE_DIR.rglob("*.py") if path.name not in WIRING]
    assert any(path.parent.name == "areas" for path in modules), "no conformance test modules found"
    offenders = {
        str(path.relative_to(SUITE_DIR)): hits
        for path in modules
        if (hits := forbidden_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_wiring_imports_servers_only_inside_functions() -> None:
    for name in WIRING:
        tree = ast.parse((SUITE_DIR / name).read_text(encoding="utf-8"))
        top_level = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
        names = [(n.module or "") if isinstance(n, ast.ImportFrom) else n.names[0].name for n in top_level]
        assert not [name for name in names if name.startswith(FORBIDDEN)]
