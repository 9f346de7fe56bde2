"""End to end: a short suite run against the emulator with one fault, the Allure HTML, opened offline."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conformance.cli.main import main
from conformance.cli.run_cmd import SERVERS_PLUGIN
from conformance.paths import PROJECT_ROOT
from conformance.report.allure_html import remote_references
from conformance.report.environment import build_environment
from conformance.report.finalize import finalize_run
from tests.report.browser import install_chromium, visit

FAULT = "v2-500-on-bad-input"
FAILING_REQUIREMENT = "V2Q-ERR-001"  # the fault catalog names it for v2-500-on-bad-input
SELECTION = [
    "conformance/suite/interfaces/query/test_query_errors.py",
    "-k",
    "malformed_json or huge_page_index",
]
EMBEDDED_FILE = re.compile(r'd\("data/test-results/([0-9a-f]+)\.json","([A-Za-z0-9+/=]+)"\)')


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the selection under the conformance plugin with the fault on, then finalize the run."""
    run = tmp_path_factory.mktemp("reports") / "20260101T000000Z-emulator"
    run.mkdir()
    started = time.time()
    argv = [
        sys.executable,
        "-m",
        "pytest",
        *SELECTION,
        "-p",
        SERVERS_PLUGIN,
        "--conformance",
        f"--rootdir={PROJECT_ROOT}",
        "-p",
        "no:cacheprovider",
        f"--conformance-records={run / 'results.jsonl'}",
        f"--junitxml={run / 'junit.xml'}",
        f"--alluredir={run / 'allure-results'}",
        f"--emulator-fault={FAULT}",
    ]
    done = subprocess.run(argv, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "progress: " in done.stderr
    environment = build_environment(box_url=None, profile="strict", faults=[FAULT], seed=0)
    finalize_run(run, catalog=None, environment=environment, started=started, exit_code=1)
    return run


def failing_result_id(page: str) -> str:
    """The Allure id of a failed test, read from the data embedded in the single-file report."""
    for result_id, payload in EMBEDDED_FILE.findall(page):
        data = json.loads(base64.b64decode(payload))
        if data.get("status") == "failed":
            return str(result_id)
    raise AssertionError("no failed test result embedded in report.html")


def test_run_folder_has_every_report(run_dir: Path) -> None:
    for name in ("junit.xml", "summary.json", "summary.md", "report.html", "results.jsonl"):
        assert (run_dir / name).is_file(), name
    assert (run_dir / "allure-report" / "awesome" / "index.html").is_file()
    for name in ("categories.json", "environment.properties"):
        assert (run_dir / "allure-results" / name).is_file(), name
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    verdicts = {row["id"]: row for row in summary["requirements"]}
    assert verdicts[FAILING_REQUIREMENT]["verdict"] == "fail"
    assert verdicts[FAILING_REQUIREMENT]["tests"]
    assert "not-covered" in {row["verdict"] for row in summary["requirements"]}
    assert summary["environment"]["faults"] == FAULT
    assert FAILING_REQUIREMENT in (run_dir / "summary.md").read_text(encoding="utf-8")


def test_report_html_references_nothing_remote(run_dir: Path) -> None:
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert remote_references(page) == []
    assert "googletagmanager" not in page and "Content-Security-Policy" in page
    scripts = re.findall(r"data:text/javascript;base64,([A-Za-z0-9+/=]+)", page)
    assert scripts and all(b"googletagmanager" not in base64.b64decode(s) for s in scripts)
    other_urls = {
        url
        for url in re.findall(r"https?://[^\s\"'<>)]+", page)
        if not url.startswith(("http://www.w3.org/", "http://127.0.0.1"))
    }
    assert other_urls == set(), other_urls


def test_report_opens_offline_and_shows_the_failure(run_dir: Path) -> None:
    chromium = install_chromium()
    if chromium is None:
        pytest.skip("chromium is absent and scripts/install-chromium.sh could not install it")
    page = run_dir / "report.html"
    result_id = failing_result_id(page.read_text(encoding="utf-8"))
    seen = visit(chromium, page, f"#{result_id}")
    assert seen.hosts == []  # no request at all: Chromium's own background traffic is off too
    assert FAILING_REQUIREMENT in seen.dom
    assert "curl -sS -i -X POST" in seen.dom


def test_browser_probe_catches_a_page_that_phones_home(run_dir: Path, tmp_path: Path) -> None:
    """The negative control: the same probe must see the analytics request the awesome plugin embeds."""
    chromium = install_chromium()
    if chromium is None:
        pytest.skip("chromium is absent and scripts/install-chromium.sh could not install it")
    page = tmp_path / "phones-home.html"
    page.write_text(
        '<html><head><script async src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>'
        "</head><body>report</body></html>",
        encoding="utf-8",
    )
    assert visit(chromium, page).hosts == ["www.googletagmanager.com"]


def test_report_command_regenerates_without_rerun(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (run_dir / "report.html").unlink()
    assert main(["report", str(run_dir)]) == 0
    assert (run_dir / "report.html").is_file()
    assert json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))["requirements"]
    assert capsys.readouterr().out.strip().endswith("report.html")


def test_report_command_bad_folder_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert main(["report", str(tmp_path)]) == 2
    assert "no allure-results/" in capsys.readouterr().err
