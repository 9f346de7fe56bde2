"""Render a GateResult as text for people, JSON for tools, or JUnit XML for CI test tabs."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from conformance.report.gate import Change, GateResult, RequirementChange
from conformance.report.waivers import Waiver

SECTIONS: tuple[tuple[Change, str], ...] = (
    (Change.REGRESSION, "Regressions (pass -> fail)"),
    (Change.NEW_FAILURE, "New failures (not passing before)"),
    (Change.STILL_FAILING, "Still failing"),
    (Change.FIX, "Fixes (fail -> pass)"),
    (Change.NEWLY_COVERED, "Newly covered"),
    (Change.COVERAGE_LOST, "Coverage lost (now skipped or not covered)"),
    (Change.NEW_REQUIREMENT, "New requirements (not covered yet)"),
    (Change.REMOVED, "Removed requirements"),
)
FORMATS = ("text", "json", "junit")


def _line(change: RequirementChange) -> str:
    text = f"  {change.id} [{change.level}] {change.baseline or '-'} -> {change.current or '-'}"
    if change.waived and change.waiver is not None:
        text += f"  WAIVED ({change.waiver.describe()})"
    elif change.waiver_expired and change.waiver is not None:
        text += f"  waiver EXPIRED on {change.waiver.expires.isoformat()}"
    if change.blocking:
        text += "  BLOCKING"
    return text


def _waiver_line(waiver: Waiver) -> str:
    return f"  {waiver.requirement}: {waiver.describe()}"


def render_text(result: GateResult) -> str:
    """Sections of changed requirements, then the verdict."""
    lines: list[str] = []
    for change, title in SECTIONS:
        items = result.of(change)
        if items:
            lines += [f"{title}: {len(items)}", *(_line(item) for item in items), ""]
    if result.expired_waivers:
        lines += [f"Expired waivers (each fails the gate): {len(result.expired_waivers)}"]
        lines += [_waiver_line(w) for w in result.expired_waivers] + [""]
    if result.unused_waivers:
        lines += [f"Unused waivers (requirement not failing): {len(result.unused_waivers)}"]
        lines += [_waiver_line(w) for w in result.unused_waivers] + [""]
    if result.passed:
        lines.append("GATE PASSED: no MUST requirement regressed or fails unwaived")
    else:
        reasons = []
        if result.blocking:
            reasons.append(f"{len(result.blocking)} MUST requirement(s) failing without a valid waiver")
        if result.expired_waivers:
            reasons.append(f"{len(result.expired_waivers)} expired waiver(s)")
        lines.append("GATE FAILED: " + "; ".join(reasons))
        lines += [f"  {c.id}" for c in result.blocking]
    return "\n".join(lines) + "\n"


def _waiver_dict(waiver: Waiver | None) -> dict[str, str] | None:
    if waiver is None:
        return None
    return {
        "requirement": waiver.requirement,
        "reason": waiver.reason,
        "owner": waiver.owner,
        "expires": waiver.expires.isoformat(),
    }


def render_json(result: GateResult) -> str:
    """Everything, machine-readable."""
    data: dict[str, Any] = {
        "passed": result.passed,
        "blocking": [c.id for c in result.blocking],
        "changes": {
            change.value: [
                {
                    "id": c.id,
                    "level": c.level,
                    "baseline": c.baseline,
                    "current": c.current,
                    "waived": c.waived,
                    "blocking": c.blocking,
                    "waiver": _waiver_dict(c.waiver),
                }
                for c in result.of(change)
            ]
            for change, _title in SECTIONS
        },
        "expired_waivers": [_waiver_dict(w) for w in result.expired_waivers],
        "unused_waivers": [_waiver_dict(w) for w in result.unused_waivers],
    }
    return json.dumps(data, indent=2) + "\n"


def render_junit(result: GateResult) -> str:
    """One test case per requirement (failure when blocking, skipped when waived) and per expired waiver."""
    suite = ET.Element("testsuite", name="sophon-conformance-gate")
    failures = skipped = 0
    for change in result.changes:
        case = ET.SubElement(suite, "testcase", classname=f"gate.{change.level}", name=change.id)
        detail = f"{change.baseline or '-'} -> {change.current or '-'} ({change.change.value})"
        if change.blocking:
            failures += 1
            ET.SubElement(case, "failure", message=f"{change.id} {detail}").text = detail
        elif change.waived and change.waiver is not None:
            skipped += 1
            ET.SubElement(case, "skipped", message=f"waived: {change.waiver.describe()}")
    for waiver in result.expired_waivers:
        failures += 1
        case = ET.SubElement(suite, "testcase", classname="gate.waivers", name=f"waiver {waiver.requirement}")
        message = f"waiver expired on {waiver.expires.isoformat()} (owner {waiver.owner})"
        ET.SubElement(case, "failure", message=message).text = waiver.reason
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(result: GateResult, fmt: str) -> str:
    """Render in one of FORMATS."""
    renderers = {"text": render_text, "json": render_json, "junit": render_junit}
    return renderers[fmt](result)
