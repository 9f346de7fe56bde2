"""Print and write the kill matrix: one row per run, totals, the command that produced it."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from conformance.mutants.matrix import Totals, Verdict

MAX_TESTS_SHOWN = 3


def _tests_cell(verdict: Verdict) -> str:
    names = [t.rsplit("::", 1)[-1] for t in verdict.failing_tests[:MAX_TESTS_SHOWN]]
    more = len(verdict.failing_tests) - len(names)
    cell = ", ".join(f"`{n}`" for n in names) + (f" +{more}" if more > 0 else "")
    return cell or (verdict.problem or "—")


def _status_cell(verdict: Verdict) -> str:
    mark = "✅" if verdict.ok else "❌"
    target = " (off target)" if verdict.status == "killed" and not verdict.on_target else ""
    return f"{mark} {verdict.status}{target}"


def render_markdown(verdicts: Sequence[Verdict], totals: Totals, command: str, *, baseline: bool) -> str:
    """The matrix as a Markdown document (also what the terminal shows)."""
    lines = [f"Command: `{command}`", ""]
    head = "| run | kind | profile | suite | failing tests | requirement ids |"
    rule = "|---|---|---|---|---|---|"
    if baseline:
        head += " schemathesis alone |"
        rule += "---|"
    lines += [head, rule]
    for v in verdicts:
        reqs = ", ".join(v.failing_requirements[:6]) or "—"
        row = f"| `{v.name}` | {v.kind} | {v.profile} | {_status_cell(v)} | {_tests_cell(v)} | {reqs} |"
        if baseline:
            row += f" {v.baseline or '—'} |"
        lines.append(row)
    lines += ["", *render_totals(totals, baseline=baseline)]
    return "\n".join(lines) + "\n"


def render_totals(totals: Totals, *, baseline: bool) -> list[str]:
    """The bottom lines: kill rates side by side, false alarms, clean run."""
    lines = [
        "| | domain suite | schemathesis alone |" if baseline else "| | domain suite |",
        "|---|---|---|" if baseline else "|---|---|",
    ]
    suite_kills = f"{totals.killed}/{totals.faults} ({totals.kill_rate:.0%})"
    base_kills = f"{totals.baseline_killed}/{totals.baseline_faults} ({totals.baseline_kill_rate:.0%})"
    alarms = f"{totals.false_alarms}/{totals.variations}"
    if baseline:
        lines.append(f"| faults killed | {suite_kills} | {base_kills} |")
        lines.append(
            f"| false alarms on variations | {alarms} | {totals.baseline_false_alarms}/{totals.variations} |"
        )
    else:
        lines.append(f"| faults killed | {suite_kills} |")
        lines.append(f"| false alarms on variations | {alarms} |")
    lines.append(
        f"| killed by a test naming the fault's requirement | {totals.killed_on_target}/{totals.faults} |"
        + (" |" if baseline else "")
    )
    lines.append(f"| clean run | {'passed' if totals.clean_ok else 'FAILED'} |" + (" |" if baseline else ""))
    return lines


def write_report(
    out_dir: Path, verdicts: Sequence[Verdict], totals: Totals, command: str, *, baseline: bool
) -> Path:
    """matrix.json and matrix.md in `out_dir`; `latest` beside it points at the newest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = {
        "command": command,
        "totals": {
            **asdict(totals),
            "kill_rate": totals.kill_rate,
            "baseline_kill_rate": totals.baseline_kill_rate,
        },
        "ok": totals.ok,
        "rows": [asdict(v) for v in verdicts],
    }
    (out_dir / "matrix.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    (out_dir / "matrix.md").write_text(
        "# Kill matrix\n\n" + render_markdown(verdicts, totals, command, baseline=baseline), encoding="utf-8"
    )
    latest = out_dir.parent / "latest"
    temporary = out_dir.parent / f".latest-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(out_dir.name)
    temporary.replace(latest)
    return out_dir
