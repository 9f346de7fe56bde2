"""Hypothesis strategies for malformed seed-004 configurations, derived from the configuration's schema.

The schema (schemas/json/ws-config.json) says: an object with need_face, need_register (booleans)
and event_list (a list of device id strings). A malformed frame breaks one of those rules: a key
with a wrong type, an unknown key, a huge list, JSON that is not an object, text that is not JSON,
or a binary frame. MALFORMED_SETS yields one MalformedFrame(kind, frame) of every kind, frame being str (text)
or bytes (binary): a test sends them at once on as many sockets and judges them all from one wait.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

CONFIG_KEYS = ("need_face", "need_register", "event_list")
HUGE_LIST = 20_000
NOT_DEVICES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-0123456789", min_size=1, max_size=12).map(
    lambda s: f"no-such-device-{s}"
)


@dataclass(frozen=True)
class MalformedFrame:
    """One malformed configuration frame; its repr stays short (a 20,000-id list would flood reports)."""

    kind: str
    frame: str | bytes

    def __repr__(self) -> str:
        shown = self.frame[:80]
        more = f"…(+{len(self.frame) - 80})" if len(self.frame) > 80 else ""
        return f"MalformedFrame({self.kind!r}, {shown!r}{more})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints examples through this (before a dataclass's fields): the short repr."""
        printer.text(repr(self))


_not_bool = st.one_of(
    st.integers(),
    st.text(max_size=5),
    st.none(),
    st.lists(st.booleans(), max_size=2),
    st.floats(allow_nan=False),
)
_not_list = st.one_of(
    st.integers(),
    st.text(max_size=20),
    st.booleans(),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
_bad_items = st.lists(
    st.one_of(st.integers(), st.none(), st.booleans(), st.lists(st.integers(), max_size=2)),
    min_size=1,
    max_size=3,
)


@st.composite
def _wrong_type(draw: st.DrawFn) -> tuple[str, str]:
    key = draw(st.sampled_from(CONFIG_KEYS))
    config: dict[str, Any] = {"need_face": False, "need_register": False, "event_list": [draw(NOT_DEVICES)]}
    if key == "event_list":
        config[key] = draw(st.one_of(_not_list, _bad_items))
    else:
        config[key] = draw(_not_bool)
    return f"wrong-type:{key}", json.dumps(config)


@st.composite
def _unknown_key(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.text(min_size=1, max_size=12).filter(lambda k: k not in CONFIG_KEYS))
    config = {"need_face": False, name: draw(st.one_of(st.integers(), st.text(max_size=5), st.booleans()))}
    return "unknown-key", json.dumps(config)


@st.composite
def _huge_list(draw: st.DrawFn) -> tuple[str, str]:
    stem = draw(NOT_DEVICES)
    return "huge-list", json.dumps({"event_list": [f"{stem}-{n}" for n in range(HUGE_LIST)]})


_not_object = st.one_of(
    st.integers(), st.lists(st.integers(), max_size=3), st.text(max_size=10), st.none()
).map(lambda value: ("not-an-object", json.dumps(value)))
_not_json = st.sampled_from(
    ["{", "need_face=true", "{'need_face': True, 'event_list': []}", '{"event_list": [}', "\u0000", ""]
).map(lambda text: ("not-json", text))
_binary = st.binary(min_size=1, max_size=64).map(lambda data: ("binary", data))

_KINDS = (_wrong_type(), _unknown_key(), _huge_list(), _not_object, _not_json, _binary)
#: one frame of each kind per example: every example probes every way a configuration can be malformed
MALFORMED_SETS = st.tuples(*_KINDS).map(lambda pairs: tuple(MalformedFrame(*pair) for pair in pairs))
