"""A suite run against the emulator in site mode, per live rate: wall time, verdicts, requirements exercised.

    .venv/bin/python benchmarks/site_run.py [--live-rate 2 [--live-rate 0 ...]] [--history-days 3]
        [--live-wait S] [--area conformance/suite/interfaces/query | --area KEYWORDS] [--fault NAME] [-n N]

Per live rate: a fresh `sophon-conformance emulator --site` on free 127.0.0.1 ports (no control plane, as a
box on site), one `sophon-conformance run --allow-writes --no-html` against it (with `-n N` when given, else
the run's default workers against a box; `-n 0` for one process), then the emulator is stopped
and the run's results.jsonl and summary.json are read. Prints, per run, the wall time, tests by verdict and
requirements exercised by interface and level; across runs, the tests and requirements whose verdict differs
(issue 14 wants none between live rates; issue 15 expects live tests not exercised at rate 0, judged at 2).
Figures go to docs/site-figures.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.emulator.faults.catalog import CATALOG
from conformance.emulator.faults.model import UnknownFaultError
from conformance.report.records import Outcome, TestRecord, read_records

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SUITE_DIR = PROJECT_ROOT / "conformance" / "suite" / "interfaces"
VERSION_PATH = "/sophon/v2/system/getsoftwareversion"
START_TIMEOUT_S = 180.0
RUN_TIMEOUT_S = 1800.0
TEST_VERDICTS = ("passed", "failed", "not exercised", "skipped", "harness error")
SLOWEST = 8
REQUIREMENT_VERDICTS = ("pass", "fail", "not-exercised", "skipped", "error", "not-covered")


class BadInputError(Exception):
    """A command-line value the benchmark cannot use: one message, exit 2."""


@dataclass(frozen=True)
class SiteRun:
    """What one run against one site box gave."""

    live_rate: float
    exit_code: int
    start_s: float  # emulator start until it answered
    wall_s: float  # the `run` child process, start to end
    run_cpu_s: float  # user + system CPU of the `run` process and the pytest it waited for
    box_cpu_s: float  # user + system CPU of the emulator, start to stop
    loadavg: tuple[str, str]  # /proc/loadavg before and after
    tests: dict[str, str]  # nodeid -> test verdict
    failures: dict[str, str]  # nodeid -> last line of the failure, for failed and harness-error tests
    reasons: Counter[str]  # "skipped: why" / "not exercised: why" -> tests
    durations: dict[str, float]  # nodeid -> seconds in the test (setup and call)
    summary: dict[str, Any]


def test_verdict(record: TestRecord) -> str:
    """One test's verdict in the five words of the figures."""
    if record.harness_error:
        return "harness error"
    if record.failing:
        return "failed"
    if record.outcome == Outcome.NOT_EXERCISED:
        return "not exercised"
    if record.outcome in (Outcome.SKIPPED, Outcome.XFAILED):
        return "skipped"
    return "passed"


def failure_line(record: TestRecord) -> str:
    """A failure in one line: its category, the requirements its findings name, pytest's first `E` lines."""
    lines = [line.strip() for line in record.failure_text.splitlines() if line.strip()]
    said = [line[1:].strip() for line in lines if line.startswith("E ")][:3] or lines[-1:]
    named = ", ".join(record.finding_requirement_ids) or "no requirement"
    return f"{record.category} finding on {named}: " + " / ".join(said)[:400]


def reason_class(reason: str) -> str:
    """A skip or not-exercised reason without what changes from run to run (ports, sample bounds)."""
    first = reason.splitlines()[0] if reason else "no reason"
    first = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", first)
    first = re.sub(r" ?\(sample HistorySample\(.*", "", first)
    return first[:160]


def children_cpu() -> float:
    """User + system CPU seconds of the child processes this benchmark has waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def loadavg() -> str:
    """The first three fields of /proc/loadavg (1, 5, 15 min), or '?' where there is none."""
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        return "?"


def free_port_triple() -> int:
    """A port P with P, P+1 and P+2 free on 127.0.0.1 (HTTP, WebSocket, version)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        if base + 2 > 65535:
            continue
        held: list[socket.socket] = []
        try:
            for port in (base, base + 1, base + 2):
                sock = socket.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in held:
                sock.close()
    raise RuntimeError("no three consecutive free ports on 127.0.0.1")


