"""A failing conformance test carries its exchanges as Allure steps and its exchange count in the records."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conformance.paths import PROJECT_ROOT


def test_failing_test_has_curl_steps_and_an_exchange_count(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance",
            "run",
            "--reports-dir",
            str(tmp_path),
            "-q",
            "--fault",
            "v2-500-on-bad-input",
            "--",
            "-k",
            "test_v2_invalid_arguments and page_limit-string",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    run_dir = next(p for p in tmp_path.iterdir() if p.is_dir() and not p.is_symlink())
    results = [json.loads(p.read_text()) for p in (run_dir / "allure-results").glob("*-result.json")]
    assert len(results) == 1
    steps = results[0]["steps"]
    assert steps and steps[0]["name"].startswith("POST ") and steps[0]["name"].endswith("-> 500")
    names = {attachment["name"] for attachment in steps[0]["attachments"]}
    assert {"curl", "request", "response"} <= names
    records = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    assert [record["exchanges"] for record in records] == [1]
