"""The suite's markers and the rule that every conformance test names the requirements it checks."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pytest

REQUIREMENT_ID = re.compile(r"^[A-Z0-9]+-[A-Z]+-\d{3}$")
MARKERS = (
    "req(*ids): the requirement ids (schemas/requirements.yaml) a conformance test checks; mandatory",
    "needs_control: the test seeds data through the emulator control plane; skipped without one",
    "writes_box: the test changes box settings; skipped on a real box without --allow-writes",
)


def register_markers(config: pytest.Config) -> None:
    """Declare the markers so --strict-markers accepts them."""
    for line in MARKERS:
        config.addinivalue_line("markers", line)


def requirement_ids(item: pytest.Item) -> tuple[str, ...]:
    """Every requirement id on an item, from all its req markers (function, class, module)."""
    ids: list[str] = []
    for marker in item.iter_markers("req"):
        ids += [str(arg) for arg in marker.args]
    return tuple(dict.fromkeys(ids))


def marker_problems(items: Sequence[pytest.Item], known_ids: Iterable[str] | None) -> list[str]:
    """One line per test whose req marker is missing, malformed or names an unknown requirement."""
    known = None if known_ids is None else set(known_ids)
    problems: list[str] = []
    for item in items:
        markers = list(item.iter_markers("req"))
        if not markers:
            problems.append(f"{item.nodeid}: no @pytest.mark.req(...) naming the requirement(s) it checks")
            continue
        args = [arg for marker in markers for arg in marker.args]
        if not args:
            problems.append(f"{item.nodeid}: @pytest.mark.req() names no requirement")
        bad = [repr(arg) for arg in args if not isinstance(arg, str) or not REQUIREMENT_ID.match(arg)]
        if bad:
            problems.append(f"{item.nodeid}: malformed requirement id(s) {', '.join(bad)}")
        elif known is not None:
            unknown = [arg for arg in args if arg not in known]
            if unknown:
                problems.append(f"{item.nodeid}: unknown requirement id(s) {', '.join(unknown)}")
    return problems
