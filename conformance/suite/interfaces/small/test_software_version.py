"""Software version (reference system-software-version, port 8888): a JSON object as documented; a body that
is not JSON is ignored or refused with a 4xx envelope, a GET is refused so."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from conformance.clients.failures import fail_unless
from conformance.clients.http_client import RecordedResponse, RecordingHttpClient
from conformance.spec.schema_requirements import schema_requirement_ids
from conformance.suite.support.envelopes import expect_client_status
from conformance.suite.support.schema_findings import fail_on_schema
from conformance.target.target import Target


@pytest.fixture(scope="module")
def version_url(target: Target, http_client: RecordingHttpClient) -> str:
    """The version service's URL; skips when nothing listens there (it is optional on a box)."""
    url = target.config.default_version_url
    if http_client.post_json(url, {}).status is None:
        pytest.skip(f"no software-version service at {url}")
    return url


@pytest.mark.req("VER-SCHEMA-001", *schema_requirement_ids("software-version-response"))
def test_software_version_is_a_json_object(
    version_url: str, http_client: RecordingHttpClient, target: Target
) -> None:
    answer = http_client.post_json(version_url, {})
    body = answer.json()
    fail_unless(
        answer.status == 200, f"HTTP {answer.status}, expected 200", ["VER-SCHEMA-001"], [answer.exchange]
    )
    fail_unless(
        isinstance(body, dict),
        f"the answer is not a JSON object (content-type {answer.headers.get('content-type')!r})",
        ["VER-SCHEMA-001"],
        [answer.exchange],
    )
    fail_on_schema(
        "software-version-response", body, target.profile, [], [answer.exchange], what="version answer"
    )


def _expect_version_error(answer: RecordedResponse, ids: Sequence[str]) -> None:
    """A 4xx with {"error": {"code", "message"}} (the table types code as int, its codes are strings)."""
    expect_client_status(answer, ids)
    body = answer.json()
    error = body.get("error") if isinstance(body, dict) else None
    fail_unless(
        isinstance(error, dict) and "code" in error and isinstance(error.get("message"), str),
        'the refusal has no error envelope {"error": {"code", "message"}}',
        ids,
        [answer.exchange],
    )


@pytest.mark.req("VER-ERR-001")
def test_software_version_bad_requests_are_client_errors(
    version_url: str, http_client: RecordingHttpClient
) -> None:
    """A body that is not JSON is ignored (200) or refused with a 4xx envelope; a GET is refused so."""
    broken = http_client.post_raw(version_url, b'{"page":', "application/json")
    if broken.status != 200:
        _expect_version_error(broken, ["VER-ERR-001"])
    _expect_version_error(http_client.get(version_url), ["VER-ERR-001"])
