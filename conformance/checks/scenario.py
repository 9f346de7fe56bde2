"""The events a scenario seeded, in one plain shape, so oracles compute expected answers from seeded data.

`ScenarioEvent` holds what the filters of seeds 000 and 001 look at. Times are integer milliseconds
(the project's one internal unit); v1 seconds are converted by the oracle, never stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance.checks.vocabulary import DEFAULT_PERSON_TYPE, person_type_of, user_type_of


@dataclass(frozen=True)
class ScenarioEvent:
    """One seeded event: id, time (ms), device, identity and what the box filters on."""

    id: str
    ts_ms: int
    device_id: str
    identity_id: str = ""  # "" for a stranger
    name: str = ""
    person_type: int = DEFAULT_PERSON_TYPE
    user_type: str = ""  # v2 string; derived from person_type when left empty
    score: float = 0.0
    group_id: str = ""
    room: str = ""

    def __post_init__(self) -> None:
        if not self.user_type:
            object.__setattr__(self, "user_type", user_type_of(self.person_type) or "")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ScenarioEvent:
        """Build from a plain dict (scenario files); person_type is derived from user_type when missing."""
        try:
            person_type = data.get("person_type")
            if person_type is None and data.get("user_type"):
                person_type = person_type_of(str(data["user_type"]))
            return cls(
                id=str(data["id"]),
                ts_ms=int(data["ts_ms"]),
                device_id=str(data["device_id"]),
                identity_id=str(data.get("identity_id", "")),
                name=str(data.get("name", "")),
                person_type=int(person_type if person_type is not None else DEFAULT_PERSON_TYPE),
                user_type=str(data.get("user_type", "")),
                score=float(data.get("score", 0.0)),
                group_id=str(data.get("group_id", "")),
                room=str(data.get("room", "")),
            )
        except KeyError as exc:
            raise ValueError(f"scenario event lacks the field {exc.args[0]!r}: {dict(data)!r}") from None
        except (TypeError, ValueError) as exc:
            raise ValueError(f"scenario event has a bad value ({exc}): {dict(data)!r}") from None
