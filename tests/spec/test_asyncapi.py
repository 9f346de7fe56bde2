"""websocket.yaml is a valid AsyncAPI 3.0 document according to @asyncapi/parser (run through node)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conformance.paths import ASYNCAPI_PATH, PROJECT_ROOT
from conformance.spec.catalog import Profile, load_spec

SCRIPT = PROJECT_ROOT / "scripts" / "validate-asyncapi.mjs"
NODE = shutil.which("node")
PARSER = PROJECT_ROOT / "node_modules" / "@asyncapi" / "parser"

needs_parser = pytest.mark.skipif(
    NODE is None or not PARSER.is_dir(),
    reason="node or node_modules/@asyncapi/parser missing (run `npm ci`; CI installs it)",
)


def _run(document: Path) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    return subprocess.run(
        [NODE, str(SCRIPT), str(document)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PROJECT_ROOT,
        check=False,
    )


@needs_parser
def test_document_is_valid() -> None:
    result = _run(ASYNCAPI_PATH)
    assert result.returncode == 0, result.stderr
    assert "valid AsyncAPI" in result.stdout


@needs_parser
def test_invalid_document_fails_with_diagnostics() -> None:
    broken = ASYNCAPI_PATH.parent / ".broken-websocket.yaml"  # beside the original so relative refs resolve
    try:
        broken.write_text(
            ASYNCAPI_PATH.read_text(encoding="utf-8").replace("action: send", "action: publish")
        )
        result = _run(broken)
    finally:
        broken.unlink(missing_ok=True)
    assert result.returncode == 1
    assert "/operations/configure/action" in result.stderr


@needs_parser
def test_dangling_payload_ref_fails(tmp_path: Path) -> None:
    broken = tmp_path / "websocket.yaml"
    broken.write_text(ASYNCAPI_PATH.read_text(encoding="utf-8"))  # ../json does not exist beside the copy
    result = _run(broken)
    assert result.returncode == 1
    assert "invalid-ref" in result.stderr


@needs_parser
def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = _run(tmp_path / "absent.yaml")
    assert result.returncode == 2
    assert "cannot read" in result.stderr


def test_payloads_reference_our_ws_schemas() -> None:
    document = load_spec(Profile.STRICT).asyncapi_document()
    messages = document["components"]["messages"]
    assert messages["config"]["payload"]["schema"]["$ref"] == "../json/ws-config.json"
    assert messages["event"]["payload"]["schema"]["$ref"] == "../json/ws-event.json"
    actions = {op["action"] for op in document["operations"].values()}
    assert actions == {"send", "receive"}
