"""Short descriptions of requests' transport exceptions: a failure says what happened, not a stack."""

from __future__ import annotations

import requests

_CALLER_ERRORS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidHeader,
)


def is_caller_error(exc: requests.RequestException) -> bool:
    """True when the harness built a request that could not be sent (a harness bug, not a box defect)."""
    return isinstance(exc, _CALLER_ERRORS)


def describe_transport_error(exc: requests.RequestException, connect_s: float, read_s: float) -> str:
    """One line naming the kind of failure and the timeout that applied."""
    detail = str(exc)
    lowered = detail.lower()
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"connect timeout: no connection within {connect_s:g} s"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"read timeout: no response within {read_s:g} s"
    if is_caller_error(exc):
        return f"invalid request: {detail}"
    if "refused" in lowered:
        return "connection refused"
    if "reset" in lowered:
        return "connection reset by peer"
    if "remotedisconnected" in lowered or "aborted" in lowered:
        return "connection closed without a response"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return f"response body cut short: {detail}"
    return f"{type(exc).__name__}: {detail}"
