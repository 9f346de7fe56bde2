"""Run the pinned Allure 3 CLI on a run's allure-results: `allure-report/` plus one offline `report.html`.

Allure 3's awesome plugin always writes a Google Analytics tag (`analyticsEnable: true` is hard-coded in
@allurereport/plugin-awesome/dist/generators.js), so every generated index.html is post-processed: the
tag is cut out, `report.html` gets a Content-Security-Policy that forbids any network request, and a
final scan refuses a page that still references a remote script, style or frame.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from conformance.paths import PROJECT_ROOT
from conformance.report.categories import categories

ALLURE_BIN = PROJECT_ROOT / "node_modules" / ".bin" / "allure"
GENERATE_TIMEOUT_S = 600
REPORT_DIR = "allure-report"
REPORT_HTML = "report.html"
RESULTS_DIR = "allure-results"
SINGLE_PLUGIN = "single"  # the second awesome instance, writing allure-report/single/index.html
CONFIG_FILE = "allurerc.json"

ANALYTICS_BLOCK = re.compile(
    r"<script[^>]*\bsrc=[\"']https?://www\.googletagmanager\.com/[^>]*>\s*</script>\s*"
    r"(?:<script>(?:(?!</script>).)*?\bgtag\((?:(?!</script>).)*?</script>)?",
    re.DOTALL,
)
REMOTE_REFERENCE = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*?\b(?:src|href|data)=[\"']"
    r"((?:https?:)?//[^\"']+)",
    re.IGNORECASE,
)
OFFLINE_CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval' data: blob:; "
    "style-src 'unsafe-inline' data: blob:; img-src data: blob:; font-src data:; "
    "media-src data: blob:; connect-src data: blob:; frame-src data: blob:; worker-src data: blob:"
)


class AllureError(RuntimeError):
    """The Allure CLI is missing, failed, timed out, or produced a page that would reach the network."""


def allure_config(report_dir: Path, report_name: str) -> dict[str, Any]:
    """The allurerc: the multi-file awesome report plus a single-file one, grouped by requirement."""
    options = {
        "reportName": report_name,
        "groupBy": ["epic", "feature", "story"],
        "stepTreeExpansion": "expand_failed_only",
    }
    return {
        "name": report_name,
        "output": str(report_dir),
        "categories": categories(),
        "plugins": {
            "awesome": {"options": dict(options)},
            SINGLE_PLUGIN: {
                "import": "@allurereport/plugin-awesome",
                "options": options | {"singleFile": True},
            },
        },
    }


def strip_analytics(html: str) -> str:
    """Remove the Google Analytics tag the awesome plugin embeds."""
    return ANALYTICS_BLOCK.sub("", html)


def add_offline_policy(html: str) -> str:
    """Put a Content-Security-Policy first in <head>, so the browser blocks any request a script tries."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{OFFLINE_CSP}">'
    head = re.search(r"<head[^>]*>", html, re.IGNORECASE)
    if head is None:
        raise AllureError("generated report has no <head>; cannot make it offline-safe")
    return html[: head.end()] + "\n    " + meta + html[head.end() :]


def remote_references(html: str) -> list[str]:
    """Remote URLs the page would load by itself (script/link/img/... attributes, the analytics host)."""
    found = REMOTE_REFERENCE.findall(html)
    if "googletagmanager.com" in html or re.search(r"\bgtag\(\s*['\"]config", html):
        found.append("googletagmanager.com (analytics)")
    return found


def _clean(path: Path, *, offline_policy: bool) -> None:
    html = strip_analytics(path.read_text(encoding="utf-8"))
    if offline_policy:
        html = add_offline_policy(html)
    remote = remote_references(html)
    if remote:
        raise AllureError(f"{path} still references the network after clean-up: {', '.join(remote[:5])}")
    path.write_text(html, encoding="utf-8")


def _run_allure(config_path: Path, results_dir: Path, cwd: Path) -> None:
    node = shutil.which("node")
    if node is None:
        raise AllureError("node is not installed; run scripts/setup.sh")
    if not ALLURE_BIN.exists():
        raise AllureError(f"{ALLURE_BIN} is missing; run scripts/setup.sh (npm ci)")
    argv = [node, str(ALLURE_BIN.resolve()), "generate", "--config", str(config_path), "--cwd", str(cwd)]
    try:
        done = subprocess.run(
            [*argv, str(results_dir)],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=GENERATE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise AllureError(f"allure generate did not finish within {GENERATE_TIMEOUT_S} s") from None
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-10:])
        raise AllureError(f"allure generate failed (exit {done.returncode}):\n{tail}")


def generate_html(run_dir: Path, *, report_name: str | None = None) -> Path:
    """Build allure-report/ and report.html in run_dir from its allure-results; returns report.html."""
    results_dir = run_dir / RESULTS_DIR
    if not results_dir.is_dir():
        raise AllureError(f"{results_dir} does not exist; nothing to build a report from")
    report_dir = run_dir / REPORT_DIR
    shutil.rmtree(report_dir, ignore_errors=True)
    work_dir = run_dir / ".allure"
    work_dir.mkdir(exist_ok=True)
    config_path = work_dir / CONFIG_FILE
    config = allure_config(report_dir, report_name or f"sophon-conformance {run_dir.name}")
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    _run_allure(config_path, results_dir, work_dir)
    single = report_dir / SINGLE_PLUGIN / "index.html"
    if not single.is_file():
        raise AllureError(f"allure generate wrote no single-file report at {single}")
    for page in report_dir.rglob("index.html"):
        if page != single:
            _clean(page, offline_policy=False)
    _clean(single, offline_policy=True)
    target = run_dir / REPORT_HTML
    shutil.move(str(single), target)
    shutil.rmtree(report_dir / SINGLE_PLUGIN, ignore_errors=True)
    return target
