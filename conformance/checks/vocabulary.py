"""Code tables the documents define once and several checks need (person types, time magnitudes)."""

from __future__ import annotations

from typing import Final

#: person_type codes (seeds 001–004) → v2 user_type (reference v2-event-fields; seed 000 writes "VIP").
PERSON_TYPE_TO_USER_TYPE: Final[dict[int, str]] = {
    1: "employee",
    2: "visitor",
    3: "blacklist",
    4: "stranger",
    5: "vip",
}
USER_TYPE_TO_PERSON_TYPE: Final[dict[str, int]] = {
    text: code for code, text in PERSON_TYPE_TO_USER_TYPE.items()
}

#: "1：员工（默认为员工，包括这个字段不存在的情况）" — a missing person_type means employee.
DEFAULT_PERSON_TYPE: Final = 1
STRANGER_PERSON_TYPE: Final = 4

MS_PER_SECOND: Final = 1000
SECONDS_PER_DAY: Final = 86_400

#: Seed 002: default threshold, results per call, records scanned per call.
SEARCH_DEFAULT_THRESHOLD: Final = 82.0
SEARCH_MAX_RESULTS: Final = 1000
SEARCH_MAX_SCANNED: Final = 50_000

#: Seed 000: page defaults of the v2 query.
V2_DEFAULT_PAGE_INDEX: Final = 0
V2_DEFAULT_PAGE_LIMIT: Final = 10


def user_type_of(person_type: int) -> str | None:
    """The v2 user_type string for a person_type code, None for an unknown code."""
    return PERSON_TYPE_TO_USER_TYPE.get(person_type)


def person_type_of(user_type: str) -> int | None:
    """The person_type code for a v2 user_type (case-insensitive, "VIP" = "vip"), None when unknown."""
    return USER_TYPE_TO_PERSON_TYPE.get(user_type.lower())
