"""Calls of POST /SophonMatch/api/picturesearch (seed 002): one call, a continued chain, and error answers.

A chain resends the same body with `last_end_timestamp` = the previous `endtimestamp` while
`have_more` is true (E25 strict reading; without have_more, E07 lenient, while endtimestamp moves),
bounded so a box that never finishes fails instead of looping.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from conformance.checks.findings import FindingCategory
from conformance.checks.search_checks import SearchCall
from conformance.clients.exchange import HttpExchange
from conformance.clients.failures import fail_unless
from conformance.clients.http_client import RecordedResponse, RecordingHttpClient, Timeouts
from conformance.target.target import PICTURE_SEARCH_PATH

SEARCH_TIMEOUTS = Timeouts(connect=5.0, read=60.0)  # the seed's own example took 107 s; ours are small
MAX_CHAIN_CALLS = 12


def photo_b64(jpeg: bytes) -> str:
    """The `face_image_base64` value of a photo."""
    return base64.b64encode(jpeg).decode("ascii")


def post_search(http_client: RecordingHttpClient, body: Mapping[str, Any]) -> RecordedResponse:
    """One search call, recorded."""
    return http_client.post_json(PICTURE_SEARCH_PATH, dict(body), timeouts=SEARCH_TIMEOUTS)


def expect_success(response: RecordedResponse, requirement_ids: Sequence[str]) -> dict[str, Any]:
    """A 200 answer with a JSON object body, else a failure showing the exchange."""
    exchanges = [response.exchange]
    fail_unless(
        response.status is not None,
        f"picture search got no answer: {response.error}",
        requirement_ids,
        exchanges,
        category=FindingCategory.TRANSPORT,
    )
    body = response.json()
    fail_unless(
        response.status == 200 and isinstance(body, dict),
        f"picture search answered HTTP {response.status}, expected 200 with a JSON object",
        requirement_ids,
        exchanges,
    )
    assert isinstance(body, dict)
    return body


@dataclass
class SearchChain:
    """Every call of one continued search: parsed calls, the raw answers and the exchanges."""

    calls: list[SearchCall] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    exchanges: list[HttpExchange] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        """Item keys of all calls in order (repeats kept)."""
        return [item.key for call in self.calls for item in call.items]


def run_chain(
    http_client: RecordingHttpClient,
    body: Mapping[str, Any],
    requirement_ids: Sequence[str],
    max_calls: int = MAX_CHAIN_CALLS,
) -> SearchChain:
    """Search, then continue from each `endtimestamp` while the box says (or shows) more is left.

    `have_more` decides when present. Without it (E07 lenient, the seed's example) the chain follows
    endtimestamp until a continuation returns nothing and leaves endtimestamp where it was; that probe
    is kept as an exchange, not as a call, and each call's have_more is then inferred from the chain.
    """
    chain = SearchChain()
    request = dict(body)
    finished = False
    for _ in range(max_calls):
        response = post_search(http_client, request)
        chain.exchanges.append(response.exchange)
        answer = expect_success(response, requirement_ids)
        call = SearchCall.from_exchange(request, answer)
        if call.have_more is None and chain.calls and _ends_the_scan(chain.calls[-1], call):
            finished = True
            break
        chain.answers.append(answer)
        chain.calls.append(call)
        if call.have_more is False or answer.get("endtimestamp") is None:
            finished = True
            break
        if len(chain.calls) > 1 and _stuck(chain.calls[-2], call):
            break  # a continuation that does not move would loop: search.continuation reports it
        request = {**body, "last_end_timestamp": answer["endtimestamp"]}
    chain.calls = _inferred_have_more(chain.calls, finished)
    return chain


def _stuck(previous: SearchCall, call: SearchCall) -> bool:
    """The continuation reported more left at the same endtimestamp as the call before it."""
    return call.have_more is True and call.endtimestamp_ms == previous.endtimestamp_ms


def _ends_the_scan(previous: SearchCall, probe: SearchCall) -> bool:
    """A continuation with no result whose endtimestamp did not move: the window was already covered."""
    return not probe.items and probe.endtimestamp_ms == previous.endtimestamp_ms


def _inferred_have_more(calls: list[SearchCall], finished: bool) -> list[SearchCall]:
    """Calls without have_more (E07) get the value the chain showed: true but for a finished last call."""
    last = len(calls) - 1
    return [
        replace(call, have_more=n < last or not finished) if call.have_more is None else call
        for n, call in enumerate(calls)
    ]


def expect_search_error(
    response: RecordedResponse,
    statuses: Sequence[str],
    requirement_ids: Sequence[str],
    profile: str,
) -> None:
    """A refused search: 4xx, v1 envelope, status in `statuses` (E32; lenient: v2 code or retcode "0")."""
    exchanges = [response.exchange]
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    if profile == "lenient" and response.status == 200 and isinstance(body, dict):
        refused = body.get("retcode") == "0" or body.get("ret_code") == 0
        fail_unless(
            refused and not body.get("event_list"),
            'picture search accepted a request it must refuse (200 without retcode "0")',
            requirement_ids,
            exchanges,
        )
        return
    fail_unless(
        response.status is not None and 400 <= response.status < 500,
        f"picture search answered HTTP {response.status}, expected a 4xx refusal ({'/'.join(statuses)})",
        requirement_ids,
        exchanges,
        detail="never a 5xx; a 200 means the bad request was accepted",
    )
    fail_unless(
        isinstance(error, dict),
        'the refusal has no error envelope {"error": {"code", "message", "status"}} (E19/E32)',
        requirement_ids,
        exchanges,
        category=FindingCategory.SCHEMA,
    )
    assert isinstance(error, dict)
    code, status = error.get("code"), error.get("status")
    v1_shape = isinstance(code, int) and not isinstance(code, bool) and status in statuses
    v2_shape = profile == "lenient" and code in statuses
    fail_unless(
        v1_shape or v2_shape,
        f"error code {code!r} / status {status!r}, expected an int code and status in {list(statuses)}",
        requirement_ids,
        exchanges,
        category=FindingCategory.SCHEMA,
    )
    fail_unless(
        isinstance(error.get("message"), str),
        "error.message is missing or not a string",
        requirement_ids,
        exchanges,
        category=FindingCategory.SCHEMA,
    )