def area_arguments(area: str | None) -> list[str]:
    """pytest arguments that restrict the run: --ignore of every sibling on the way to a path, else -k."""
    if not area:
        return []
    path = (PROJECT_ROOT / area).resolve()
    if not path.exists():
        if "/" in area:
            raise BadInputError(f"--area {area}: no such file or folder under {PROJECT_ROOT}")
        return ["-k", area]
    if path != SUITE_DIR and SUITE_DIR not in path.parents:
        raise BadInputError(f"--area {area}: not inside the suite ({SUITE_DIR.relative_to(PROJECT_ROOT)})")
    ignored: list[str] = []
    for parent in [p for p in path.parents if p == SUITE_DIR or SUITE_DIR in p.parents]:
        keep = path if path.parent == parent else next(p for p in path.parents if p.parent == parent)
        for entry in sorted(parent.iterdir()):
            tests = (entry.is_dir() and entry.name != "__pycache__") or entry.name.startswith("test_")
            if entry != keep and tests:
                ignored.append(f"--ignore={entry}")
    return ignored


def answers(url: str) -> bool:
    """The URL gives an HTTP answer, whatever its status (a 405 to a GET still says the server is up)."""
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


def wait_until_answering(box: subprocess.Popen[bytes], urls: list[str], log: Path) -> None:
    """Poll until every URL answers; RuntimeError if the emulator dies or never answers."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if box.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"the emulator exited with {box.returncode} before answering:\n{tail}")
        if all(answers(url) for url in urls):
            return
        time.sleep(0.3)
    raise RuntimeError(f"the emulator did not answer {urls} within {START_TIMEOUT_S:.0f} s")


def stop(box: subprocess.Popen[bytes]) -> None:
    """Stop the emulator this benchmark started (terminate, then kill after 10 s)."""
    if box.poll() is None:
        box.terminate()
        try:
            box.wait(timeout=10)
        except subprocess.TimeoutExpired:
            box.kill()
            box.wait()


def run_child(argv: list[str]) -> tuple[int, str]:
    """Run `sophon-conformance run` in its own process group; on timeout or interrupt, end the whole group."""
    child = subprocess.Popen(
        argv,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = child.communicate(timeout=RUN_TIMEOUT_S)
    except BaseException:
        os.killpg(child.pid, signal.SIGTERM)  # the run restores what it changed on SIGTERM
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        raise
    return child.returncode, output


def run_against_site(args: argparse.Namespace, rate: float, folder: Path) -> SiteRun:
    """One site box at `rate`, one suite run against it, the box stopped, the run's results read."""
    port = free_port_triple()
    emulator = [sys.executable, "-m", "conformance", "emulator", "--site", f"--http-port={port}"]
    emulator += [f"--ws-port={port + 1}", f"--version-port={port + 2}", f"--db={folder / 'site.sqlite3'}"]
    emulator += [f"--live-rate={rate:g}", f"--history-days={args.history_days:g}", "--log-level=warning"]
    emulator += [f"--fault={name}" for name in args.fault]
    run = [sys.executable, "-m", "conformance", "run", f"--box-url=http://127.0.0.1:{port}"]
    run += [f"--ws-url=ws://127.0.0.1:{port + 1}", f"--version-url=http://127.0.0.1:{port + 2}{VERSION_PATH}"]
    run += ["--allow-writes", "--no-html", "-q", f"--reports-dir={folder / 'reports'}"]
    run += [] if args.live_wait is None else [f"--live-wait={args.live_wait:g}"]
    run += [] if args.workers is None else [f"--workers={args.workers}"]
    run += ["--", "-p", "no:randomly", *area_arguments(args.area)]
    before = loadavg()
    log = folder / "emulator.log"
    with log.open("wb") as sink:
        started = time.monotonic()
        box = subprocess.Popen(emulator, cwd=PROJECT_ROOT, stdout=sink, stderr=subprocess.STDOUT)
        try:
            urls = [f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port + 2}{VERSION_PATH}"]
            wait_until_answering(box, urls, log)
            start_s = time.monotonic() - started
            started, cpu_before = time.monotonic(), children_cpu()
            exit_code, output = run_child(run)
            wall_s, run_cpu_s = time.monotonic() - started, children_cpu() - cpu_before
        finally:
            cpu_before = children_cpu()
            stop(box)
    box_cpu_s = children_cpu() - cpu_before
    run_dirs = sorted(p.parent for p in (folder / "reports").glob("*/results.jsonl"))
    if not run_dirs:
        raise RuntimeError(f"the run wrote no results (exit {exit_code}):\n{output[-1500:]}")
    records = read_records(run_dirs[-1] / "results.jsonl")
    summary_file = run_dirs[-1] / "summary.json"
    summary = json.loads(summary_file.read_text(encoding="utf-8")) if summary_file.exists() else {}
    failures = {r.nodeid: failure_line(r) for r in records if r.failing}
    reasons = Counter(
        f"{test_verdict(r)}: {reason_class(r.skip_reason)}"
        for r in records
        if test_verdict(r) in ("skipped", "not exercised")
    )
    return SiteRun(
        live_rate=rate,
        exit_code=exit_code,
        start_s=start_s,
        wall_s=wall_s,
        run_cpu_s=run_cpu_s,
        box_cpu_s=box_cpu_s,
        loadavg=(before, loadavg()),
        tests={r.nodeid: test_verdict(r) for r in records},
        failures=failures,
        reasons=reasons,
        durations={r.nodeid: r.duration_s for r in records},
        summary=summary,
    )


