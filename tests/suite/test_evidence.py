"""A failing conformance test carries its exchanges as Allure steps and its exchange count in the records."""

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
