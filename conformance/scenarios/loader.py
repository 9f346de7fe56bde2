"""Read scenario YAML into typed objects; a bad file raises SpecFileError naming the file and the line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

from conformance.paths import SCENARIOS_DIR
from conformance.scenarios.model import (
    DEVICE_TYPES,
    PERSON_TYPES,
    STRANGER,
    WS_DEVICE_TYPES,
    Device,
    Event,
    EventGenerator,
    Identity,
    Scenario,
)
from conformance.spec.loader import SpecFileError

T = TypeVar("T")
MAX_GENERATED = 2_000_000
ATTRIBUTE_KEYS = ("gender", "age", "mask", "glasses")


class _Node(dict[str, Any]):
    """A YAML mapping that remembers the line it started on."""

    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings carry their line numbers."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Node:
    mapping = _Node({str(key): value for key, value in loader.construct_mapping(node, deep=True).items()})
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Reader:
    """Typed access to one file's mappings, raising SpecFileError at the offending line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: Any, message: str) -> SpecFileError:
        return SpecFileError(self.path, message, getattr(node, "line", None))

    def mapping(self, node: Any, where: str) -> _Node:
        if not isinstance(node, _Node):
            raise self.fail(node, f"{where}: expected a mapping, found {type(node).__name__}")
        return node

    def only_keys(self, node: _Node, where: str, allowed: tuple[str, ...]) -> None:
        unknown = sorted(set(node) - set(allowed))
        if unknown:
            raise self.fail(
                node, f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}"
            )

    def get(
        self, node: _Node, key: str, kind: type[T] | tuple[type, ...], where: str, default: Any = ...
    ) -> Any:
        if key not in node:
            if default is ...:
                raise self.fail(node, f"{where}: missing required key {key!r}")
            return default
        value = node[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(node, f"{where}.{key}: expected {_names(kinds)}, found a boolean")
        if not isinstance(value, kinds):
            raise self.fail(node, f"{where}.{key}: expected {_names(kinds)}, found {type(value).__name__}")
        return value

    def items(self, node: _Node, key: str, where: str, build: Callable[[_Node, str], T]) -> tuple[T, ...]:
        raw = self.get(node, key, list, where, [])
        return tuple(build(self.mapping(item, f"{key}[{i}]"), f"{key}[{i}]") for i, item in enumerate(raw))


def _names(kinds: tuple[type, ...]) -> str:
    return " or ".join("number" if kind is float else kind.__name__ for kind in kinds)


def load_scenario(path: Path | str) -> Scenario:
    """Load and check one scenario file."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecFileError(source, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecFileError(source, f"cannot read: {exc}") from None
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        raise SpecFileError(source, f"invalid YAML: {getattr(exc, 'problem', None) or exc}", line) from None
    reader = _Reader(source)
    if not isinstance(data, _Node):
        raise SpecFileError(source, "expected a mapping at the top level", 1)
    return _scenario(reader, data)


def load_named(name: str, directory: Path = SCENARIOS_DIR) -> Scenario:
    """Load `scenarios/<name>.yaml`."""
    return load_scenario(directory / f"{name}.yaml")


def _scenario(reader: _Reader, top: _Node) -> Scenario:
    keys = ("scenario", "description", "clock", "devices", "identities", "events", "generate")
    reader.only_keys(top, "scenario file", keys)
    clock = reader.mapping(reader.get(top, "clock", dict, "scenario file"), "clock")
    reader.only_keys(clock, "clock", ("origin_ms",))
    origin_ms = reader.get(clock, "origin_ms", int, "clock")
    devices = reader.items(top, "devices", "scenario", lambda node, where: _device(reader, node, where))
    identities = reader.items(
        top, "identities", "scenario", lambda node, where: _identity(reader, node, where)
    )
    events = reader.items(top, "events", "scenario", lambda node, where: _event(reader, node, where))
    generators = reader.items(
        top, "generate", "scenario", lambda node, where: _generator(reader, node, where)
    )
    scenario = Scenario(
        name=reader.get(top, "scenario", str, "scenario file"),
        description=reader.get(top, "description", str, "scenario file", ""),
        origin_ms=origin_ms,
        devices=devices,
        identities=identities,
        events=events,
        generators=generators,
        source=reader.path,
    )
    _check_references(reader, top, scenario)
    return scenario


def _device(reader: _Reader, node: _Node, where: str) -> Device:
    reader.only_keys(node, where, ("device_id", "device_name", "device_ip", "device_type", "ws_device_type"))
    device_type = reader.get(node, "device_type", str, where, "rtsp")
    ws_device_type = reader.get(node, "ws_device_type", str, where, "1")
    if device_type not in DEVICE_TYPES:
        raise reader.fail(
            node, f"{where}.device_type: {device_type!r} is not one of {', '.join(DEVICE_TYPES)}"
        )
    if ws_device_type not in WS_DEVICE_TYPES:
        raise reader.fail(node, f"{where}.ws_device_type: {ws_device_type!r} is not one of {WS_DEVICE_TYPES}")
    return Device(
        device_id=reader.get(node, "device_id", str, where),
        device_name=reader.get(node, "device_name", str, where, ""),
        device_ip=reader.get(node, "device_ip", str, where, "127.0.0.1"),
        device_type=device_type,
        ws_device_type=ws_device_type,
    )


def _person_type(reader: _Reader, node: _Node, where: str, default: int | None) -> int | None:
    value = reader.get(node, "person_type", int, where, default)
    if value is not None and value not in PERSON_TYPES:
        raise reader.fail(node, f"{where}.person_type: {value} is not a code 1-5")
    return value  # type: ignore[no-any-return]


def _identity(reader: _Reader, node: _Node, where: str) -> Identity:
    keys = ("identity_id", "name", "person_type", "group_id", "group_name", "room", "face_seed")
    reader.only_keys(node, where, keys)
    identity_id = reader.get(node, "identity_id", str, where)
    if identity_id == STRANGER:
        raise reader.fail(node, f"{where}.identity_id: must not be empty (empty means stranger)")
    return Identity(
        identity_id=identity_id,
        name=reader.get(node, "name", str, where),
        person_type=_person_type(reader, node, where, 1) or 1,
        group_id=reader.get(node, "group_id", str, where, ""),
        group_name=reader.get(node, "group_name", str, where, ""),
        room=reader.get(node, "room", str, where, ""),
        face_seed=reader.get(node, "face_seed", int, where, None),
    )


def _score(reader: _Reader, node: _Node, key: str, where: str, default: float) -> float:
    value = float(reader.get(node, key, (int, float), where, default))
    if not 0.0 <= value <= 100.0:
        raise reader.fail(node, f"{where}.{key}: {value} is outside 0-100")
    return value


def _event(reader: _Reader, node: _Node, where: str) -> Event:
    keys = (
        "label",
        "at_ms",
        "device",
        "identity",
        "score",
        "person_type",
        "face_seed",
        "face_variant",
        "attributes",
    )
    reader.only_keys(node, where, keys)
    attributes = reader.get(node, "attributes", dict, where, {})
    bad = sorted(set(attributes) - set(ATTRIBUTE_KEYS))
    if bad or not all(isinstance(value, str) for value in attributes.values()):
        raise reader.fail(node, f"{where}.attributes: only string values of {', '.join(ATTRIBUTE_KEYS)}")
    return Event(
        label=reader.get(node, "label", str, where, ""),
        offset_ms=reader.get(node, "at_ms", int, where),
        device_id=reader.get(node, "device", str, where),
        identity_id=reader.get(node, "identity", str, where, STRANGER),
        score=_score(reader, node, "score", where, 0.0),
        person_type=_person_type(reader, node, where, None),
        face_seed=reader.get(node, "face_seed", int, where, None),
        face_variant=reader.get(node, "face_variant", int, where, None),
        attributes=tuple(sorted(attributes.items())),
    )


def _generator(reader: _Reader, node: _Node, where: str) -> EventGenerator:
    keys = (
        "label",
        "count",
        "start_at_ms",
        "step_ms",
        "devices",
        "identities",
        "score_min",
        "score_max",
        "seed",
    )
    reader.only_keys(node, where, keys)
    count = reader.get(node, "count", int, where)
    if not 0 < count <= MAX_GENERATED:
        raise reader.fail(node, f"{where}.count: {count} is outside 1-{MAX_GENERATED}")
    devices = tuple(reader.get(node, "devices", list, where))
    identities = tuple(reader.get(node, "identities", list, where, [STRANGER]))
    if not devices or not all(isinstance(item, str) for item in (*devices, *identities)) or not identities:
        raise reader.fail(node, f"{where}: devices and identities must be non-empty lists of strings")
    return EventGenerator(
        label=reader.get(node, "label", str, where, ""),
        count=count,
        start_offset_ms=reader.get(node, "start_at_ms", int, where),
        step_ms=reader.get(node, "step_ms", int, where),
        device_ids=devices,
        identity_ids=identities,
        score_min=_score(reader, node, "score_min", where, 0.0),
        score_max=_score(reader, node, "score_max", where, 100.0),
        seed=reader.get(node, "seed", int, where, 0),
    )


def _check_references(reader: _Reader, top: _Node, scenario: Scenario) -> None:
    """Duplicate ids and events pointing at unknown devices or identities are file errors."""
    for key, ids in (
        ("devices", [d.device_id for d in scenario.devices]),
        ("identities", [i.identity_id for i in scenario.identities]),
    ):
        dupes = sorted({item for item in ids if ids.count(item) > 1})
        if dupes:
            raise reader.fail(top.get(key), f"{key}: duplicate id(s) {', '.join(dupes)}")
    labels = [event.label for event in scenario.events if event.label]
    dupes = sorted({label for label in labels if labels.count(label) > 1})
    if dupes:
        raise reader.fail(top.get("events"), f"events: duplicate label(s) {', '.join(dupes)}")
    device_ids = {device.device_id for device in scenario.devices}
    identity_ids = {identity.identity_id for identity in scenario.identities} | {STRANGER}
    raw_events = top.get("events") or []
    for index, event in enumerate(scenario.events):
        node = raw_events[index]
        if event.device_id not in device_ids:
            raise reader.fail(node, f"events[{index}].device: unknown device {event.device_id!r}")
        if event.identity_id not in identity_ids:
            raise reader.fail(node, f"events[{index}].identity: unknown identity {event.identity_id!r}")
    raw_generators = top.get("generate") or []
    for index, generator in enumerate(scenario.generators):
        unknown = sorted(set(generator.device_ids) - device_ids) + sorted(
            set(generator.identity_ids) - identity_ids
        )
        if unknown:
            raise reader.fail(raw_generators[index], f"generate[{index}]: unknown id(s) {', '.join(unknown)}")
