"""Load schemas/json into a referencing.Registry and inline cross-file $refs (schemas, OpenAPI bundle)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from conformance.spec.annotations import annotation_shape_problems
from conformance.spec.loader import SpecFileError, load_mapping
from conformance.spec.profiles import LITERAL_KEYWORDS

SCHEMA_BASE_URI = "https://sophon-conformance.local/schemas/json/"
OPENAPI_BASE_URI = "https://sophon-conformance.local/schemas/openapi/box.yaml"
ANNOTATION_KEYWORDS = frozenset({"title", "description", "default", "examples", "$comment"})
_DOCUMENT_KEYWORDS = ("$id", "$schema", "$defs")
_Scope = tuple[Any, str]  # (referencing resolver, base URI of the document being read)


class SchemaSet:
    """The raw JSON Schema documents of one directory, by name, with the registry that resolves their refs."""

    def __init__(self, documents: Mapping[str, dict[str, Any]], paths: Mapping[str, Path]) -> None:
        self.documents = dict(documents)
        self.paths = dict(paths)
        self.registry: Registry[Any] = Registry().with_resources(
            (doc["$id"], DRAFT202012.create_resource(doc)) for doc in self.documents.values()
        )

    def uri(self, name: str) -> str:
        """The $id of a schema name."""
        return SCHEMA_BASE_URI + name + ".json"

    def inlined(self, name: str) -> dict[str, Any]:
        """The named schema with every $ref replaced by the schema it points to."""
        document = self.documents[name]
        scope = (self.registry.resolver(base_uri=self.uri(name)), self.uri(name))
        result = _Inliner(self.registry, self.paths).inline(document, scope, (), self.paths[name])
        assert isinstance(result, dict)
        return result


def load_schema_set(json_dir: Path) -> SchemaSet:
    """Read every *.json in a directory; a malformed or mislabelled schema raises SpecFileError."""
    documents: dict[str, dict[str, Any]] = {}
    paths: dict[str, Path] = {}
    files = sorted(json_dir.glob("*.json"))
    if not files:
        raise SpecFileError(json_dir, "no JSON Schema files (*.json) found")
    for path in files:
        document = load_mapping(path)
        expected = SCHEMA_BASE_URI + path.name
        if document.get("$id") != expected:
            raise SpecFileError(path, f"$id must be {expected!r}, found {document.get('$id')!r}", 1)
        try:
            Draft202012Validator.check_schema(document)
        except SchemaError as exc:
            pointer = "/" + "/".join(str(p) for p in exc.absolute_path)
            key = str(exc.absolute_path[-1]) if exc.absolute_path else None
            raise SpecFileError(
                path,
                f"not a valid JSON Schema at {pointer}: {exc.message}",
                _line_of(path, f'"{key}"') if key else 1,
            ) from None
        problems = annotation_shape_problems(document)
        if problems:
            raise SpecFileError(path, problems[0], _line_of(path, "x-requirements"))
        documents[path.stem] = document
        paths[path.stem] = path
    return SchemaSet(documents, paths)


def bundle_openapi(openapi_path: Path, schemas: SchemaSet) -> dict[str, Any]:
    """The OpenAPI document as one dict: relative refs into schemas/json and local refs inlined."""
    document = load_mapping(openapi_path)
    registry = schemas.registry.with_resource(OPENAPI_BASE_URI, DRAFT202012.create_resource(document))
    paths = {**schemas.paths, "box": openapi_path}
    scope = (registry.resolver(base_uri=OPENAPI_BASE_URI), OPENAPI_BASE_URI)
    inliner = _Inliner(registry, paths)
    bundled = {key: inliner.inline(value, scope, (), openapi_path) for key, value in document.items()}
    bundled.pop("components", None)
    if "components" in document:
        kept = {k: v for k, v in document["components"].items() if k not in ("schemas", "responses")}
        if kept:
            bundled["components"] = inliner.inline(kept, scope, (), openapi_path)
    return bundled


class _Inliner:
    """Replaces $ref nodes by copies of their targets; refuses cycles and names the file of a dangling ref."""

    def __init__(self, registry: Registry[Any], paths: Mapping[str, Path]) -> None:
        self.registry = registry
        self.paths = paths

    def inline(self, node: Any, scope: _Scope, stack: tuple[str, ...], origin: Path) -> Any:
        if isinstance(node, list):
            return [self.inline(item, scope, stack, origin) for item in node]
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("$ref"), str):
            return self._inline_ref(node, scope, stack, origin)
        return {
            key: value if key in LITERAL_KEYWORDS else self.inline(value, scope, stack, origin)
            for key, value in node.items()
        }

    def _inline_ref(self, node: dict[str, Any], scope: _Scope, stack: tuple[str, ...], origin: Path) -> Any:
        ref = node["$ref"]
        resolver, base = scope
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable:
            raise SpecFileError(origin, f"unresolvable $ref {ref!r}", _line_of(origin, ref)) from None
        target_uri = urljoin(base, ref)
        if target_uri in stack:
            raise SpecFileError(origin, f"recursive $ref {ref!r} cannot be inlined", _line_of(origin, ref))
        target_origin = self._origin_of(target_uri, origin)
        contents = resolved.contents
        if isinstance(contents, dict):
            contents = {k: v for k, v in contents.items() if k not in _DOCUMENT_KEYWORDS}
        target = self.inline(
            contents, (resolved.resolver, target_uri.split("#", 1)[0]), (*stack, target_uri), target_origin
        )
        siblings = {
            key: value if key in LITERAL_KEYWORDS else self.inline(value, scope, stack, origin)
            for key, value in node.items()
            if key != "$ref"
        }
        return _merge(target, siblings)

    def _origin_of(self, uri: str, fallback: Path) -> Path:
        stem = uri.split("#", 1)[0].rsplit("/", 1)[-1]
        for name, path in self.paths.items():
            if stem in (path.name, name):
                return path
        return fallback


def _merge(target: Any, siblings: dict[str, Any]) -> Any:
    """Combine a ref's target with its sibling keywords without changing what either validates."""
    if not siblings:
        return target
    if not isinstance(target, dict):
        return {**siblings, "allOf": [target]}
    plain = all(k in ANNOTATION_KEYWORDS or k.startswith("x-") for k in siblings)
    clash = set(siblings) & (set(target) - ANNOTATION_KEYWORDS)
    if plain and not clash:
        return {**target, **siblings}
    return {**siblings, "allOf": [target, *siblings.get("allOf", [])]}


def _line_of(path: Path, needle: str) -> int | None:
    """The 1-based line of the first occurrence of a text in a file, for error messages."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(re.escape(needle), text)
    return None if match is None else text.count("\n", 0, match.start()) + 1
