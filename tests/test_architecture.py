"""ARCHITECTURE.md's layer table is the import rule, and every module under conformance/ obeys it.

The table lists, per package (and per top-level module), the conformance packages and the third-party
packages (import names) it may import. This test reads that table, scans every module's imports with `ast`
(plain and relative imports, imports inside functions and TYPE_CHECKING blocks, and every string that
names a conformance module, which covers `importlib.import_module(...)`, `__import__` and `-p` plugin
names), and fails on an import the table does not allow, on a package the table does not list, and on
a module outside the suite that imports a collected test module.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

import conformance

PACKAGE_DIR = Path(conformance.__file__).resolve().parent
ARCHITECTURE = PACKAGE_DIR.parent / "ARCHITECTURE.md"
TABLE_HEADER = "| layer | job | may import | third-party |"
#: Modules every layer may import: the package root (its version), the project paths, the exit codes.
FOUNDATION = frozenset({"conformance", "paths", "exit_codes"})
MODULE_NAME = re.compile(r"conformance(?:\.\w+)+")
BACKTICKED = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Rule:
    """What one layer may import: conformance layers (as the table names them), third-party import names."""

    layer: str
    layers: frozenset[str]
    third_party: frozenset[str]
    everything: bool


def layer_table(text: str) -> dict[str, Rule]:
    """The rules of ARCHITECTURE.md's layer table (`everything` in the may-import cell allows all)."""
    lines = text.splitlines()
    start = lines.index(TABLE_HEADER) + 2
    rules: dict[str, Rule] = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == 4, f"a layer row needs 4 cells: {line}"
        may_import, third_party = BACKTICKED.findall(cells[2]), BACKTICKED.findall(cells[3])
        for name in BACKTICKED.findall(cells[0]):
            rules[name] = Rule(
                layer=name,
                layers=frozenset(may_import),
                third_party=frozenset(third_party),
                everything="everything" in cells[2],
            )
    return rules


def layer_of_path(path: Path) -> str:
    """`spec` for conformance/spec/..., `paths` for conformance/paths.py, `__main__` for the entry module."""
    first = path.relative_to(PACKAGE_DIR).parts[0]
    return "__init__" if first == "__init__.py" else first.removesuffix(".py")


def layer_of_module(module: str) -> str | None:
    """The layer a dotted conformance module belongs to; None for other packages."""
    parts = module.split(".")
    if parts[0] != "conformance":
        return None
    return "conformance" if len(parts) == 1 else parts[1]


def package_name(path: Path) -> str:
    """The dotted name of the package a module file is in (a package's __init__ is in the package itself)."""
    return ".".join(path.relative_to(PACKAGE_DIR.parent).parent.parts)


def imported_modules(source: str, package: str) -> Iterator[tuple[int, str]]:
    """(line, module) for every import and every string naming a conformance module in a module's source.

    `package` is the dotted package of the module, against which relative imports resolve.
    """
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{module}" if module else base
            if module == "conformance":  # `from conformance import emulator` imports the emulator
                yield from ((node.lineno, _root_member(alias.name)) for alias in node.names)
            elif module:
                yield node.lineno, module
        elif isinstance(node, ast.Constant) and MODULE_NAME.fullmatch(str(node.value)):
            yield node.lineno, str(node.value)


def _root_member(name: str) -> str:
    """`conformance.<name>` for a module or package of the root, else `conformance` (an attribute)."""
    is_module = (PACKAGE_DIR / name).is_dir() or (PACKAGE_DIR / f"{name}.py").is_file()
    return f"conformance.{name}" if is_module else "conformance"


@cache
def _providers() -> dict[str, list[str]]:
    return dict(packages_distributions())


def distributions(import_name: str) -> set[str]:
    """The installed distributions that provide a top-level import name (`_pytest` and `pytest`: pytest)."""
    return set(_providers().get(import_name, [import_name]))


def is_test_module(module: str) -> bool:
    """A collected conformance test module (conformance.suite...test_*)."""
    return module.startswith("conformance.suite.") and module.rsplit(".", 1)[-1].startswith("test_")


def violations(path: Path, rules: dict[str, Rule]) -> list[str]:
    """One line per import of the module at `path` that its layer's rule forbids."""
    source = path.read_text(encoding="utf-8")
    where = str(path.relative_to(PACKAGE_DIR.parent))
    return source_violations(source, package_name(path), rules[layer_of_path(path)], where)


