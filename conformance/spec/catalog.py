"""The specification as data for one profile: schemas by name, validation, the OpenAPI/AsyncAPI documents."""

from __future__ import annotations

import copy
import threading
from functools import cache
from pathlib import Path
from typing import Any

from conformance.paths import ASYNCAPI_PATH, JSON_SCHEMAS_DIR, OPENAPI_PATH
from conformance.spec.annotations import place_requirements
from conformance.spec.loader import SpecFileError, load_mapping
from conformance.spec.profiles import Profile, apply_profile
from conformance.spec.schema_set import SchemaSet, bundle_openapi, load_schema_set
from conformance.spec.validators import CompiledSchema, SchemaFinding

__all__ = [
    "Profile",
    "SchemaFinding",
    "Spec",
    "SpecFileError",
    "UnknownSchemaError",
    "build_spec",
    "load_spec",
]


class UnknownSchemaError(KeyError):
    """A schema name that is not in schemas/json; the message lists the known names."""

    def __str__(self) -> str:
        return str(self.args[0])


class Spec:
    """Schemas with one profile applied, compiled validators cached per name."""

    def __init__(self, profile: Profile, schemas: SchemaSet, openapi_path: Path, asyncapi_path: Path) -> None:
        self.profile = profile
        self.openapi_path = openapi_path
        self.asyncapi_path = asyncapi_path
        self._set = schemas
        self._schemas = {
            name: apply_profile(place_requirements(schemas.inlined(name)), profile)
            for name in schemas.documents
        }
        self._compiled: dict[str, CompiledSchema] = {}
        self._lock = threading.Lock()
        self._openapi: dict[str, Any] | None = None

    def names(self) -> list[str]:
        """Schema names, i.e. the file names in schemas/json without .json."""
        return sorted(self._schemas)

    def schema(self, name: str) -> dict[str, Any]:
        """A copy of the named schema, refs inlined and the profile applied."""
        return copy.deepcopy(self._schema(name))

    def raw_schema(self, name: str) -> dict[str, Any]:
        """A copy of the named schema as written (refs and x-errata/x-lenient annotations intact)."""
        self._schema(name)
        return copy.deepcopy(self._set.documents[name])

    def validate(self, name: str, instance: Any) -> list[SchemaFinding]:
        """Findings for one message against the named schema; [] means it conforms under this profile."""
        return self.compiled(name).validate(instance)

    def is_valid(self, name: str, instance: Any) -> bool:
        """True when the message conforms; cheaper than validate() for the happy path."""
        return self.compiled(name).is_valid(instance)

    def compiled(self, name: str) -> CompiledSchema:
        """The compiled validator for a name, built on first use."""
        compiled = self._compiled.get(name)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(name) or CompiledSchema(name, self._schema(name))
                self._compiled[name] = compiled
        return compiled

    def openapi_document(self) -> dict[str, Any]:
        """The OpenAPI document bundled into one dict (refs inlined, profile applied), for one-file tools."""
        if self._openapi is None:
            bundled = place_requirements(bundle_openapi(self.openapi_path, self._set))
            self._openapi = apply_profile(bundled, self.profile)
        return copy.deepcopy(self._openapi)

    def asyncapi_document(self) -> dict[str, Any]:
        """The AsyncAPI document as written."""
        return load_mapping(self.asyncapi_path)

    def _schema(self, name: str) -> dict[str, Any]:
        try:
            schema: dict[str, Any] = self._schemas[name]
        except KeyError:
            known = ", ".join(self.names())
            raise UnknownSchemaError(f"unknown schema {name!r}; known schemas: {known}") from None
        return schema


def build_spec(
    profile: Profile | str,
    json_dir: Path = JSON_SCHEMAS_DIR,
    openapi_path: Path = OPENAPI_PATH,
    asyncapi_path: Path = ASYNCAPI_PATH,
) -> Spec:
    """Load a Spec from explicit locations (uncached); malformed files raise SpecFileError."""
    return Spec(
        Profile.parse(profile), load_schema_set(Path(json_dir)), Path(openapi_path), Path(asyncapi_path)
    )


def load_spec(profile: Profile | str = Profile.STRICT) -> Spec:
    """The project's Spec for a profile, loaded once per process."""
    return _cached_spec(Profile.parse(profile))


@cache
def _cached_spec(profile: Profile) -> Spec:
    return build_spec(profile)
