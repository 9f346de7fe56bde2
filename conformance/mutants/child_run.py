"""The one child-run runner of self-validation: `sophon-conformance run` in a child process, read back.

`mutants` runs each mutant through `run_child`, the kill tests a `-k` selection through `run_suite`; both
get a `SuiteOutcome` built from the run's own records (`results.jsonl`: outcome, requirement ids on the
markers, failure category, the requirement ids the failure's findings name), with each failure's full
text from the run's JUnit report.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import MutableMapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import IO, Any

from conformance.exit_codes import ExitCode
from conformance.mutants.shared_runs import made_once, shared_folder
from conformance.mutants.suite_index import SuiteIndexError, load_index
from conformance.mutants.warm_launch import WarmChild, warm_launcher
from conformance.paths import PROJECT_ROOT
from conformance.report.records import RECORDS_FILE, Outcome, TestRecord, read_records
from conformance.spec.loader import SpecFileError

# Only stops a hung child: a whole-suite site run with live traffic at 5 a second takes 3 minutes on an
# idle 2-core machine and passed 900 s at a load average of 20 (docs/self-validation.md).
RUN_TIMEOUT_S = 1800.0
STOP_GRACE_S = 10.0  # after SIGTERM the run restores the box's upload setting, then SIGKILL
CONTROL = "control"  # the emulator's control plane is on: seeding and oracle tests run
BLIND = "blind"  # a site-mode emulator judged as a real box: history, live recognitions, no control plane
MODES = (CONTROL, BLIND)
# The blind run's box (conformance/cli/site_box.py), as cheap as its checks allow: two days of history
# (a default window of 24 h must leave older events out: one day would hide a too-wide default window),
# 1,500 a day (a picture search over the 23 h the continuation test reads must find more than the 1,000
# results after which a search goes on: at 1,000 a day it held 955, and the continuation faults went
# unjudged), live recognitions at a busy gate's 5 a second, so a short live wait still sees several of them.
BLIND_RUN_ARGS = (
    "--site-box",
    "--site-live-rate",
    "5",
    "--site-history-days",
    "2",
    "--site-history-per-day",
    "1500",
    "--live-wait",
    "10",
)
FAILED, ERROR, PASSED, SKIPPED = "failed", "error", "passed", "skipped"
OUTPUT_KEPT = 20_000  # characters of the child's output kept in memory (the log file has all of it)
# Compiled (and assertion-rewritten) modules of every child run go here instead of being rebuilt each time.
PYCACHE_ENV = "PYTHONPYCACHEPREFIX"
PYCACHE_DIR = Path(tempfile.gettempdir()) / f"sophon-conformance-pycache-{os.getuid()}"
# pytest options that change which tests run in ways the suite index cannot predict
UNPREDICTABLE = ("-k", "-m", "--deselect", "--ignore", "--lf", "--ff", "--sw", "--collect-only")
STOPS_EARLY = ("-x", "--exitfirst", "--maxfail")
BOX_OPTIONS = ("--box-url", "--ws-url", "--version-url")  # the run judges a box that lives outside it


@dataclass(frozen=True)
class TestOutcome:
    """One test of a child run: how it ended, what it carries and what its failure says."""

    __test__ = False  # not a pytest test class despite the name

    nodeid: str
    outcome: str  # passed, failed, error (setup or teardown failed), skipped
    requirements: tuple[str, ...] = ()  # every id on the test's markers
    text: str = ""  # the failure text ("" when it did not fail)
    category: str = ""  # the failure's category (schema, semantic, unit, transport, harness)
    findings: int = 0  # how many structured findings the failure carried
    finding_requirements: tuple[str, ...] = ()  # the requirement ids those findings name

    @property
    def failed(self) -> bool:
        """True for a failure or an error."""
        return self.outcome in (FAILED, ERROR)


@dataclass(frozen=True)
class ChildRunSpec:
    """What to run: emulator faults, the test selection, options of the run and of pytest."""

    faults: tuple[str, ...] = ()
    k_expr: str = ""  # a pytest -k expression; "" keeps every test
    requirements: tuple[str, ...] = ()  # requirement ids or fnmatch patterns a test must name; () = all
    run_args: tuple[str, ...] = ()  # options of `sophon-conformance run`, e.g. ("--profile", "lenient")
    pytest_args: tuple[str, ...] = ()  # passed to pytest after `--`
    mode: str = CONTROL
    narrow: bool = True  # collect only the modules holding selected tests (see suite_index.py)

    def judges_its_own_emulator(self) -> bool:
        """True when the run starts its own emulator (no box URL): the same spec then makes the same run."""
        return not any(a.startswith(BOX_OPTIONS) for a in (*self.run_args, *self.pytest_args))

    def narrowable(self) -> bool:
        """True when a selection is given and no pytest option makes its outcome unpredictable."""
        selects = bool(self.k_expr.strip() or self.requirements)
        return self.narrow and selects and not any(a.startswith(UNPREDICTABLE) for a in self.pytest_args)


@dataclass(frozen=True)
class SuiteOutcome:
    """What one child run did: exit code, every test's outcome, and why it could not be judged, if so."""

    exit_code: int
    tests: tuple[TestOutcome, ...] = ()
    mode: str = CONTROL
    wall_s: float = 0.0
    output: str = ""  # the end of the child's stdout + stderr, for assertion messages
    log_path: str = ""
    problem: str = ""  # why the run could not be judged (timeout, no results), "" otherwise
    timed_out: bool = False
    selection_differs: bool = False  # a narrowed run ran other tests than the full collection selects

    def failed(self) -> list[TestOutcome]:
        """The tests that failed (errors included)."""
        return [t for t in self.tests if t.failed]

    @property
    def failed_tests(self) -> dict[str, str]:
        """Node id -> failure text of every failed test (errors included)."""
        return {t.nodeid: t.text for t in self.tests if t.failed}

    @property
    def passed(self) -> tuple[str, ...]:
        """Node ids of the tests that passed."""
        return tuple(t.nodeid for t in self.tests if t.outcome == PASSED)

    @property
    def skipped(self) -> tuple[str, ...]:
        """Node ids of the tests that were skipped."""
        return tuple(t.nodeid for t in self.tests if t.outcome == SKIPPED)

    def counts(self) -> dict[str, int]:
        """passed / failed (errors included) / skipped totals."""
        return {PASSED: len(self.passed), FAILED: len(self.failed()), SKIPPED: len(self.skipped)}

    def failures_naming(self, requirement_id: str) -> list[str]:
        """Node ids of failed tests whose failure text names `requirement_id`."""
        return [t.nodeid for t in self.tests if t.failed and requirement_id in t.text]

    def describe(self) -> str:
        """A short account for assertion messages: exit code, outcomes, the start of each failure."""
        counts = self.counts()
        lines = [
            f"exit code {self.exit_code}: {counts[PASSED]} passed, {counts[FAILED]} failed, "
            f"{counts[SKIPPED]} skipped" + (f" ({self.problem})" if self.problem else "")
        ]
        for test in self.failed():
            lines.append(f"FAILED {test.nodeid}: {test.text[:400]}")
        if not self.tests:
            lines.append(self.output[-3000:])
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The outcome as JSON-able data (read back by from_json)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SuiteOutcome:
        """An outcome written by to_json."""
        tests = tuple(
            TestOutcome(
                **{
                    **test,
                    "requirements": tuple(test["requirements"]),
                    "finding_requirements": tuple(test["finding_requirements"]),
                }
            )
            for test in data["tests"]
        )
        known = {f.name for f in fields(cls)} - {"tests"}
        return cls(tests=tests, **{key: value for key, value in data.items() if key in known})


