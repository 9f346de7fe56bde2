"""Every example in the documents: valid under lenient, failing strict for exactly the recorded errata."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conformance.paths import SOURCES_DIR
from conformance.spec.catalog import Profile, load_spec
from conformance.spec.loader import load_mapping

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "examples"
INDEX: list[dict[str, Any]] = load_mapping(EXAMPLES_DIR / "index.yaml")["examples"]
VALIDATED = [e for e in INDEX if e.get("schema")]
NOT_JSON = [e for e in INDEX if e["file"].endswith(".txt")]
CODE_BLOCK = re.compile(r"```[a-z]*\n(.*?)```", re.S)
JSON_LINE = re.compile(r"^\s*\{", re.M)


def _load(entry: dict[str, Any]) -> Any:
    return json.loads((EXAMPLES_DIR / entry["file"]).read_text(encoding="utf-8"))


def test_index_lists_every_file_and_only_existing_files() -> None:
    on_disk = {p.name for p in EXAMPLES_DIR.iterdir() if p.name != "index.yaml"}
    listed = [e["file"] for e in INDEX]
    assert len(listed) == len(set(listed)), "a file is listed twice"
    assert set(listed) == on_disk


def test_every_document_example_is_extracted() -> None:
    """Each code block holding a JSON body in the sources has an entry (a raw/repaired pair counts once)."""
    sources = sorted((SOURCES_DIR / "seeds").glob("*.txt")) + sorted((SOURCES_DIR / "reference").glob("*.md"))
    for source in sources:
        text = source.read_text(encoding="utf-8")
        blocks = [b for b in CODE_BLOCK.findall(text) if JSON_LINE.search(b)]
        cited = {
            e["file"].rsplit(".", 1)[0]
            for e in INDEX
            if e["source"]["file"].endswith(source.name) and not e.get("from_url")
        }
        assert len(cited) == len(blocks), (
            f"{source.name}: {len(blocks)} example blocks, {len(cited)} extracted"
        )


@pytest.mark.parametrize("entry", INDEX, ids=lambda e: e["file"])
def test_entry_cites_an_existing_source_section(entry: dict[str, Any]) -> None:
    source = SOURCES_DIR / entry["source"]["file"]
    assert source.is_file()
    section = entry["source"]["section"].split(" (")[0]
    assert section in source.read_text(encoding="utf-8")


@pytest.mark.parametrize("entry", NOT_JSON, ids=lambda e: e["file"])
def test_raw_copy_is_not_json_and_has_a_repair(entry: dict[str, Any]) -> None:
    text = (EXAMPLES_DIR / entry["file"]).read_text(encoding="utf-8")
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    assert entry["not_json"]
    repaired = EXAMPLES_DIR / entry["repaired_as"]
    assert repaired.is_file()
    assert any(e["file"] == entry["repaired_as"] and e.get("repair") for e in INDEX)


@pytest.mark.parametrize("entry", [e for e in INDEX if not e.get("schema")], ids=lambda e: e["file"])
def test_out_of_scope_examples_say_why_and_parse(entry: dict[str, Any]) -> None:
    assert entry["file"].endswith(".txt") or entry.get("out_of_scope")
    if entry["file"].endswith(".json"):
        _load(entry)


@pytest.mark.parametrize("entry", VALIDATED, ids=lambda e: e["file"])
def test_example_validates_under_lenient(entry: dict[str, Any]) -> None:
    findings = load_spec(Profile.LENIENT).validate(entry["schema"], _load(entry))
    assert findings == [], "\n".join(f.message for f in findings)


@pytest.mark.parametrize("entry", VALIDATED, ids=lambda e: e["file"])
def test_example_fails_strict_exactly_for_its_errata(entry: dict[str, Any]) -> None:
    findings = load_spec(Profile.STRICT).validate(entry["schema"], _load(entry))
    unexplained = [f.message for f in findings if not f.errata]
    assert unexplained == [], "findings no erratum explains:\n" + "\n".join(unexplained)
    found = {erratum for f in findings for erratum in f.errata}
    assert found == set(entry["strict_errata"]), "\n".join(f.message for f in findings)


def test_upload_example_also_passes_as_form_fields() -> None:
    """The form-data encoding of the seed 003 example (our decision) is accepted under lenient."""
    payload = _load(next(e for e in INDEX if e["file"] == "003-upload-payload.json"))
    form = {k: v if isinstance(v, str) else json.dumps(v, separators=(",", ":")) for k, v in payload.items()}
    assert load_spec(Profile.LENIENT).validate("upload-form-fields", form) == []
    form["timestamp"] = "1602612036.15"
    assert load_spec(Profile.LENIENT).validate("upload-form-fields", form) != []
