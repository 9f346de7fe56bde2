"""Faults live in conformance/emulator/faults/ only: no other module names one or asks whether one is on.

Box code reaches faults through the declared hook points (`faults.apply(POINT, value)`); it may ask
whether any fault acts at a point (`hooked`), never whether a named fault is active.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conformance.emulator.faults.catalog import CATALOG
from conformance.paths import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "conformance"
FAULTS_FOLDER = PACKAGE / "emulator" / "faults"
# The only fault modules other code may import: the hook points, the Fault type, the catalog (CLI, tests).
IMPORTABLE = {
    "conformance.emulator.faults.hooks",
    "conformance.emulator.faults.model",
    "conformance.emulator.faults.catalog",
}
# "Is fault X on" checks of the old switchboard and registry.
FAULT_CHECKS = re.compile(r"\.active\(|\bREGISTRY\b|FaultSwitchboard|\bis_active\(")


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if FAULTS_FOLDER not in p.parents)


def _names_in(path: Path) -> list[str]:
    names = set(CATALOG.names())
    word = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [w for w in word.findall(node.value) if w in names]
    comments = [line for line in path.read_text(encoding="utf-8").splitlines() if "#" in line]
    found += [w for line in comments for w in word.findall(line.split("#", 1)[1]) if w in names]
    return found


def test_no_module_outside_the_faults_folder_names_a_fault() -> None:
    offenders = {str(p.relative_to(PROJECT_ROOT)): names for p in _modules() if (names := _names_in(p))}
    assert not offenders, f"fault names outside {FAULTS_FOLDER.relative_to(PROJECT_ROOT)}: {offenders}"


def test_no_module_outside_the_faults_folder_checks_a_fault() -> None:
    offenders = []
    for path in _modules():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FAULT_CHECKS.search(line):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_box_code_imports_only_the_hook_points() -> None:
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                inside = module.startswith("conformance.emulator.faults.")
                if inside and module.rsplit(".", 1)[0] not in IMPORTABLE and module not in IMPORTABLE:
                    offenders.append(f"{path.relative_to(PROJECT_ROOT)}: {module}")
    assert not offenders, offenders


def test_the_name_check_can_fail(tmp_path: Path) -> None:
    """The scan finds a fault name in a string and in a comment (so the tests above are not vacuous)."""
    module = tmp_path / "box.py"
    module.write_text('X = "uses v2-page-one-based"  # and ws-spot-pic-path\n', encoding="utf-8")
    assert _names_in(module) == ["v2-page-one-based", "ws-spot-pic-path"]
    assert FAULT_CHECKS.search("if state.faults.active(NAME):")
