"""Compiled validators: jsonschema errors become findings naming the errata and requirements they touch."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from conformance.spec.error_requirements import requirements_of_error
from conformance.spec.profiles import errata_of


@dataclass(frozen=True)
class SchemaFinding:
    """One way an instance deviates from a schema; errata and requirements come from its annotations."""

    instance_path: str
    message: str
    errata: tuple[str, ...]
    schema_path: str
    requirements: tuple[str, ...] = ()


def json_pointer(parts: Iterable[Any]) -> str:
    """RFC 6901 pointer for a path of keys and indices ("" is the whole document)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class CompiledSchema:
    """One schema compiled once; validate() is what the emulator and receiver call per message."""

    def __init__(self, name: str, schema: dict[str, Any]) -> None:
        self.name = name
        self.schema = schema
        self._validator = Draft202012Validator(schema)

    def is_valid(self, instance: Any) -> bool:
        """Fast yes/no without building findings."""
        return bool(self._validator.is_valid(instance))

    def validate(self, instance: Any) -> list[SchemaFinding]:
        """Every deviation, ordered by instance path; [] means valid."""
        findings = [self._finding(error) for error in self._validator.iter_errors(instance)]
        return sorted(findings, key=lambda f: (f.instance_path, f.schema_path, f.message))

    def _finding(self, error: ValidationError) -> SchemaFinding:
        errata = errata_along(self.schema, list(error.absolute_schema_path))
        requirements = requirements_of_error(self.schema, error)
        instance_path = json_pointer(error.absolute_path)
        where = instance_path or "/"
        prefix = f"[{', '.join(errata)}] " if errata else ""
        suffix = f" (requirements {', '.join(requirements)})" if requirements else ""
        return SchemaFinding(
            instance_path=instance_path,
            message=f"{prefix}{where}: {_describe(error)}{suffix}",
            errata=errata,
            schema_path=json_pointer(error.absolute_schema_path),
            requirements=requirements,
        )


def errata_along(schema: Any, schema_path: Sequence[Any]) -> tuple[str, ...]:
    """Errata ids of every annotated node from the root down to the failing keyword, in order, unique."""
    found: list[str] = []
    node = schema
    found.extend(errata_of(node))
    for part in schema_path:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_dict or in_list):
            break
        node = node[part]
        found.extend(errata_of(node))
    return tuple(dict.fromkeys(found))


def _describe(error: ValidationError) -> str:
    """jsonschema's message, except for fields the tables do not list (a `not: {}` node)."""
    if error.validator == "not" and error.validator_value == {} and error.path:
        return f"field {str(error.path[-1])!r} is not in the documents' tables"
    if error.validator == "anyOf":
        options = _alternatives(error)
        if options:
            return f"{error.instance!r} is not " + " or ".join(options)
    return str(error.message)


def _alternatives(error: ValidationError) -> list[str] | None:
    """Readable alternatives of an anyOf made of enums, consts and types; None when it is more complex."""
    options: list[str] = []
    for sub in error.context or ():
        if sub.relative_path:
            return None
        if sub.validator == "enum":
            options.append("one of " + ", ".join(repr(v) for v in sub.validator_value))
        elif sub.validator == "const":
            options.append(repr(sub.validator_value))
        elif sub.validator == "type":
            options.append(f"of type {sub.validator_value!r}")
        elif sub.validator == "anyOf":
            nested = _alternatives(sub)
            if nested is None:
                return None
            options.extend(nested)
        else:
            return None
    return options or None
