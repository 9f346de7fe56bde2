"""A failing test: its exchanges as Allure steps, its failure rendered once, its findings' ids recorded."""

from __future__ import annotations

import json
from pathlib import Path

from tests.suite.evidence_run import run_selection


def test_failing_test_has_curl_steps_and_an_exchange_count(tmp_path: Path) -> None:
    run = run_selection(
        tmp_path,
        "--fault",
        "v2-500-on-bad-input",
        "--",
        "-k",
        "test_v2_invalid_arguments and page_limit-string",
    )
    assert run.exit_code == 1, run.output
    results = run.results()
    assert len(results) == 1
    steps = results[0]["steps"]
    assert steps and steps[0]["name"].startswith("POST ") and steps[0]["name"].endswith("-> 500")
    names = {attachment["name"] for attachment in steps[0]["attachments"]}
    assert {"curl", "request", "response"} <= names
    records = [json.loads(line) for line in (run.run_dir / "results.jsonl").read_text().splitlines()]
    assert [record["exchanges"] for record in records] == [1]


def test_a_failure_is_one_rendering_in_the_terminal_and_allure_and_its_ids_are_structured(
    tmp_path: Path,
) -> None:
    """The message (terminal budget) and the `failure` attachment (Allure budget) come from one renderer."""
    run = run_selection(
        tmp_path, "--fault", "v2-page-one-based", "--", "-k", "test_page_zero_is_first_and_page_one_follows"
    )
    assert run.exit_code == 1, run.output
    (failed,) = [result for result in run.results() if result["status"] == "failed"]
    (attachment,) = [a for a in failed["attachments"] if a["name"] == "failure"]
    text = (run.allure_results / attachment["source"]).read_text(encoding="utf-8")
    head = "[semantic] v2 page 0 is the first page: page 0 and page 1 hold the same items"
    assert text.startswith(head) and failed["statusDetails"]["message"].split(": ", 1)[1].startswith(head)
    assert "\nRequirements: V2Q-PAGE-003, V2Q-PAGE-004\n" in text
    assert "- [paging.first_page] " in text and "Reproduce with:\n  curl -sS -i -X POST" in text
    records = [json.loads(line) for line in (run.run_dir / "results.jsonl").read_text().splitlines()]
    (record,) = [record for record in records if record["outcome"] == "failed"]
    assert record["findings"] == 2
    assert record["finding_requirement_ids"] == ["V2Q-PAGE-003", "V2Q-PAGE-004"]  # not the v1 marker ids
    assert "V1Q-PAGE-002" in record["requirement_ids"]
