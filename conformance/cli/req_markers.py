"""Which conformance tests carry which requirement ids: `@pytest.mark.req` markers, parsed, not imported.

Importing a test module runs its module code (fixtures, plugins, network helpers); the trace only needs
the markers, so the source is parsed. A marker's arguments are read when they are string literals,
tuples of them, module constants (also ones imported from support modules), or calls of the
`*requirement_ids("<literal>", ...)` helpers; anything else (an attribute, a comprehension) is
reported as unread, with its line, rather than guessed.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from conformance.paths import PROJECT_ROOT

SUITE_DIR = PROJECT_ROOT / "conformance" / "suite"
Ids = tuple[str, ...]


def shown(path: Path) -> str:
    """A path relative to the project when it is inside it (how the docs name files), else as given."""
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


@dataclass(frozen=True)
class MarkedTest:
    """One test (or one parameter case of it) and the ids its req markers name."""

    module: Path
    name: str
    line: int
    ids: Ids
    unread: tuple[str, ...] = ()  # marker arguments the scan could not read, as source text

    @property
    def node_id(self) -> str:
        """`conformance/suite/.../test_x.py::test_name[case]`, as pytest names it."""
        return f"{shown(self.module)}::{self.name}"


class _Module:
    """A parsed module's top-level names: constants and what it imports from other conformance modules."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        self.values: dict[str, ast.expr] = {}
        self.imported: dict[str, tuple[str, str]] = {}
        for node in self.tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    self.values[target.id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                self.values[node.target.id] = node.value
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("conformance."):
                for alias in node.names:
                    self.imported[alias.asname or alias.name] = (node.module, alias.name)


@cache
def _parsed(path: Path) -> _Module:
    return _Module(path)


def _module_path(module: str) -> Path | None:
    base = PROJECT_ROOT / Path(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _is_req_marker(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and ast.unparse(node.func) == "pytest.mark.req"


class _Reader:
    """Reads marker arguments of one module to ids; collects what it cannot read."""

    def __init__(self, module: _Module) -> None:
        self.module = module
        self.unread: list[str] = []
        self.bindings: dict[str, ast.expr] = {}  # loop variables of a comprehension being unrolled

    def ids(self, node: ast.expr, module: _Module | None = None) -> Ids:
        here = module or self.module
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return (node.value,)
        if isinstance(node, ast.Tuple | ast.List):
            return tuple(i for element in node.elts for i in self.ids(element, here))
        if isinstance(node, ast.Starred):
            return self.ids(node.value, here)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.ids(node.left, here) + self.ids(node.right, here)
        if isinstance(node, ast.Name):
            return self._name(node, here)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            found = self._helper_call(node.func.id, node.args, here)
            if found is not None:
                return found
        self.unread.append(f"{shown(here.path)}:{node.lineno}: {ast.unparse(node)}")
        return ()

    def _helper_call(self, name: str, args: list[ast.expr], module: _Module) -> Ids | None:
        """`*requirement_ids("<literal>", ...)` helpers of spec and support modules, called for real."""
        texts = [a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        source = module.imported.get(name)
        if not name.endswith("requirement_ids") or source is None or len(texts) != len(args):
            return None
        if source[0].rsplit(".", 1)[-1].startswith("test_"):
            return None
        helper = getattr(importlib.import_module(source[0]), source[1])
        return tuple(str(i) for i in helper(*texts))

    def _name(self, node: ast.Name, module: _Module) -> Ids:
        if node.id in self.bindings and module is self.module:
            return self.ids(self.bindings[node.id], module)
        if node.id in module.values:
            return self.ids(module.values[node.id], module)
        if node.id in module.imported:
            source, name = module.imported[node.id]
            path = _module_path(source)
            if path is not None:
                other = _parsed(path)
                if name in other.values or name in other.imported:
                    return self._name(ast.Name(id=name, lineno=node.lineno), other)
        self.unread.append(f"{shown(module.path)}:{node.lineno}: {node.id}")
        return ()

    def marker_ids(self, node: ast.expr) -> Ids | None:
        """The ids of a marker expression (a req call, a name bound to one, a list of marks); None: no req."""
        if _is_req_marker(node):
            assert isinstance(node, ast.Call)
            return tuple(i for arg in node.args for i in self.ids(arg))
        if isinstance(node, ast.Name) and node.id in self.module.values:
            return self.marker_ids(self.module.values[node.id])
        if isinstance(node, ast.List | ast.Tuple):
            found = [ids for element in node.elts if (ids := self.marker_ids(element)) is not None]
            return tuple(i for ids in found for i in ids) if found else None
        return None


_Function = ast.FunctionDef | ast.AsyncFunctionDef


def _tests(body: list[ast.stmt], prefix: str = "") -> Iterator[tuple[str, _Function]]:
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            yield prefix + node.name, node
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            yield from _tests(node.body, f"{prefix}{node.name}::")


def _pytestmark(reader: _Reader, body: list[ast.stmt]) -> Ids:
    for node in body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            return reader.marker_ids(node.value) or ()
    return ()


def _is_param(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and ast.unparse(node.func) == "pytest.param"


def _param_case(reader: _Reader, node: ast.Call) -> tuple[str, Ids] | None:
    keywords = {k.arg: k.value for k in node.keywords}
    marks = keywords.get("marks")
    ids = reader.marker_ids(marks) if marks is not None else None
    if ids is None:
        return None
    case = keywords.get("id")
    if isinstance(case, ast.Name) and case.id in reader.bindings:
        case = reader.bindings[case.id]
    if isinstance(case, ast.Constant):
        return str(case.value), ids
    return (ast.unparse(node.args[0]) if node.args else "?"), ids


def _rows(reader: _Reader, comprehension: ast.comprehension) -> list[list[ast.expr]] | None:
    """The rows a `for a, b in CONST` / `for a, b in CONST.items()` loop runs over, when CONST is literal."""
    source = comprehension.iter
    call = source.func if isinstance(source, ast.Call) else None
    items = isinstance(call, ast.Attribute) and call.attr == "items"
    if isinstance(call, ast.Attribute) and items:
        source = call.value
    value = reader.module.values.get(source.id) if isinstance(source, ast.Name) else source
    if items and isinstance(value, ast.Dict):
        return [[k, v] for k, v in zip(value.keys, value.values, strict=True) if k is not None]
    if not items and isinstance(value, ast.List | ast.Tuple):
        return [list(row.elts) if isinstance(row, ast.Tuple) else [row] for row in value.elts]
    return None


def _unrolled(reader: _Reader, comp: ast.ListComp) -> Iterator[tuple[str, Ids]]:
    """Cases of `[pytest.param(..., marks=pytest.mark.req(*ids)) for name, ids in CONST.items()]`."""
    if len(comp.generators) != 1 or not _is_param(comp.elt):
        return
    generator = comp.generators[0]
    names = generator.target.elts if isinstance(generator.target, ast.Tuple) else [generator.target]
    rows = _rows(reader, generator)
    if rows is None or not all(isinstance(n, ast.Name) for n in names):
        return
    assert isinstance(comp.elt, ast.Call)
    for row in rows:
        reader.bindings = {n.id: v for n, v in zip(names, row, strict=False) if isinstance(n, ast.Name)}
        case = _param_case(reader, comp.elt)
        if case is not None:
            yield case
    reader.bindings = {}


def _param_cases(reader: _Reader, decorator: ast.expr) -> Iterator[tuple[str, Ids]]:
    """(case id, ids) for every `pytest.param(..., marks=<req>)` in a parametrize decorator."""
    unrolled: set[int] = set()
    named = [
        reader.module.values[node.id]
        for node in ast.walk(decorator)
        if isinstance(node, ast.Name) and isinstance(reader.module.values.get(node.id), ast.List | ast.Tuple)
    ]  # `parametrize("x", CASES)` with CASES a module list of pytest.param
    for node in (n for root in (decorator, *named) for n in ast.walk(root)):
        if isinstance(node, ast.ListComp):
            unrolled.add(id(node.elt))
            yield from _unrolled(reader, node)
        elif _is_param(node) and id(node) not in unrolled:
            assert isinstance(node, ast.Call)
            case = _param_case(reader, node)
            if case is not None:
                yield case


def module_tests(path: Path) -> list[MarkedTest]:
    """Every test of one module with the ids its markers name (module, class and function markers)."""
    module = _parsed(path)
    reader = _Reader(module)
    module_ids = _pytestmark(reader, module.tree.body)
    found: list[MarkedTest] = []
    for name, function in _tests(module.tree.body):
        ids = list(module_ids)
        for decorator in function.decorator_list:
            ids += reader.marker_ids(decorator) or ()
        unread = tuple(reader.unread)
        found.append(MarkedTest(path, name, function.lineno, tuple(dict.fromkeys(ids)), unread))
        for decorator in function.decorator_list:
            for case, case_ids in _param_cases(reader, decorator):
                merged = tuple(dict.fromkeys([*ids, *case_ids]))
                unread = tuple(reader.unread)
                found.append(MarkedTest(path, f"{name}[{case}]", function.lineno, merged, unread))
        reader.unread.clear()
    return found


@cache
def suite_tests() -> tuple[MarkedTest, ...]:
    """Every test of the conformance suite, in path order."""
    paths = sorted(SUITE_DIR.rglob("test_*.py"))
    return tuple(test for path in paths for test in module_tests(path))


def tests_carrying(requirement_id: str, tests: tuple[MarkedTest, ...] | None = None) -> list[MarkedTest]:
    """The tests whose markers name the id."""
    return [test for test in (tests or suite_tests()) if requirement_id in test.ids]


def unread_markers(tests: tuple[MarkedTest, ...] | None = None) -> Mapping[str, tuple[str, ...]]:
    """Tests the scan could not read ids for: node id -> the unread source text (or why none was found).

    Every conformance test names requirements (the plugin refuses one without), so a test with no id
    and nothing unread carries its marker in a form the scan does not know.
    """
    found = list(tests or suite_tests())
    cases = {test.node_id.split("[", 1)[0] for test in found if "[" in test.name and test.ids}
    unread: dict[str, tuple[str, ...]] = {}
    for test in found:
        if test.unread:
            unread[test.node_id] = test.unread
        elif not test.ids and test.node_id not in cases:
            unread[test.node_id] = (f"{shown(test.module)}:{test.line}: no req marker found",)
    return unread
