"""The suite's layout: collected tests in interfaces/<family>/, support code in support/, fixtures through
conftest.py files — no helper module among the tests and no `noqa: F401` fixture import anywhere."""

from __future__ import annotations

from pathlib import Path

import conformance.suite

SUITE_DIR = Path(conformance.suite.__file__).parent
INTERFACES_DIR = SUITE_DIR / "interfaces"
FAMILIES = {"query", "search", "push", "upload", "small", "cross"}
ALLOWED_NAMES = {"__init__.py", "conftest.py"}


def misplaced_modules(interfaces: Path) -> list[str]:
    """Modules under the collected tree that are neither a test module, a conftest nor a package marker."""
    return sorted(
        str(path.relative_to(interfaces))
        for path in interfaces.rglob("*.py")
        if path.name not in ALLOWED_NAMES and not path.name.startswith("test_")
    )


def noqa_unused_imports(root: Path) -> list[str]:
    """`path:line` of every line that silences an unused import (the old way to pull in fixtures)."""
    return sorted(
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "noqa: F401" in line
    )


def test_checkers_find_a_helper_among_tests_and_a_noqa_import(tmp_path: Path) -> None:
    family = tmp_path / "query"
    family.mkdir()
    for name in ("__init__.py", "conftest.py", "test_query_paging.py"):
        (family / name).write_text('"""ok"""\n', encoding="utf-8")
    (family / "query_calls.py").write_text(
        "from x import box_window_fixture  # noqa: F401 - fixtures\n", encoding="utf-8"
    )
    assert misplaced_modules(tmp_path) == ["query/query_calls.py"]
    assert noqa_unused_imports(tmp_path) == ["query/query_calls.py:1"]


def test_interfaces_hold_only_test_modules_and_conftests() -> None:
    assert misplaced_modules(INTERFACES_DIR) == []


def test_no_noqa_fixture_imports_remain_in_the_suite() -> None:
    assert noqa_unused_imports(SUITE_DIR) == []


def test_every_family_is_a_package_of_tests() -> None:
    families = {path.name for path in INTERFACES_DIR.iterdir() if (path / "__init__.py").is_file()}
    folders = {path.name for path in INTERFACES_DIR.iterdir() if path.is_dir() and path.name[0] not in "_."}
    assert families == folders == FAMILIES
    for name in FAMILIES:
        assert list((INTERFACES_DIR / name).glob("test_*.py")), f"interfaces/{name}/ holds no test module"


def test_support_holds_no_test_module() -> None:
    support = SUITE_DIR / "support"
    assert (support / "__init__.py").is_file()
    assert [path.name for path in support.rglob("test_*.py")] == []
    assert [path.name for path in support.rglob("conftest.py")] == []