def child_argv(spec: ChildRunSpec, reports_dir: Path) -> list[str]:
    """The child command line: run options, faults, then after `--` the selection and pytest options."""
    if spec.mode not in MODES:
        raise ValueError(f"unknown child-run mode {spec.mode!r}; known: {', '.join(MODES)}")
    argv = [sys.executable, "-m", "conformance", "run", "--no-html", "--reports-dir", str(reports_dir)]
    argv += list(BLIND_RUN_ARGS if spec.mode == BLIND else ())
    argv += ["-n", "0"]  # one process per child run unless run_args say otherwise (a box's default: workers)
    argv += list(spec.run_args)
    for name in spec.faults:
        argv += ["--fault", name]
    argv += ["--", "-p", "no:randomly", "-p", "no:cacheprovider", "-q", "--no-header"]
    if spec.k_expr:
        argv += ["-k", spec.k_expr]
    if spec.requirements:
        argv += ["-p", "conformance.mutants.selection", f"--mutants-req={','.join(spec.requirements)}"]
    return argv + list(spec.pytest_args)


def share_bytecode_cache(env: MutableMapping[str, str]) -> None:
    """Point `env` at the shared bytecode cache (outside the checkout), so its processes skip recompiling."""
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault(PYCACHE_ENV, str(PYCACHE_DIR))


