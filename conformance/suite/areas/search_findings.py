"""Turn check findings and schema findings into the one failure type, for the search, push and upload areas.

Checks return `Finding`s; a test must fail with a `ConformanceFailure` that carries the requirement
ids, the category and the exchanges (HTTP, WebSocket transcript or received uploads) that show it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from conformance.checks.findings import Finding
from conformance.clients.exchange import Exchange
from conformance.clients.failures import ConformanceFailure, FailureCategory
from conformance.spec.catalog import Profile, load_spec
from conformance.spec.validators import SchemaFinding

MAX_LISTED = 8


def _category(findings: Sequence[Finding]) -> FailureCategory:
    """The most telling category of a batch: unit beats schema beats semantic; harness only alone."""
    names = {finding.category for finding in findings}
    for name in ("unit", "schema", "semantic", "transport", "harness"):
        if name in names:
            return FailureCategory(name)
    return FailureCategory.SEMANTIC


def fail_on_findings(
    findings: Sequence[Finding],
    title: str,
    requirement_ids: Iterable[str],
    exchanges: Sequence[Exchange] = (),
) -> None:
    """Raise one ConformanceFailure listing every finding; do nothing when there are none."""
    if not findings:
        return
    ids = list(dict.fromkeys([*requirement_ids, *(i for f in findings for i in f.requirement_ids)]))
    lines = [f"- [{f.check}] {f.message}" for f in findings[:MAX_LISTED]]
    if len(findings) > MAX_LISTED:
        lines.append(f"- … and {len(findings) - MAX_LISTED} more finding(s)")
    raise ConformanceFailure(
        f"{title}: {findings[0].message}",
        "\n".join(lines),
        category=_category(findings),
        requirement_ids=ids,
        exchanges=exchanges,
    )


def fail_unless(
    condition: bool,
    title: str,
    requirement_ids: Iterable[str],
    exchanges: Sequence[Exchange] = (),
    *,
    message: str = "",
    category: FailureCategory = FailureCategory.SEMANTIC,
) -> None:
    """Raise a ConformanceFailure with the exchanges when the condition does not hold."""
    if not condition:
        raise ConformanceFailure(
            title, message, category=category, requirement_ids=list(requirement_ids), exchanges=exchanges
        )


def fail_on_schema(
    schema_name: str,
    instance: Any,
    profile: str,
    requirement_ids: Iterable[str],
    exchanges: Sequence[Exchange] = (),
    *,
    what: str = "",
    excused: Callable[[SchemaFinding], bool] = lambda _finding: False,
) -> None:
    """Validate one message against a schema under the run's profile; any finding not excused fails."""
    found = [f for f in load_spec(Profile(profile)).validate(schema_name, instance) if not excused(f)]
    if not found:
        return
    lines = [
        f"- {f.instance_path or '/'}: {f.message}" + (f" (errata {', '.join(f.errata)})" if f.errata else "")
        for f in found[:MAX_LISTED]
    ]
    first = found[0]
    raise ConformanceFailure(
        f"{what or schema_name} does not conform to {schema_name} ({profile}): "
        f"{first.instance_path or '/'} {first.message}",
        "\n".join(lines),
        category=FailureCategory.SCHEMA,
        requirement_ids=list(dict.fromkeys([*requirement_ids, *(i for f in found for i in f.requirements)])),
        exchanges=exchanges,
    )


def e23_stranger_info(paths: Iterable[str]) -> Callable[[SchemaFinding], bool]:
    """Excuse E23 findings at the identity_info of strangers: its strict decision is `{}` for them.

    The strict schema node (common.json identity_info_v1) requires face_ids and image_id everywhere,
    which contradicts the erratum's own strict decision; reported to the schema owner.
    """
    wanted = set(paths)
    return lambda finding: finding.instance_path in wanted and "E23" in finding.errata
