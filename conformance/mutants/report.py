"""Print and write the kill matrix: a column per mode, one detail table per mode, totals, the command."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from conformance.mutants.child_run import BLIND
from conformance.mutants.fault_catalog import FAULT
from conformance.mutants.matrix import KILLED, Totals, Verdict, totals_by_mode

MAX_TESTS_SHOWN = 3
MODE_TITLES = {"control": "control plane on", BLIND: "blind: site mode, no control plane"}


def _tests_cell(tests: Sequence[str], empty: str = "—") -> str:
    names = [t.rsplit("::", 1)[-1] for t in tests[:MAX_TESTS_SHOWN]]
    more = len(tests) - len(names)
    cell = ", ".join(f"`{n}`" for n in names) + (f" +{more}" if more > 0 else "")
    return cell or empty


def status_cell(verdict: Verdict) -> str:
    """The verdict with a mark: ✅ as it should be, ❌ not, ➖ a fault not expected in this mode."""
    if verdict.kind == FAULT and not verdict.observable:
        return (
            "➖ killed (not expected)" if verdict.status == KILLED else f"➖ {verdict.status} (not expected)"
        )
    return f"{'✅' if verdict.ok else '❌'} {verdict.status}"


def _mode_table(verdicts: Sequence[Verdict], *, baseline: bool) -> list[str]:
    head = (
        "| run | kind | profile | suite | killing / failing tests | requirement ids named | harness errors |"
    )
    rule = "|---|---|---|---|---|---|---|"
    if baseline:
        head += " schemathesis alone |"
        rule += "---|"
    lines = [head, rule]
    for v in verdicts:
        reqs = ", ".join(v.failing_requirements[:6]) or "—"
        tests = _tests_cell(v.failing_tests, v.problem or "—")
        extra = []
        if v.off_target:
            extra.append(f"off target: {_tests_cell(v.off_target)}")
        if v.unstable_failures:
            extra.append(f"unstable: {_tests_cell(v.unstable_failures)}")
        if extra:
            tests += " (" + "; ".join(extra) + ")"
        row = (
            f"| `{v.name}` | {v.kind} | {v.profile} | {status_cell(v)} | {tests} | {reqs} "
            f"| {_tests_cell(v.harness_errors)} |"
        )
        if baseline:
            row += f" {v.baseline or '—'} |"
        lines.append(row)
    return lines


def _overview(verdicts: Sequence[Verdict], modes: Sequence[str]) -> list[str]:
    """One row per mutant, one column per mode, and whether the fault is observable without control."""
    by_key = {(v.name, v.mode): v for v in verdicts}
    names = list(dict.fromkeys(v.name for v in verdicts))
    lines = [
        "| run | kind | observable without control plane | " + " | ".join(modes) + " |",
        "|---|---|---|" + "---|" * len(modes),
    ]
    for name in names:
        rows = [by_key.get((name, mode)) for mode in modes]
        first = next(r for r in rows if r is not None)
        observable = "—"
        if first.kind == FAULT:
            blind = by_key.get((name, BLIND))
            reason = blind.unobservable_reason if blind is not None else ""
            observable = "yes" if blind is None or blind.observable else f"no: {reason}"
        cells = [status_cell(r) if r is not None else "not run" for r in rows]
        lines.append(f"| `{name}` | {first.kind} | {observable} | " + " | ".join(cells) + " |")
    return lines


def render_markdown(verdicts: Sequence[Verdict], command: str, *, baseline: bool) -> str:
    """The matrix as a Markdown document (also what the terminal shows)."""
    by_mode = totals_by_mode(verdicts)
    modes = list(by_mode)
    lines = [f"Command: `{command}`", ""]
    if BLIND in modes:
        lines += ["### Every run, a column per mode", "", *_overview(verdicts, modes), ""]
    for mode in modes:
        rows = [v for v in verdicts if v.mode == mode]
        lines += [f"### {MODE_TITLES.get(mode, mode)}", "", *_mode_table(rows, baseline=baseline), ""]
    lines += ["### Totals", "", *render_totals(by_mode, baseline=baseline)]
    return "\n".join(lines) + "\n"


def render_totals(by_mode: dict[str, Totals], *, baseline: bool) -> list[str]:
    """The bottom lines, a column per mode (and schemathesis alone per mode): kills, alarms, clean runs."""
    modes = list(by_mode)
    heads = [f"suite, {mode}" for mode in modes]
    if baseline:
        heads += [f"schemathesis alone, {mode}" for mode in modes]
    lines = ["| | " + " | ".join(heads) + " |", "|---|" + "---|" * len(heads)]

    def line(label: str, suite: list[str], alone: list[str] | None = None) -> str:
        cells = suite + ((alone or [""] * len(modes)) if baseline else [])
        return f"| {label} | " + " | ".join(cells) + " |"

    all_totals = list(by_mode.values())
    lines += [
        line(
            "faults killed (of those observable in the mode)",
            [f"{t.killed}/{t.faults} ({t.kill_rate:.0%})" for t in all_totals],
            [f"{t.baseline_killed}/{t.baseline_faults} ({t.baseline_kill_rate:.0%})" for t in all_totals],
        ),
        line(
            "killed by a finding naming the fault's requirement",
            [f"{t.killed_on_target}/{t.faults}" for t in all_totals],
        ),
        line(
            "faults not observable in the mode (of them killed)",
            [f"{t.unobservable} ({t.unobservable_killed})" for t in all_totals],
        ),
        line(
            "false alarms on variations",
            [f"{t.false_alarms}/{t.variations}" for t in all_totals],
            [f"{t.baseline_false_alarms}/{t.variations}" for t in all_totals],
        ),
        line("runs with harness errors only, or unjudged", [str(t.harness_error_runs) for t in all_totals]),
        line("unstable tests (fail on a clean or variation run)", [str(len(t.unstable)) for t in all_totals]),
        line("clean runs", ["passed" if t.clean_ok else "FAILED" for t in all_totals]),
    ]
    if any(t.not_run for t in all_totals):
        lines.append(line("runs not made (not counted above)", [str(t.not_run) for t in all_totals]))
    unstable = [(mode, t.unstable) for mode, t in by_mode.items() if t.unstable]
    if unstable:
        lines.append("")
    for mode, tests in unstable:
        shown = ", ".join(f"`{t.rsplit('::', 1)[-1]}`" for t in tests)
        lines.append(f"Unstable in {mode} (their failures count as no kill): {shown}")
    return lines


def write_report(out_dir: Path, verdicts: Sequence[Verdict], command: str, *, baseline: bool) -> Path:
    """matrix.json and matrix.md in `out_dir`; `latest` beside it points at the newest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    by_mode = totals_by_mode(verdicts)
    data = {
        "command": command,
        "modes": list(by_mode),
        "totals": {
            mode: {
                **asdict(t),
                "kill_rate": t.kill_rate,
                "baseline_kill_rate": t.baseline_kill_rate,
                "ok": t.ok,
            }
            for mode, t in by_mode.items()
        },
        "ok": all(t.ok for t in by_mode.values()),
        "rows": [asdict(v) for v in verdicts],
    }
    (out_dir / "matrix.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    (out_dir / "matrix.md").write_text(
        "# Kill matrix\n\n" + render_markdown(verdicts, command, baseline=baseline), encoding="utf-8"
    )
    latest = out_dir.parent / "latest"
    temporary = out_dir.parent / f".latest-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(out_dir.name)
    temporary.replace(latest)
    return out_dir
