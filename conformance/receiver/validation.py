"""Judge a decoded upload against the upload-payload schema; the spec catalog is imported only when needed."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance.receiver.form_shape import SEED_003_FIELD_TYPES, field_types_from_schema

SCHEMA_NAME = "upload-payload"
FORM_SCHEMA_NAME = "upload-form-fields"  # the text fields of a form-data upload, before shaping

Finding = dict[str, Any]
PayloadValidator = Callable[[Any], list[Finding]]

logger = logging.getLogger(__name__)


class ValidatorUnavailableError(RuntimeError):
    """The spec catalog cannot be loaded, so the receiver cannot judge uploads under the asked profile."""


@dataclass(frozen=True)
class UploadJudge:
    """A validator and the field types used to shape form-data uploads."""

    validate: PayloadValidator
    field_types: Mapping[str, str] = field(default_factory=lambda: dict(SEED_003_FIELD_TYPES))
    validate_form: PayloadValidator | None = None

    def findings(self, payload: Any, form_fields: Mapping[str, str] | None = None) -> list[Finding]:
        """Findings for a payload (and its raw form fields); a crashing validator yields a harness finding."""
        try:
            found = list(self.validate(payload))
            if form_fields is not None and self.validate_form is not None:
                found += [
                    {**finding, "schema": FORM_SCHEMA_NAME} for finding in self.validate_form(form_fields)
                ]
            return found
        except Exception as exc:  # a validator bug must not turn an upload into a 500
            logger.exception("upload validator failed")
            return [
                {"instance_path": "", "message": f"harness: validator failed: {type(exc).__name__}: {exc}"}
            ]


def no_validation() -> UploadJudge:
    """A judge that accepts every decodable payload (profile none)."""
    return UploadJudge(lambda payload: [])


def _finding_dict(finding: Any) -> Finding:
    return {
        "instance_path": str(getattr(finding, "instance_path", "")),
        "message": str(getattr(finding, "message", finding)),
        "errata": list(getattr(finding, "errata", ()) or ()),
        "schema_path": str(getattr(finding, "schema_path", "")),
    }


def catalog_judge(profile: str) -> UploadJudge:
    """Validate through `load_spec(profile)`; raise ValidatorUnavailableError when it cannot load."""
    try:
        catalog: Any = importlib.import_module("conformance.spec.catalog")  # lazy: written separately
        spec = catalog.load_spec(catalog.Profile(profile))
        schema = spec.schema(SCHEMA_NAME)
    except Exception as exc:
        raise ValidatorUnavailableError(
            f"cannot load the {SCHEMA_NAME!r} schema under profile {profile!r}: {type(exc).__name__}: {exc}"
        ) from None

    def validate(payload: Any) -> list[Finding]:
        return [_finding_dict(finding) for finding in spec.validate(SCHEMA_NAME, payload)]

    def validate_form(fields: Any) -> list[Finding]:
        return [_finding_dict(finding) for finding in spec.validate(FORM_SCHEMA_NAME, fields)]

    return UploadJudge(validate, field_types_from_schema(schema), validate_form)
