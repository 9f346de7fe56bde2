"""Where each catalog interface is specified: its OpenAPI/AsyncAPI node, its box path, its schema files.

The catalog names interfaces (`v2-getevents`, `websocket`, ...); this module locates each one in the API
documents once, and reads the schema files an interface uses from the `$ref`s under its node (shared
error responses are the `errors` interface's; `common.json` is shared by all and not listed).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from conformance.paths import ASYNCAPI_PATH, JSON_SCHEMAS_DIR, OPENAPI_PATH, PROJECT_ROOT
from conformance.spec.loader import load_mapping
from conformance.spec.requirements import INTERFACES

SHARED_SCHEMAS = frozenset({"common"})
SHARED_RESPONSES = "#/components/responses/"


@dataclass(frozen=True)
class Locator:
    """Where one interface lives: a document, the key paths of its nodes there, and its paths on the box."""

    document: Path | None
    nodes: tuple[tuple[str, ...], ...]
    box_paths: tuple[str, ...] = ()
    extra_schemas: tuple[str, ...] = ()


def _call(method: str, path: str) -> Locator:
    """An HTTP call of box.yaml, served at that path."""
    return Locator(OPENAPI_PATH, (("paths", path, method),), (path,))


_CONFIG_PATH = "/SophonFogSys/api/HistoryEventUrl"

LOCATORS: Mapping[str, Locator] = {
    "v2-getevents": _call("post", "/sophon/v2/face/getevents"),
    "v2-getevent": _call("post", "/sophon/v2/face/getevent"),
    "v1-events": _call("get", "/SophonFace/api/events"),
    "picturesearch": _call("post", "/SophonMatch/api/picturesearch"),
    "upload": Locator(OPENAPI_PATH, (("webhooks", "HistoryEvent", "post"),)),
    "upload-config": Locator(
        OPENAPI_PATH, (("paths", _CONFIG_PATH, "get"), ("paths", _CONFIG_PATH, "post")), (_CONFIG_PATH,)
    ),
    "websocket": Locator(ASYNCAPI_PATH, (("channels", "events"),)),
    "devices": _call("get", "/SophonDevice/api/Devices"),
    "spot-image": _call("get", "/sophon/v2/face/getspotimage/{image_id}"),
    "login": _call("post", "/sophon/v2/face/login"),
    # the version call is on its own port (:8888) and not in box.yaml
    "software-version": Locator(
        None, (), ("/sophon/v2/system/getsoftwareversion",), extra_schemas=("software-version-response",)
    ),
    "errors": Locator(
        OPENAPI_PATH,
        (("components", "responses", "V2ClientError"), ("components", "responses", "V1ClientError")),
    ),
}


@dataclass(frozen=True)
class InterfaceDocument:
    """One interface as specified: the document nodes that describe it, its box paths and schema files."""

    interface: str
    nodes: tuple[str, ...]
    box_paths: tuple[str, ...]
    schemas: tuple[str, ...]

    def schema_files(self) -> tuple[str, ...]:
        """`schemas/json/<name>.json` for each schema of the interface."""
        folder = JSON_SCHEMAS_DIR.relative_to(PROJECT_ROOT)
        return tuple(f"{folder}/{name}.json" for name in self.schemas)


@cache
def interface_documents() -> dict[str, InterfaceDocument]:
    """Every catalog interface, in catalog order, located in the API documents (KeyError: a stale locator)."""
    return {name: _locate(name, LOCATORS[name]) for name in INTERFACES}


def _locate(interface: str, locator: Locator) -> InterfaceDocument:
    labels: list[str] = []
    schemas: list[str] = []
    if locator.document is not None:
        document = load_mapping(locator.document)
        where = locator.document.relative_to(PROJECT_ROOT)
        for keys in locator.nodes:
            node: Any = document
            for key in keys:
                node = node[key]
            labels.append(f"{where} {_label(keys)}")
            schemas += _document_refs(document, node, set())
    schemas += locator.extra_schemas
    return InterfaceDocument(
        interface=interface,
        nodes=tuple(labels),
        box_paths=locator.box_paths,
        schemas=tuple(name for name in _with_json_refs(schemas) if name not in SHARED_SCHEMAS),
    )


def _label(keys: tuple[str, ...]) -> str:
    if keys[0] == "paths":
        return f"{keys[2].upper()} {keys[1]}"
    if keys[0] == "webhooks":
        return f"webhook {keys[1]} ({keys[2].upper()})"
    return "#/" + "/".join(keys)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _refs(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)


def _document_refs(document: Mapping[str, Any], node: Any, seen: set[str]) -> list[str]:
    """Schema names under a node of an API document, following the document's own `#/components` refs."""
    names: list[str] = []
    for ref in _refs(node):
        if ref.startswith("#/"):
            if ref in seen or ref.startswith(SHARED_RESPONSES):
                continue
            seen.add(ref)
            target: Any = document
            for key in ref[2:].split("/"):
                target = target[key]
            names += _document_refs(document, target, seen)
        elif ".json" in ref:
            names.append(Path(ref.split("#", 1)[0]).stem)
    return names


def _with_json_refs(names: list[str]) -> list[str]:
    """The names and every schema file they refer to, transitively, in first-seen order."""
    ordered: list[str] = []
    pending = list(names)
    while pending:
        name = pending.pop(0)
        if name in ordered:
            continue
        ordered.append(name)
        document = load_mapping(JSON_SCHEMAS_DIR / f"{name}.json")
        files = (ref.split("#", 1)[0] for ref in _refs(document))
        pending += [Path(file).stem for file in files if file.endswith(".json")]
    return ordered
