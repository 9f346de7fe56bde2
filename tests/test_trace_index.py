"""docs/trace-index.md is generated: the committed page must equal a fresh rendering."""

from __future__ import annotations

import difflib
from pathlib import Path

from conformance.cli.main import main
from conformance.cli.trace_index import render_trace_index
from conformance.paths import PROJECT_ROOT

INDEX = PROJECT_ROOT / "docs" / "trace-index.md"
REGENERATE = "sophon-conformance validate --trace-index docs/trace-index.md"


def test_committed_trace_index_is_current() -> None:
    fresh = render_trace_index()
    committed = INDEX.read_text(encoding="utf-8") if INDEX.is_file() else ""
    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True), fresh.splitlines(keepends=True), "committed", "fresh", n=1
        )
    )
    assert committed == fresh, f"docs/trace-index.md is stale; run `{REGENERATE}`\n{diff[:4000]}"


def test_the_command_writes_the_page(tmp_path: Path) -> None:
    target = tmp_path / "trace-index.md"
    assert main(["validate", "--trace-index", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text == render_trace_index()
    for prefix in ("V2Q", "V1Q", "PS", "UP", "UPC", "WS", "DEV", "IMG", "ERR", "LOGIN", "VER"):
        assert f"\n## {prefix} (" in text, prefix
