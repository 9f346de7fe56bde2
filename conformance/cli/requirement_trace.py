"""One requirement's trace: its statement and source, the schema nodes, checks, tests, faults and kill tests.

The CLI layer may import every other layer, so the trace reads each where it is declared: schema nodes
from schemas/ (`x-requirements`), checks from the check registry and `checks.requirement_ids`, tests
from the suite's req markers (parsed, not imported), faults from the emulator's fault catalog as JSON
(the same JSON `GET /_emulator/faults` serves), and kill tests from the family of each fault
(`tests/kill/test_<family>.py` runs the faults of that family file).
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from conformance.cli.req_markers import MarkedTest, tests_carrying
from conformance.paths import PROJECT_ROOT
from conformance.spec.interface_documents import interface_documents
from conformance.spec.requirements import Requirement, load_requirements
from conformance.spec.schema_requirements import schema_nodes_carrying

KILL_TESTS_DIR = PROJECT_ROOT / "tests" / "kill"
FAULTS_DIR = PROJECT_ROOT / "conformance" / "emulator" / "faults"


def relative(path: Path | str) -> str:
    """A project path as the docs write it (relative to the project root)."""
    return str(Path(path).resolve().relative_to(PROJECT_ROOT))


@cache
def fault_catalog() -> tuple[dict[str, Any], ...]:
    """Every fault and variation as the control plane serves them (name, requirements, family, kind, ...)."""
    from conformance.emulator.faults.catalog import CATALOG

    return tuple(CATALOG.as_json())


def family_file(family: str) -> Path:
    """The faults folder's file of one family."""
    return FAULTS_DIR / f"{family}.py"


def kill_test_file(family: str) -> Path:
    """The kill tests of one family mirror its fault file."""
    return KILL_TESTS_DIR / f"test_{family}.py"


@dataclass(frozen=True)
class CheckRef:
    """A check that names the requirement, for which interface (None: for any data it judges)."""

    name: str
    interface: str | None
    module: str

    def describe(self) -> str:
        """`meta.score_monotonic [v2]  conformance/checks/metamorphic.py`."""
        scope = f" [{self.interface}]" if self.interface else ""
        return f"{self.name}{scope}  {self.module}"


@cache
def _check_modules() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Check name -> (module file, registry default ids), importing conformance.checks to register them."""
    from conformance.checks.check_registry import CHECKS

    importlib.import_module("conformance.checks")  # importing the package registers every check
    return {
        info.name: (relative(inspect.getfile(sys.modules[info.function.__module__])), info.requirements)
        for info in CHECKS
    }


def checks_naming(requirement_id: str) -> list[CheckRef]:
    """Checks whose registry defaults or per-interface ids (`checks.requirement_ids`) name the id."""
    from conformance.checks.requirement_ids import BY_INTERFACE

    modules = _check_modules()
    found: list[CheckRef] = []
    for name, by_interface in BY_INTERFACE.items():
        module = modules.get(name, ("(not registered)", ()))[0]
        found += [CheckRef(name, on, module) for on, ids in by_interface.items() if requirement_id in ids]
    listed = {ref.name for ref in found}
    for name, (module, defaults) in modules.items():
        if requirement_id in defaults and name not in listed:
            found.append(CheckRef(name, None, module))
    return found


def faults_naming(requirement_id: str) -> list[dict[str, Any]]:
    """Catalog entries (faults and variations) that name the id, in catalog order."""
    return [fault for fault in fault_catalog() if requirement_id in fault.get("requirements", ())]


@dataclass(frozen=True)
class RequirementTrace:
    """Everything that carries one requirement, each as a path a reader can open."""

    requirement: Requirement
    schema_nodes: tuple[str, ...]
    documents: tuple[str, ...]
    checks: tuple[CheckRef, ...]
    tests: tuple[MarkedTest, ...]
    faults: tuple[dict[str, Any], ...]

    def kill_tests(self) -> list[str]:
        """`tests/kill/test_<family>.py [fault]` for every fault that names the requirement."""
        lines = []
        for fault in self.faults:
            path = kill_test_file(fault["family"])
            missing = "" if path.is_file() else "  (file missing)"
            lines.append(f"{relative(path)}  [{fault['name']}]{missing}")
        return lines


def trace(requirement_id: str) -> RequirementTrace:
    """The trace of one id; an unknown id raises UnknownRequirement (its message names close ids)."""
    requirement = load_requirements().get(requirement_id)
    documents = interface_documents()[requirement.interface]
    api = [f"{node}  ({', '.join(documents.schema_files()) or 'no JSON schema'})" for node in documents.nodes]
    if not documents.nodes:
        api = [f"{', '.join(documents.schema_files())} (served at {', '.join(documents.box_paths)})"]
    return RequirementTrace(
        requirement=requirement,
        schema_nodes=tuple(node.describe() for node in schema_nodes_carrying(requirement_id)),
        documents=tuple(api),
        checks=tuple(checks_naming(requirement_id)),
        tests=tuple(tests_carrying(requirement_id)),
        faults=tuple(faults_naming(requirement_id)),
    )


def _section(title: str, lines: Sequence[str]) -> list[str]:
    return [f"{title} ({len(lines)}):", *(f"  {line}" for line in lines or ["none"])]


def render_trace(found: RequirementTrace) -> str:
    """The trace as text: statement and source, then one section per kind of carrier."""
    requirement, source = found.requirement, found.requirement.source
    faults = [
        f"{f['name']} ({f['kind']}, {relative(family_file(f['family']))}): {f.get('description', '')}"
        for f in found.faults
    ]
    lines = [
        f"{requirement.id} [{requirement.level.value}] {requirement.interface} / {requirement.area}",
        f"  {requirement.statement}",
        f"  source: {source.link()} §{source.section}: {source.quote}",
        *_section("schema nodes", found.schema_nodes),
        *_section("API documents of its interface", found.documents),
        *_section("checks", [check.describe() for check in found.checks]),
        *_section("suite tests", [test.node_id for test in found.tests]),
        *_section("faults", faults),
        *_section("kill tests", found.kill_tests()),
    ]
    return "\n".join(lines) + "\n"
