"""Schema findings of one message as findings, so a schema deviation fails through the one bridge.

The spec layer validates (`SchemaFinding`: where, what, errata, the requirement ids of the schema node);
this module makes each of them a `Finding` naming those ids, and `fail_on_schema` raises them with
`conformance.clients.failures.fail_on`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from conformance.checks.findings import Finding, FindingCategory
from conformance.clients.exchange import Exchange
from conformance.clients.failures import fail_on
from conformance.spec.catalog import Profile, load_spec
from conformance.spec.validators import SchemaFinding


def schema_finding(schema_name: str, found: SchemaFinding, requirement_ids: Iterable[str] = ()) -> Finding:
    """One schema deviation as a finding: it names its node's requirement ids and those the caller judges.

    The spec's message already says where, which errata and which requirements; it is the finding's title.
    """
    return Finding(
        check=f"schema.{schema_name}",
        message=found.message,
        requirement_ids=tuple(dict.fromkeys([*requirement_ids, *found.requirements])),
        category=FindingCategory.SCHEMA,
        evidence={
            "instance_path": found.instance_path,
            "schema_path": found.schema_path,
            "errata": list(found.errata),
        },
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
    judged = tuple(requirement_ids)
    fail_on(
        [schema_finding(schema_name, f, judged) for f in found],
        f"{what or schema_name} does not conform to {schema_name} ({profile})",
        exchanges=exchanges,
    )


def e23_stranger_info(paths: Iterable[str]) -> Callable[[SchemaFinding], bool]:
    """Excuse E23 findings at the identity_info of strangers: its strict decision is `{}` for them.

    The strict schema node (common.json identity_info_v1) requires face_ids and image_id everywhere,
    which contradicts the erratum's own strict decision; reported to the schema owner.
    """
    wanted = set(paths)
    return lambda finding: finding.instance_path in wanted and "E23" in finding.errata
