"""Login (reference v2-login): a successful login answers {"result": true}, a JSON boolean.

Credentials: --username/--password for a real box; the embedded emulator's documented admin/admin
(docs/emulator.md). A real box without credentials skips: a guessed password could count toward a lock-out.
A missing argument is named in the error; a wrong password is refused.
"""

from __future__ import annotations

import pytest

from conformance.clients.failures import fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.support.envelopes import expect_v2_client_error
from conformance.target.target import LOGIN_PATH, Target

EMULATOR_LOGIN = ("admin", "admin")
WRONG_PASSWORD = "sophon-conformance-wrong-password"  # deliberately wrong


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


@pytest.mark.req("LOGIN-ERR-002", "ERR-ERR-003")
@pytest.mark.parametrize("missing", ["username", "password"])
def test_login_missing_argument_is_named(http_client: RecordingHttpClient, missing: str) -> None:
    ids = ["LOGIN-ERR-002", "ERR-ERR-003"]
    body = {key: "admin" for key in ("username", "password") if key != missing}
    answer = http_client.post_json(LOGIN_PATH, body)
    error = expect_v2_client_error(answer, ("MISSING_ARGUMENTS",), ids)
    fail_unless(
        error.get("message") == missing,
        f"error.message is {error.get('message')!r}, expected the missing key {missing!r}",
        ids,
        [answer.exchange],
    )


@pytest.mark.req("LOGIN-ERR-001")
@pytest.mark.writes_box  # a refused login may count toward a lock-out on a real box: one attempt per run
def test_login_wrong_password_is_refused(target: Target, http_client: RecordingHttpClient) -> None:
    username = target.config.username or "admin"
    answer = http_client.post_json(LOGIN_PATH, {"username": username, "password": WRONG_PASSWORD})
    if answer.status != 200:
        expect_v2_client_error(answer, ("PASSWORD_ERROR",), ["LOGIN-ERR-001"])
        return
    body = answer.json()
    fail_unless(
        isinstance(body, dict) and body.get("result") is False,
        f"a wrong password answered 200 with {body!r:.120}, expected result false",
        ["LOGIN-ERR-001"],
        [answer.exchange],
    )
