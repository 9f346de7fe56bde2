"""What the pytest plugin calls to label a test in Allure and attach its exchanges (pure calls to `allure`).

Labels: epic = interface, feature = area, story = requirement id, severity from the strongest level, one
link per requirement to its section of the vendor document. Exchanges arrive already rendered (the
suite renders them with `conformance.clients`), so this module depends on nothing but `allure` and spec.
Every function is a no-op outside a test that allure-pytest reports on.
"""

from __future__ import annotations

import json
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


def _json_text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return str(value)
    return json.dumps(value, indent=2, ensure_ascii=False)


def attach_http_exchange(
    title: str, *, curl: str, request_body: Any = None, response_body: Any = None, status: int | None = None
) -> None:
    """One step per HTTP exchange: the curl line, the request and the response JSON."""
    heading = title if status is None else f"{title} -> {status}"
    with allure.step(heading):
        allure.attach(curl, name="curl", attachment_type=allure.attachment_type.TEXT)
        if request_body is not None:
            allure.attach(
                _json_text(request_body), name="request", attachment_type=allure.attachment_type.JSON
            )
        if response_body is not None:
            allure.attach(
                _json_text(response_body), name="response", attachment_type=allure.attachment_type.JSON
            )


def attach_ws_transcript(title: str, transcript: str) -> None:
    """One step per WebSocket session with its transcript."""
    with allure.step(title):
        allure.attach(transcript, name="WebSocket transcript", attachment_type=allure.attachment_type.TEXT)


def attach_upload(title: str, payload: Any, *, rendered: str | None = None) -> None:
    """One step per received upload: its payload (JSON when it parses; none if undecodable), how it came."""
    with allure.step(title):
        if payload is not None:
            allure.attach(
                _json_text(payload), name="upload payload", attachment_type=allure.attachment_type.JSON
            )
        if rendered:
            allure.attach(rendered, name="upload as received", attachment_type=allure.attachment_type.TEXT)


def note_step(title: str) -> None:
    """An empty step that tells the reader something, e.g. how much evidence was left out."""
    with allure.step(title):
        pass


def attach_failure(text: str) -> None:
    """The formatted failure (format_failure's output) as a text attachment, next to Allure's trace."""
    allure.attach(text, name="failure", attachment_type=allure.attachment_type.TEXT)
