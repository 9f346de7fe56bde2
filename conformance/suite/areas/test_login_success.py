"""Login (reference v2-login): a successful login answers {"result": true}, a JSON boolean.

Credentials: --username/--password for a real box; the embedded emulator's documented admin/admin
(docs/emulator.md). A real box without credentials skips: a guessed password could count toward a lock-out.
"""

from __future__ import annotations

import pytest

from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.areas.search_findings import fail_unless
from conformance.target.target import LOGIN_PATH, Target

EMULATOR_LOGIN = ("admin", "admin")


def _credentials(target: Target) -> tuple[str, str]:
    """The user to log in with, or a skip when none is known for this box."""
    if target.config.username is not None:
        return target.config.username, target.config.password or ""
    if target.config.embedded:
        return EMULATOR_LOGIN
    pytest.skip(
        "no credentials known for this box: pass --username and --password to check a successful login"
    )


@pytest.mark.req("LOGIN-SCHEMA-002")
def test_successful_login_answers_result_true(target: Target, http_client: RecordingHttpClient) -> None:
    username, password = _credentials(target)
    answer = http_client.post_json(LOGIN_PATH, {"username": username, "password": password})
    body = answer.json()
    result = body.get("result", "<absent>") if isinstance(body, dict) else body
    fail_unless(
        answer.status == 200 and isinstance(body, dict) and body.get("result") is True,
        f"login as {username!r} answered HTTP {answer.status} with result {result!r:.80}, expected true",
        ["LOGIN-SCHEMA-002"],
        [answer.exchange],
    )