def child_env() -> dict[str, str]:
    """This process's environment with a shared bytecode cache, so child processes skip recompiling."""
    env = dict(os.environ)
    share_bytecode_cache(env)
    return env


def run_child(spec: ChildRunSpec, workdir: Path, *, timeout_s: float = RUN_TIMEOUT_S) -> SuiteOutcome:
    """Run `spec` with its reports and log in `workdir`; read back what every test did."""
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    reports = workdir / "runs"
    log = workdir / "run.log"
    ignores, expected = narrowing(spec, workdir)
    argv = child_argv(spec, reports) + ignores
    if not any(a.startswith("--basetemp") for a in spec.pytest_args):  # pytest's own numbered folders
        argv.append(f"--basetemp={workdir / 'pytest-tmp'}")  # would be pruned by every run: keep them apart
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        out.write(" ".join(argv) + "\n")
        out.flush()
        exit_code, timed_out = _run_logged(argv, out, timeout_s)
    wall = time.monotonic() - started
    output = log.read_text(encoding="utf-8", errors="replace")[-OUTPUT_KEPT:]
    tests, unreadable = read_outcomes(reports)
    problem = unreadable
    if timed_out:
        problem = f"timed out after {timeout_s:.0f} s; see {log}"
    elif not tests and not problem:
        no_match = exit_code == ExitCode.USAGE_ERROR and (spec.k_expr or spec.requirements)
        problem = "no test matches the selection" if no_match else f"the run produced no results; see {log}"
    differs = ""
    if expected is not None and not problem:
        differs = selection_difference(expected, {t.nodeid for t in tests}, spec.pytest_args)
    outcome = SuiteOutcome(exit_code, tests, spec.mode, wall, output, str(log), problem or differs, timed_out)
    return replace(outcome, selection_differs=bool(differs))


def narrowing(spec: ChildRunSpec, workdir: Path) -> tuple[list[str], frozenset[str] | None]:
    """`--ignore` options for the modules the selection does not need, and the node ids it selects."""
    if not spec.narrowable():
        return [], None
    collect = ChildRunSpec(pytest_args=("--collect-only", "-p", "conformance.mutants.selection"))
    env = child_env()
    try:
        index = load_index(Path(env[PYCACHE_ENV]), child_argv(collect, workdir / "index-run"), env)
    except SuiteIndexError:
        return [], None  # the suite does not collect: the whole run will say why
    selected = index.select(spec.k_expr, spec.requirements)
    if not selected:
        return [], None  # the run itself says that nothing matches
    return index.ignore_args(selected), frozenset(test.nodeid for test in selected)


def selection_difference(expected: frozenset[str], ran: set[str], pytest_args: Sequence[str]) -> str:
    """Why the tests a narrowed run ran are not those the selection names ("" when they are)."""
    missing = sorted(expected - ran) if not any(a.startswith(STOPS_EARLY) for a in pytest_args) else []
    unexpected = sorted(ran - expected)
    if not (missing or unexpected):
        return ""
    return f"the narrowed run ran other tests than selected: missing {missing[:5]}, extra {unexpected[:5]}"


def run_suite(
    k_expr: str, faults: Sequence[str], extra: Sequence[str] = (), *, run_args: Sequence[str] = ()
) -> SuiteOutcome:
    """Kill tests' runner: `-k k_expr` with `faults` on (extra goes to pytest, run_args to the run).

    Without a `--box-url` the run starts a fresh embedded emulator; such a run is made once per test
    session when the session shares runs (shared_runs.py). A run that does not finish in time, or that
    ran other tests than the selection names, raises AssertionError.
    """
    spec = ChildRunSpec(tuple(faults), k_expr, (), tuple(run_args), tuple(extra))
    folder = shared_folder()
    if folder is not None and spec.judges_its_own_emulator():
        made = made_once(folder, asdict(spec), lambda: _run_in_temp(spec).to_json())
        outcome = SuiteOutcome.from_json(made)
    else:
        outcome = _run_in_temp(spec)
    if outcome.timed_out or outcome.selection_differs:
        raise AssertionError(f"suite run: {outcome.problem}:\n{outcome.output[-3000:]}")
    return outcome


def _run_in_temp(spec: ChildRunSpec) -> SuiteOutcome:
    """run_child in a temporary folder (its reports and log go with it)."""
    with tempfile.TemporaryDirectory(prefix="kill-run-") as workdir:
        return run_child(spec, Path(workdir))


