"""The filter oracle: the exact set of event ids a filtered query must return, computed from scenario data.

* `V2Filter.from_body(filters)` — seed 000 ``filters``: ``datetime_gte/lte`` (ms, inclusive),
  ``identity_name`` (substring), ``identity_id`` (exact), ``score_min/max`` (inclusive),
  ``user_type`` (case-insensitive, E03: "VIP" = "vip"), ``media_device_ids`` (any of).
* `V1Filter.from_params(params)` — seed 001: ``datetime_gte/lte`` (seconds, int or float, inclusive),
  ``name``, ``identity_id``, ``score_min/max``, ``userType`` (person_type codes, E06), ``room``,
  ``groups``, ``streams`` (any of), ``top_k`` (the newest k of the matches).
* `expected_ids(events, filt, case_sensitive=...)` → `Expectation`; `compare_result(expected, actual)`
  (check ``filter.result``) names the missing and unexpected ids.

Name matching ("模糊匹配", fuzzy, in both seeds, against "精准匹配", exact, for identity_id): we read
fuzzy as *substring* — the query occurs somewhere in the name. The documents say nothing about case,
so the default keeps characters as written (case-sensitive, the reading that adds nothing to the
text; the emulator does the same). `name_query_is_case_ambiguous` tells a test when the two readings
differ for its data, so it can pick another query or accept both.

Readings of things the documents leave open (documented in docs/checks.md): an empty list filter
(``media_device_ids: []``, ``groups``, ``streams``) restricts nothing; ``None`` means "not sent";
``""`` is a value (``identity_id: ""`` selects strangers).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from conformance.checks.check_registry import check
from conformance.checks.findings import Finding, describe_ids, deviation, id_sample
from conformance.checks.scenario import ScenarioEvent
from conformance.checks.vocabulary import MS_PER_SECOND

Number = int | float


def name_matches(name: str, query: str, *, case_sensitive: bool = True) -> bool:
    """Seed "模糊匹配": the query is a substring of the name."""
    if case_sensitive:
        return query in name
    return query.casefold() in name.casefold()


def _seconds_to_ms(value: Number) -> Decimal:
    """Exact seconds → ms for inclusive comparisons (1607430334.5 → 1607430334500, no float drift)."""
    return Decimal(str(value)) * MS_PER_SECOND


def _as_tuple(value: Any, key: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return tuple(part for part in value.split(",") if part)
    if isinstance(value, Iterable):
        return tuple(str(item) for item in value)
    raise ValueError(f"filter {key} must be a list, got {value!r}")


def _number(value: Any, key: str) -> Number | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"filter {key} must be a number, got {value!r}")
    if isinstance(value, int | float):
        return value
    try:
        parsed = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"filter {key} must be a number, got {value!r}") from None
    return int(parsed) if parsed == parsed.to_integral_value() else float(parsed)


def _codes(value: Any) -> tuple[int, ...] | None:
    """`userType` as person_type codes: 4, "4", "1,2,4" or [1, 2, 4]."""
    if value is None:
        return None
    items = (value,) if isinstance(value, int) else _as_tuple(value, "userType") or ()
    try:
        return tuple(int(item) for item in items)
    except ValueError:
        raise ValueError(f"filter userType must be person_type codes, got {value!r}") from None


def _reject_unknown(data: Mapping[str, Any], known: set[str], what: str) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(
            f"unknown {what} filter key(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )


@dataclass(frozen=True)
class V2Filter:
    """Seed 000 `filters` of /sophon/v2/face/getevents; None = not sent."""

    datetime_gte: Number | None = None  # ms, inclusive
    datetime_lte: Number | None = None  # ms, inclusive
    identity_name: str | None = None
    identity_id: str | None = None
    score_min: Number | None = None
    score_max: Number | None = None
    user_type: str | None = None
    media_device_ids: tuple[str, ...] | None = None

    @classmethod
    def from_body(cls, filters: Mapping[str, Any]) -> V2Filter:
        """From the request's `filters` object; unknown keys are a harness error (ValueError)."""
        _reject_unknown(filters, {f.name for f in fields(cls)}, "v2")
        text = {
            k: None if filters.get(k) is None else str(filters[k]) for k in ("identity_name", "identity_id")
        }
        return cls(
            datetime_gte=_number(filters.get("datetime_gte"), "datetime_gte"),
            datetime_lte=_number(filters.get("datetime_lte"), "datetime_lte"),
            score_min=_number(filters.get("score_min"), "score_min"),
            score_max=_number(filters.get("score_max"), "score_max"),
            user_type=None if filters.get("user_type") is None else str(filters["user_type"]),
            media_device_ids=_as_tuple(filters.get("media_device_ids"), "media_device_ids"),
            **text,
        )

    def matches(self, event: ScenarioEvent, *, case_sensitive: bool = True) -> bool:
        """True when the event passes every filter that was sent."""
        return (
            (self.datetime_gte is None or event.ts_ms >= self.datetime_gte)
            and (self.datetime_lte is None or event.ts_ms <= self.datetime_lte)
            and (
                self.identity_name is None
                or name_matches(event.name, self.identity_name, case_sensitive=case_sensitive)
            )
            and (self.identity_id is None or event.identity_id == self.identity_id)
            and (self.score_min is None or event.score >= self.score_min)
            and (self.score_max is None or event.score <= self.score_max)
            and (self.user_type is None or event.user_type.lower() == self.user_type.lower())
            and (not self.media_device_ids or event.device_id in self.media_device_ids)
        )


