"""`validate --trace ID` prints every kind of carrier of a requirement; markers are read statically."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.cli.main import main
from conformance.cli.req_markers import module_tests
from conformance.cli.requirement_trace import fault_catalog, kill_test_file, render_trace, trace
from conformance.cli.trace_index import emulator_modules
from conformance.spec.interface_documents import interface_documents
from conformance.spec.requirements import load_requirements


def test_trace_prints_all_five_kinds_for_a_filter_requirement(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--trace", "V2Q-FILT-006"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("V2Q-FILT-006 [MUST] v2-getevents / filters\n")
    assert "sources/seeds/000_" in out and "score_min | float" in out
    assert "schemas/json/v2-getevents-request.json#/properties/filters/properties/score_min" in out
    assert "schemas/openapi/box.yaml POST /sophon/v2/face/getevents" in out
    assert "filter.result [v2]  conformance/checks/filter_oracle.py" in out
    assert "meta.score_monotonic [v2]  conformance/checks/metamorphic.py" in out
    assert "interfaces/query/test_query_range_filters.py::test_score_bounds_are_monotonic" in out
    faults = [f for f in fault_catalog() if "V2Q-FILT-006" in f["requirements"]]
    assert faults, "no fault names V2Q-FILT-006"
    for fault in faults:
        assert f"{fault['name']} ({fault['kind']}, conformance/emulator/faults/{fault['family']}.py)" in out
        assert f"tests/kill/test_{fault['family']}.py  [{fault['name']}]" in out
    assert "(file missing)" not in out
    assert "none" not in out.split("schema nodes", 1)[1]


def test_every_kind_comes_from_its_source() -> None:
    found = trace("V2Q-FILT-006")
    assert found.schema_nodes and found.documents and found.checks and found.tests and found.faults
    assert all(kill_test_file(f["family"]).is_file() for f in found.faults)


def test_unknown_id_is_one_clear_message_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--trace", "V2Q-FILT-666"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "unknown requirement id 'V2Q-FILT-666'" in lines[0]
    assert "did you mean" in lines[0]


def test_marker_scan_reads_every_static_form(tmp_path: Path) -> None:
    module = tmp_path / "test_forms.py"
    module.write_text(
        "import pytest\n"
        "IDS = ('A-SCHEMA-001', 'A-SCHEMA-002')\n"
        "PAGING = pytest.mark.req('A-PAGE-001')\n"
        "pytestmark = [pytest.mark.slow, pytest.mark.req('A-ERR-001')]\n"
        "@pytest.mark.req(*IDS, 'A-TIME-001')\n"
        "def test_literal_and_constant(): ...\n"
        "@PAGING\n"
        "def test_named_marker(): ...\n"
        "@pytest.mark.parametrize('x', [pytest.param(1, id='one', marks=pytest.mark.req('A-FILT-001'))])\n"
        "def test_param_case(x): ...\n"
        "ROWS = {'first': ('A-UP-001',), 'second': ('A-UP-002', 'A-UP-003')}\n"
        "@pytest.mark.parametrize(\n"
        "    'x', [pytest.param(k, marks=pytest.mark.req(*v), id=k) for k, v in ROWS.items()]\n"
        ")\n"
        "def test_unrolled(x): ...\n"
        "CASES = [pytest.param('a', marks=pytest.mark.req('A-UP-004'), id='listed')]\n"
        "@pytest.mark.parametrize('x', CASES)\n"
        "def test_named_cases(x): ...\n"
        "class TestGroup:\n"
        "    @pytest.mark.req(*TABLE.requirements)\n"
        "    def test_dynamic(self): ...\n",
        encoding="utf-8",
    )
    found = {test.name: test for test in module_tests(module)}
    expected = ("A-ERR-001", "A-SCHEMA-001", "A-SCHEMA-002", "A-TIME-001")
    assert found["test_literal_and_constant"].ids == expected
    assert found["test_named_marker"].ids == ("A-ERR-001", "A-PAGE-001")
    assert found["test_param_case[one]"].ids == ("A-ERR-001", "A-FILT-001")
    assert found["test_param_case"].ids == ("A-ERR-001",)
    assert found["test_unrolled[first]"].ids == ("A-ERR-001", "A-UP-001")
    assert found["test_unrolled[second]"].ids == ("A-ERR-001", "A-UP-002", "A-UP-003")
    assert found["test_named_cases[listed]"].ids == ("A-ERR-001", "A-UP-004")
    dynamic = found["TestGroup::test_dynamic"]
    assert dynamic.ids == ("A-ERR-001",)
    assert dynamic.unread and dynamic.unread[0].endswith("TABLE.requirements")
    assert not found["test_literal_and_constant"].unread


@pytest.mark.parametrize("interface", list(interface_documents()))
def test_every_interface_is_served_by_an_emulator_module(interface: str) -> None:
    modules = emulator_modules(interface)
    assert modules, f"no emulator module serves {interface}"
    assert all(Path(module).suffix == ".py" for module in modules)


def test_every_catalog_requirement_traces() -> None:
    """No id breaks the trace; each names where its interface is specified."""
    for requirement in load_requirements():
        found = trace(requirement.id)
        assert found.documents, requirement.id
        assert render_trace(found).startswith(f"{requirement.id} [")