def source_violations(source: str, package: str, rule: Rule, where_prefix: str) -> list[str]:
    """One line per import in a module's source that the rule of its layer forbids."""
    layer = rule.layer
    found: list[str] = []
    for line, module in imported_modules(source, package):
        target = layer_of_module(module)
        where = f"{where_prefix}:{line} imports {module}"
        if target is None:
            top = module.split(".")[0]
            if top in sys.stdlib_module_names or top == "__future__" or rule.everything:
                continue
            if not distributions(top) & {d for name in rule.third_party for d in distributions(name)}:
                found.append(f"{where} (third-party {top!r} is not allowed for {layer})")
            continue
        if is_test_module(module) and layer != "suite":
            found.append(f"{where} (a collected test module)")
        if target == layer or target in FOUNDATION or rule.everything:
            continue
        if target not in rule.layers:
            found.append(f"{where} ({layer} may not import {target})")
    return found


def _modules() -> list[Path]:
    return sorted(PACKAGE_DIR.rglob("*.py"))


def _rules() -> dict[str, Rule]:
    return layer_table(ARCHITECTURE.read_text(encoding="utf-8"))


def test_checker_finds_every_form_of_import() -> None:
    source = (
        "import conformance.emulator.server\n"
        "from conformance import __version__, receiver\n"
        "from conformance.receiver import start_receiver_thread\n"
        "from . import sibling\n"
        "from ..checks import paging\n"
        "def later():\n"
        "    from conformance.cli import main\n"
        "mod = __import__('conformance.emulator.store')\n"
        "plugin = importlib.import_module('conformance.suite.plugin')\n"
        "text = 'conformance is not a module name here'\n"
    )
    assert [module for _line, module in imported_modules(source, "conformance.suite.support")] == [
        "conformance.emulator.server",
        "conformance",
        "conformance.receiver",
        "conformance.receiver",
        "conformance.suite.support",
        "conformance.suite.checks",
        "conformance.cli",
        "conformance.emulator.store",
        "conformance.suite.plugin",
    ]


def test_checker_reports_forbidden_layers_third_party_and_test_modules() -> None:
    rule = Rule("checks", frozenset({"spec"}), frozenset({"PIL"}), everything=False)
    source = (
        "import json\nimport PIL.Image\nimport requests\nimport _pytest.mark\n"
        "from conformance.spec import catalog\n"
        "from conformance.paths import PROJECT_ROOT\nfrom conformance.clients import curl\n"
        "from . import findings\n"
        "name = 'conformance.suite.interfaces.query.test_query_paging'\n"
    )
    found = source_violations(source, "conformance.checks", rule, "probe.py")
    assert [line.split(" (", 1)[1] for line in found] == [
        "third-party 'requests' is not allowed for checks)",
        "third-party '_pytest' is not allowed for checks)",
        "checks may not import clients)",
        "a collected test module)",
        "checks may not import suite)",
    ]


def test_table_lists_every_package_and_top_level_module() -> None:
    """A package the table does not list has no rule; a row for a missing package is a stale rule."""
    rules = _rules()
    present = {layer_of_path(path) for path in _modules()}
    assert sorted(present - set(rules)) == [], "packages missing from ARCHITECTURE.md's layer table"
    assert sorted(set(rules) - present) == [], "rows in ARCHITECTURE.md's layer table name no package"
    named = {name for rule in rules.values() for name in rule.layers}
    assert sorted(named - set(rules)) == [], "may-import cells name unknown layers"


@pytest.mark.parametrize("layer", sorted({layer_of_path(path) for path in _modules()}))
def test_layer_imports_only_what_the_table_allows(layer: str) -> None:
    rules = _rules()
    modules = [path for path in _modules() if layer_of_path(path) == layer]
    offenders = [line for path in modules for line in violations(path, rules)]
    assert offenders == [], "\n".join(offenders)


def test_suite_and_box_layers_stay_apart() -> None:
    """The rule the design rests on: the suite reaches boxes over sockets, boxes never know the harness."""
    rules = _rules()
    assert not rules["suite"].layers & {"emulator", "receiver", "cli", "mutants"}
    for box in ("emulator", "receiver"):
        assert rules[box].layers <= {"spec", "scenarios"}, box
    for layer, rule in rules.items():
        if layer not in ("cli", "__main__"):
            assert "cli" not in rule.layers and not rule.everything, layer


def layers_in_a_cycle(rules: dict[str, Rule]) -> list[str]:
    """Layers that can reach themselves by following may-import (cli, which may import all, is left out)."""

    def reachable(layer: str) -> set[str]:
        found: set[str] = set()
        pending = list(rules[layer].layers)
        while pending:
            target = pending.pop()
            if target not in found and target in rules:
                found.add(target)
                pending += rules[target].layers
        return found

    return sorted(layer for layer, rule in rules.items() if not rule.everything and layer in reachable(layer))


def test_cycle_finder_finds_a_cycle() -> None:
    rules = {
        name: Rule(name, frozenset(targets), frozenset(), everything=False)
        for name, targets in {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}.items()
    }
    assert layers_in_a_cycle(rules) == ["a", "b", "c"]


def test_layers_form_no_cycle() -> None:
    """Layers stack: following may-import from a layer never leads back to it."""
    assert layers_in_a_cycle(_rules()) == []
