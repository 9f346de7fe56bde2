"""What the pytest plugin calls to label a test in Allure (pure calls to `allure`).

Labels: epic = interface, feature = area, story = requirement id, severity from the strongest level, one
link per requirement to its section of the vendor document. The evidence (steps and attachments) is the
suite's: `conformance.suite.evidence` with the one renderer of `conformance.clients.exchange_render`.
Every function is a no-op outside a test that allure-pytest reports on.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import allure

from conformance.paths import SOURCES_DIR
from conformance.spec.requirements import Level, Requirement

# e.g. SOPHON_SOURCES_URL=https://git.example.com/lab/sophon-conformance/-/blob/main/sources/
SOURCES_URL_ENV = "SOPHON_SOURCES_URL"
SEVERITY: dict[Level, allure.severity_level] = {
    Level.MUST: allure.severity_level.CRITICAL,
    Level.SHOULD: allure.severity_level.NORMAL,
    Level.MAY: allure.severity_level.MINOR,
}
LEVEL_RANK = {Level.MUST: 0, Level.SHOULD: 1, Level.MAY: 2}
_dynamic: Any = allure.dynamic  # allure-pytest ships no type hints for these


def sources_base_url() -> str:
    """Where links to the vendor documents point: $SOPHON_SOURCES_URL, else the local sources/ folder."""
    configured = os.environ.get(SOURCES_URL_ENV, "").strip()
    if configured:
        return configured if configured.endswith("/") else configured + "/"
    return SOURCES_DIR.resolve().as_uri() + "/"


def seed_link(requirement: Requirement, base: str | None = None) -> str:
    """The URL of the line a requirement cites (`#L<line>`, the anchor GitHub and GitLab use)."""
    root = sources_base_url() if base is None else base
    return f"{root}{quote(requirement.source.file)}#L{requirement.source.line}"


def severity_for(requirements: Sequence[Requirement]) -> allure.severity_level:
    """The severity of the most binding requirement a test checks (MUST -> critical)."""
    if not requirements:
        return allure.severity_level.NORMAL
    strongest = min(requirements, key=lambda r: LEVEL_RANK[r.level])
    return SEVERITY[strongest.level]


def label_requirements(requirements: Sequence[Requirement], *, base: str | None = None) -> None:
    """Set epic/feature/story/severity and the source links of the running test."""
    for interface in dict.fromkeys(r.interface for r in requirements):
        _dynamic.epic(interface)
    for area in dict.fromkeys(r.area for r in requirements):
        _dynamic.feature(area)
    for requirement in requirements:
        _dynamic.story(requirement.id)
        name = f"{requirement.id}: {requirement.source.file} §{requirement.source.section}"
        _dynamic.link(seed_link(requirement, base), name=name)
    _dynamic.severity(severity_for(requirements))
    if requirements:
        statements = "\n".join(f"- **{r.id}** ({r.level.value}): {r.statement}" for r in requirements)
        _dynamic.description(statements)


def label_verdict(verdict: str) -> None:
    """Label the running test with its verdict (`not-exercised: <why>` tags it `not exercised`)."""
    kind, _, why = verdict.partition(": ")
    _dynamic.label("verdict", kind)
    if kind == "not-exercised":
        _dynamic.tag("not exercised")
        _dynamic.label("not_exercised_reason", why)
    elif kind == "harness-error":
        _dynamic.tag("harness error")