@dataclass(frozen=True)
class V1Filter:
    """Seed 001 query parameters of /SophonFace/api/events; None = not sent."""

    datetime_gte: Number | None = None  # seconds, inclusive
    datetime_lte: Number | None = None  # seconds, inclusive
    name: str | None = None
    identity_id: str | None = None
    score_min: Number | None = None
    score_max: Number | None = None
    user_types: tuple[int, ...] | None = None  # `userType`: person_type codes
    room: str | None = None
    groups: tuple[str, ...] | None = None
    streams: tuple[str, ...] | None = None
    top_k: int | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> V1Filter:
        """From query parameters (paging keys page/per_page are ignored); unknown keys raise ValueError."""
        known = {"datetime_gte", "datetime_lte", "name", "identity_id", "score_min", "score_max", "userType"}
        _reject_unknown(params, known | {"room", "groups", "streams", "top_k", "page", "per_page"}, "v1")
        top_k = _number(params.get("top_k"), "top_k")
        return cls(
            datetime_gte=_number(params.get("datetime_gte"), "datetime_gte"),
            datetime_lte=_number(params.get("datetime_lte"), "datetime_lte"),
            name=None if params.get("name") is None else str(params["name"]),
            identity_id=None if params.get("identity_id") is None else str(params["identity_id"]),
            score_min=_number(params.get("score_min"), "score_min"),
            score_max=_number(params.get("score_max"), "score_max"),
            user_types=_codes(params.get("userType")),
            room=None if params.get("room") is None else str(params["room"]),
            groups=_as_tuple(params.get("groups"), "groups"),
            streams=_as_tuple(params.get("streams"), "streams"),
            top_k=None if top_k is None else int(top_k),
        )

    def matches(self, event: ScenarioEvent, *, case_sensitive: bool = True) -> bool:
        """True when the event passes every filter that was sent (top_k is applied by `expected_ids`)."""
        return (
            (self.datetime_gte is None or event.ts_ms >= _seconds_to_ms(self.datetime_gte))
            and (self.datetime_lte is None or event.ts_ms <= _seconds_to_ms(self.datetime_lte))
            and (self.name is None or name_matches(event.name, self.name, case_sensitive=case_sensitive))
            and (self.identity_id is None or event.identity_id == self.identity_id)
            and (self.score_min is None or event.score >= self.score_min)
            and (self.score_max is None or event.score <= self.score_max)
            and (not self.user_types or event.person_type in self.user_types)
            and (self.room is None or event.room == self.room)
            and (not self.groups or event.group_id in self.groups)
            and (not self.streams or event.device_id in self.streams)
        )


@dataclass(frozen=True)
class Expectation:
    """The oracle's answer: ids that must appear, ids that may (ties at a top_k cut), and a count cap."""

    required: frozenset[str]
    optional: frozenset[str] = frozenset()
    max_count: int | None = None

    @property
    def exact(self) -> bool:
        """True when the answer is one fixed set."""
        return not self.optional


def expected_ids(
    events: Iterable[ScenarioEvent], filt: V2Filter | V1Filter, *, case_sensitive: bool = True
) -> Expectation:
    """The ids a box must return for `filt` over `events` (order is the paging checks' business)."""
    matching = [e for e in events if filt.matches(e, case_sensitive=case_sensitive)]
    top_k = filt.top_k if isinstance(filt, V1Filter) else None
    if top_k is None or top_k >= len(matching):
        return Expectation(required=frozenset(e.id for e in matching))
    newest = sorted(matching, key=lambda e: e.ts_ms, reverse=True)
    if top_k <= 0:
        return Expectation(required=frozenset(), max_count=0)
    cut_ts = newest[top_k - 1].ts_ms
    required = frozenset(e.id for e in newest if e.ts_ms > cut_ts)
    tied = frozenset(e.id for e in newest if e.ts_ms == cut_ts)
    if len(required) + len(tied) == top_k:
        return Expectation(required=required | tied, max_count=top_k)
    return Expectation(required=required, optional=tied, max_count=top_k)


def name_query_is_case_ambiguous(events: Iterable[ScenarioEvent], query: str) -> bool:
    """True when case-sensitive and case-insensitive substring matching select different events."""
    return any(
        name_matches(e.name, query, case_sensitive=True) != name_matches(e.name, query, case_sensitive=False)
        for e in events
    )


@check("filter.result")
def compare_result(
    expected: Expectation | Collection[str],
    actual_ids: Sequence[str],
    *,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """The box returned exactly the oracle's ids: names the missing, unexpected and duplicated ones."""
    want = expected if isinstance(expected, Expectation) else Expectation(required=frozenset(expected))
    got = set(actual_ids)
    findings: list[Finding] = []
    missing = want.required - got
    unexpected = got - want.required - want.optional
    if missing:
        findings.append(
            deviation(
                f"{len(missing)} expected id(s) missing: {describe_ids(missing)}",
                missing=id_sample(missing),
                missing_count=len(missing),
            )
        )
    if unexpected:
        findings.append(
            deviation(
                f"{len(unexpected)} unexpected id(s) returned: {describe_ids(unexpected)}",
                unexpected=id_sample(unexpected),
                unexpected_count=len(unexpected),
            )
        )
    repeated = sorted(item for item, count in Counter(actual_ids).items() if count > 1)
    if repeated:
        findings.append(
            deviation(
                f"id(s) returned more than once: {describe_ids(repeated)}", duplicates=id_sample(repeated)
            )
        )
    if want.max_count is not None and len(got) > want.max_count:
        findings.append(
            deviation(f"{len(got)} ids returned, at most {want.max_count} allowed", count=len(got))
        )
    return findings