def run_command(argv: list[str], log: Path, timeout_s: float = RUN_TIMEOUT_S) -> tuple[int, bool]:
    """A `python -m conformance …` command started as child runs are (forked from the session's warm fork
    server when there is one), its output in `log`; (exit code, timed out)."""
    with log.open("w", encoding="utf-8") as out:
        return _run_logged(argv, out, timeout_s)


def _run_logged(argv: list[str], out: IO[str], timeout_s: float) -> tuple[int, bool]:
    """Run the CLI in its own process group writing to `out`; (exit code, timed out).

    In a test session that names a warm fork server (warm_launch.py) the run is forked from it, else it
    starts as a new interpreter.
    """
    env = child_env()
    launcher = warm_launcher(env)
    warm = launcher.start(argv, env, Path(out.name)) if launcher is not None else None
    if warm is not None:
        return _wait_or_stop(warm, timeout_s)
    with subprocess.Popen(
        argv,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    ) as child:
        return _wait_or_stop(child, timeout_s)


def _wait_or_stop(child: WarmChild | subprocess.Popen[bytes], timeout_s: float) -> tuple[int, bool]:
    """(exit code, False), or (-1, True) after stopping a child that did not end within `timeout_s`."""
    try:
        return child.wait(timeout=timeout_s), False
    except subprocess.TimeoutExpired:
        _stop_group(child)
        return -1, True


def _stop_group(child: WarmChild | subprocess.Popen[bytes]) -> None:
    """SIGTERM the child's process group (the run restores the box), then SIGKILL what is left."""
    for sig, wait_s in ((signal.SIGTERM, STOP_GRACE_S), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(child.pid, sig)
        except ProcessLookupError:
            return
        try:
            child.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def read_outcomes(reports: Path) -> tuple[tuple[TestOutcome, ...], str]:
    """Every test of the newest run folder under `reports`, and why the records could not be read ("")."""
    runs = sorted(p.parent for p in reports.glob(f"*/{RECORDS_FILE}") if p.is_file())
    if not runs:
        return (), ""
    try:
        records = read_records(runs[-1] / RECORDS_FILE)
    except SpecFileError as exc:
        return (), f"unreadable records: {exc}"
    texts = junit_failure_texts(runs[-1] / "junit.xml")
    return tuple(_outcome(record, texts.get(record.nodeid, "")) for record in records), ""


def _outcome(record: TestRecord, junit_text: str) -> TestOutcome:
    """A record as a TestOutcome; the JUnit text is whole where the record's is cut at its size limit."""
    ended = {Outcome.FAILED: FAILED, Outcome.ERROR: ERROR, Outcome.SKIPPED: SKIPPED}
    ended[Outcome.NOT_EXERCISED] = SKIPPED
    outcome = ended.get(record.outcome)  # not exercised is never a pass
    if outcome is None:  # an expected failure counts as skipped, a (non-strict) unexpected pass as passed
        outcome = SKIPPED if record.outcome == Outcome.XFAILED else PASSED
    failed = outcome in (FAILED, ERROR)
    return TestOutcome(
        nodeid=record.nodeid,
        outcome=outcome,
        requirements=record.requirement_ids,
        text=(junit_text or record.failure_text) if failed else "",
        category="" if record.category is None else str(record.category.value),
        findings=record.findings,
        finding_requirements=record.finding_requirement_ids,
    )


def junit_failure_texts(path: Path) -> dict[str, str]:
    """Node id -> message and text of every failure and error in a JUnit report ({} when unreadable)."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return {}
    texts: dict[str, str] = {}
    for case in root.iter("testcase"):
        problems = [*case.findall("failure"), *case.findall("error")]
        if problems:
            nodeid = junit_nodeid(case.get("classname", ""), case.get("name", ""))
            text = "\n".join(f"{p.get('message', '')}\n{p.text or ''}" for p in problems)
            texts[nodeid] = texts.get(nodeid, "") + text
    return texts


def junit_nodeid(classname: str, name: str) -> str:
    """pytest's node id from junit's dotted classname: the longest prefix that is a .py file is the module."""
    parts = [part for part in classname.split(".") if part]  # a collection error has an empty classname
    for cut in range(len(parts), 0, -1):
        module = Path(*parts[:cut]).with_suffix(".py")
        if (PROJECT_ROOT / module).is_file():
            return "::".join([module.as_posix(), *parts[cut:], name])
    return f"{classname}::{name}"
