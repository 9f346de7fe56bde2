"""The HistoryEventUrl answer (reference history-event-url-config): its `data` holds `message`, the URL list
as http(s)://ip:port/path strings, an integer reported_peroid, and after a POST the configuration as set.

==========================  =====================================================================
check                       deviation
==========================  =====================================================================
upload_setting.urls         history_upload_event_url not a list of http(s)://host:port/path URLs
upload_setting.period       reported_peroid not an integer (a bool or "60" is not one)
upload_setting.as_set       no data.message string, or a posted key answered with another value
==========================  =====================================================================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from conformance.checks.check_registry import check
from conformance.checks.findings import Finding, FindingCategory, deviation

URLS_KEY = "history_upload_event_url"
PERIOD_KEY = "reported_peroid"
ABSENT = "<absent>"


def url_problem(value: Any) -> str | None:
    """Why a value is not an http(s)://host:port/path URL, or None when it is one."""
    if not isinstance(value, str):
        return f"{value!r} is not a string"
    parts = urlsplit(value)
    try:
        port = parts.port
    except ValueError:
        return f"{value!r} has an invalid port"
    if parts.scheme not in ("http", "https") or not parts.hostname or port is None:
        return f"{value!r} is not http(s)://ip:port/…"
    if not parts.path.startswith("/"):
        return f"{value!r} has no path"
    return None


@check("upload_setting.urls")
def urls(data: Mapping[str, Any], *, requirements: Sequence[str] = ()) -> list[Finding]:
    """history_upload_event_url is a list whose every entry is an http(s)://ip:port/path URL."""
    value = data.get(URLS_KEY, "<absent>")
    if not isinstance(value, list):
        message = f"{URLS_KEY} is {value!r:.120}, not a list of URLs"
        return [deviation(message, FindingCategory.SCHEMA, value=str(value))]
    problems = [problem for item in value if (problem := url_problem(item)) is not None]
    return [deviation(f"{URLS_KEY}: {problem}", FindingCategory.SCHEMA) for problem in problems]


@check("upload_setting.period")
def period(data: Mapping[str, Any], *, requirements: Sequence[str] = ()) -> list[Finding]:
    """reported_peroid is a JSON integer."""
    value = data.get(PERIOD_KEY, "<absent>")
    if isinstance(value, int) and not isinstance(value, bool):
        return []
    return [deviation(f"{PERIOD_KEY} is {value!r}, not an integer", FindingCategory.SCHEMA, value=str(value))]


@check("upload_setting.as_set")
def as_set(sent: Mapping[str, Any], data: Any, *, requirements: Sequence[str] = ()) -> list[Finding]:
    """data has a string message and, for every key that was posted, the value that was posted."""
    if not isinstance(data, Mapping):
        return [deviation(f"the answer's data is {data!r:.120}, not an object", FindingCategory.SCHEMA)]
    findings = []
    if not isinstance(data.get("message"), str):
        message = data.get("message", ABSENT)
        findings.append(deviation(f"data.message is {message!r}, not a string", FindingCategory.SCHEMA))
    differs = sorted(key for key, value in sent.items() if not _same(data.get(key, ABSENT), value))
    if differs:
        answered = {key: data.get(key, ABSENT) for key in differs}
        posted = {key: sent[key] for key in differs}
        findings.append(
            deviation(f"data answers {answered!r:.200} for the posted {posted!r:.200}", keys=differs)
        )
    return findings


def _same(got: Any, sent: Any) -> bool:
    """Equal as JSON values: true is not 1, "60" is not 60."""
    return type(got) is type(sent) and got == sent