def requirement_table(title: str, groups: dict[str, dict[str, int]]) -> list[str]:
    """Requirements exercised (pass + fail) out of total per group, with the verdict counts."""
    lines = [f"| {title} | exercised / total | " + " | ".join(REQUIREMENT_VERDICTS) + " |"]
    lines.append("|---|---:|" + "---:|" * len(REQUIREMENT_VERDICTS))
    for name, counts in [*sorted(groups.items()), ("all", _summed(groups))]:
        cells = " | ".join(str(counts.get(v, 0)) for v in REQUIREMENT_VERDICTS)
        lines.append(f"| {name} | {counts.get('exercised', 0)} / {counts.get('total', 0)} | {cells} |")
    return lines


def _summed(groups: dict[str, dict[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for counts in groups.values():
        total.update(counts)
    return dict(total)


def print_run(run: SiteRun, args: argparse.Namespace) -> None:
    """One run: wall time, tests by verdict, requirements by interface and level, failures."""
    counted = Counter(run.tests.values())
    passed_no_data = run.summary.get("counts", {}).get("passed_judging_nothing", "?")
    area = args.area or "all"
    print(f"\n## live rate {run.live_rate:g}/s, {args.history_days:g} days of history, area {area}")
    print(f"run exit {run.exit_code}; emulator up in {run.start_s:.1f} s;", end=" ")
    print(f"run wall {run.wall_s:.1f} s (summary wall_s {run.summary.get('wall_s', '?')})")
    print(f"CPU: run {run.run_cpu_s:.1f} s, emulator {run.box_cpu_s:.1f} s (user + system)")
    print(f"loadavg (1/5/15 min) before {run.loadavg[0]}, after {run.loadavg[1]}")
    print("\n| tests | " + " | ".join(TEST_VERDICTS) + " |")
    print("|---:|" + "---:|" * len(TEST_VERDICTS))
    cells = " | ".join(str(counted.get(v, 0)) for v in TEST_VERDICTS)
    print(f"| {len(run.tests)} | {cells} |")
    print(f"\n(passed judging no data: {passed_no_data})")
    totals = run.summary.get("totals", {})
    for key, title in (("by_interface", "interface"), ("by_level", "level")):
        print()
        print("\n".join(requirement_table(title, totals.get(key, {}))))
    print_time_by_area(run)
    if run.reasons:
        print("\n| tests | skipped or not exercised because |\n|---:|---|")
        for reason, count in sorted(run.reasons.items(), key=lambda item: (-item[1], item[0])):
            print(f"| {count} | {reason.replace('|', '/')} |")
    for nodeid, text in sorted(run.failures.items()):
        print(f"\nFAILED {run.tests[nodeid]}: {nodeid}\n    {text}")


def print_time_by_area(run: SiteRun) -> None:
    """Seconds spent in the tests of each suite area, and the slowest tests (where the wall time goes)."""
    by_area: dict[str, list[float]] = {}
    for nodeid, seconds in run.durations.items():
        parts = nodeid.split("/")
        area = parts[parts.index("interfaces") + 1] if "interfaces" in parts[:-1] else parts[0]
        by_area.setdefault(area, []).append(seconds)
    print("\n| area | tests | seconds in tests |\n|---|---:|---:|")
    for area, times in sorted(by_area.items()):
        print(f"| {area} | {len(times)} | {sum(times):.1f} |")
    print(f"| all | {len(run.durations)} | {sum(run.durations.values()):.1f} |")
    slowest = sorted(run.durations.items(), key=lambda item: -item[1])[:SLOWEST]
    print("\n| slowest tests | seconds |\n|---|---:|")
    for nodeid, seconds in slowest:
        print(f"| `{nodeid}` | {seconds:.1f} |")


def print_differences(runs: list[SiteRun]) -> None:
    """The tests and requirements whose verdict differs between the runs."""
    rates = " | ".join(f"{run.live_rate:g}/s" for run in runs)
    nodeids = sorted({nodeid for run in runs for nodeid in run.tests})
    differing = [n for n in nodeids if len({run.tests.get(n, "absent") for run in runs}) > 1]
    print(f"\n## tests whose verdict differs between live rates: {len(differing)} of {len(nodeids)}")
    if differing:
        print(f"\n| test | {rates} |\n|---|" + "---|" * len(runs))
        for nodeid in differing:
            print(f"| `{nodeid}` | " + " | ".join(run.tests.get(nodeid, "absent") for run in runs) + " |")
    verdicts = [{r["id"]: r["verdict"] for r in run.summary.get("requirements", [])} for run in runs]
    ids = sorted({rid for by_id in verdicts for rid in by_id})
    changed = [rid for rid in ids if len({by_id.get(rid, "absent") for by_id in verdicts}) > 1]
    print(f"\n## requirements whose verdict differs between live rates: {len(changed)} of {len(ids)}")
    if changed:
        print(f"\n| requirement | {rates} |\n|---|" + "---|" * len(runs))
        for rid in changed:
            print(f"| {rid} | " + " | ".join(by_id.get(rid, "absent") for by_id in verdicts) + " |")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The options; BadInputError for values the benchmark cannot use."""
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--live-rate", type=float, action="append", help="per second, repeatable (default 2)")
    parser.add_argument("--history-days", type=float, default=3.0)
    parser.add_argument("--live-wait", type=float, default=None, help="the run's --live-wait (default 60)")
    parser.add_argument("--area", default=None, help="a suite path, or a -k expression")
    parser.add_argument("--fault", action="append", default=[], help="an emulator fault (repeatable)")
    parser.add_argument("-n", "--workers", default=None, help="the run's pytest-xdist workers")
    args = parser.parse_args(argv)
    args.live_rate = args.live_rate or [2.0]
    if any(not 0 <= rate < float("inf") for rate in args.live_rate):
        raise BadInputError("--live-rate must be a finite number, 0 or more")
    if not 0 < args.history_days <= 60:
        raise BadInputError("--history-days must be more than 0 and at most 60")
    if args.live_wait is not None and args.live_wait < 0:
        raise BadInputError("--live-wait must be 0 or more")
    if args.workers is not None and not (args.workers == "auto" or args.workers.isdigit()):
        raise BadInputError("-n must be a number or 'auto'")
    for name in args.fault:
        try:
            CATALOG.get(name)
        except UnknownFaultError as exc:
            known = "sophon-conformance emulator --list-faults"
            raise BadInputError(f"--fault {name}: {str(exc).split(';')[0]} (see `{known}`)") from None
    area_arguments(args.area)
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the suite against one site box per live rate and print the tables."""
    try:
        args = parse_args(argv)
    except BadInputError as exc:
        print(f"site_run: {exc}", file=sys.stderr)
        return 2
    runs: list[SiteRun] = []
    broken = 0
    for rate in args.live_rate:
        with tempfile.TemporaryDirectory(prefix="site-run-") as folder:
            try:
                runs.append(run_against_site(args, rate, Path(folder)))
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                print(f"site_run: live rate {rate:g}: no figures: {exc}", file=sys.stderr, flush=True)
                broken += 1
                continue
        print_run(runs[-1], args)
        sys.stdout.flush()
    if len(runs) > 1:
        print_differences(runs)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
