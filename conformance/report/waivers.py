"""Waivers: a named person accepts a requirement's failure for a reason until a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.spec.loader import SpecFileError

FIELDS = ("requirement", "reason", "owner", "expires")


class _DatesAsTextLoader(yaml.SafeLoader):
    """SafeLoader without timestamps: `2026-13-45` stays text for a clear message, not a ValueError."""


_DatesAsTextLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Waiver:
    """One accepted failure; valid through `expires` (inclusive)."""

    requirement: str
    reason: str
    owner: str
    expires: dt.date

    def expired(self, today: dt.date) -> bool:
        """True from the day after `expires`."""
        return today > self.expires

    def describe(self) -> str:
        """`owner alice until 2026-12-31: reason`."""
        return f"owner {self.owner} until {self.expires.isoformat()}: {self.reason}"


def _entry_lines(path: Path) -> list[int]:
    """The line each list item starts on, for messages (empty when the layout is unexpected)."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if getattr(key, "value", None) == "waivers" and isinstance(value, yaml.SequenceNode):
            return [node.start_mark.line + 1 for node in value.value]
    return []


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _waiver(path: Path, index: int, item: Any, line: int | None, known: Collection[str] | None) -> Waiver:
    where = f"waivers[{index}]"
    if not isinstance(item, dict):
        raise SpecFileError(path, f"{where}: expected a mapping with {', '.join(FIELDS)}", line)
    missing = [name for name in FIELDS if item.get(name) in (None, "")]
    if missing:
        raise SpecFileError(path, f"{where}: missing {', '.join(missing)}", line)
    unknown_fields = sorted(set(item) - set(FIELDS))
    if unknown_fields:
        raise SpecFileError(path, f"{where}: unknown field(s) {', '.join(map(str, unknown_fields))}", line)
    requirement = str(item["requirement"])
    if known is not None and requirement not in known:
        raise SpecFileError(path, f"{where}: unknown requirement id {requirement!r}", line)
    expires = _date(item["expires"])
    if expires is None:
        raise SpecFileError(
            path, f"{where}: bad date {item['expires']!r} for 'expires' (use YYYY-MM-DD)", line
        )
    return Waiver(requirement, str(item["reason"]), str(item["owner"]), expires)


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecFileError(path, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecFileError(path, f"cannot read: {exc}") from None
    try:
        return yaml.load(text, Loader=_DatesAsTextLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else int(mark.line) + 1
        raise SpecFileError(path, f"invalid YAML: {getattr(exc, 'problem', None) or exc}", line) from None


def load_waivers(path: Path, known_ids: Collection[str] | None = None) -> dict[str, Waiver]:
    """Read waivers.yaml (`waivers: [{requirement, reason, owner, expires}]`); defects raise SpecFileError."""
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise SpecFileError(path, "expected a mapping with a 'waivers' list at the top level", 1)
    items = data.get("waivers")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise SpecFileError(path, "'waivers' must be a list")
    lines = _entry_lines(path)
    waivers: dict[str, Waiver] = {}
    for index, item in enumerate(items):
        line = lines[index] if index < len(lines) else None
        waiver = _waiver(path, index, item, line, known_ids)
        if waiver.requirement in waivers:
            raise SpecFileError(path, f"waivers[{index}]: second waiver for {waiver.requirement}", line)
        waivers[waiver.requirement] = waiver
    return waivers
