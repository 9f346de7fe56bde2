"""Conforming variations: behaviours a box may show without breaking the documents (false-alarm probes).

Each names the errata or statements it exercises; under the `lenient` profile the suite must pass on
every one. They switch on like faults (`/_emulator/faults`, `--fault NAME`); a variation that is the
lenient reading of an erratum `implies` the behaviour that is a fault under `strict`.
"""

from __future__ import annotations

from conformance.emulator.faults.catalog import (
    REGISTRY,
    V2_MS_FILTER_READ_AS_SECONDS,
    V2_TIMESTAMP_SECONDS,
)
from conformance.emulator.faults.registry import VARIATION, Fault


def _variation(name: str, description: str, errata: tuple[str, ...], implies: tuple[str, ...] = ()) -> str:
    REGISTRY.register(Fault(name, description, (), "variation", VARIATION, errata, implies))
    return name


VAR_KEYS_REVERSED = _variation(
    "var-keys-reversed",
    "every JSON object of the v2/v1 HTTP answers lists its keys in reverse order (objects are unordered)",
    ("RFC 8259 §4",),
)
VAR_INTEGRAL_FLOATS = _variation(
    "var-integral-floats",
    "floats with an integral value are written without a fraction (1 instead of 1.0) in v2/v1 HTTP answers",
    ("RFC 8259 §6",),
)
VAR_EXTRA_FIELDS = _variation(
    "var-extra-fields",
    "v2 events carry undocumented extra keys (top level and in ext_data)",
    ("E17",),
)
VAR_E02_SECONDS_TIMESTAMPS = _variation(
    "var-e02-seconds-timestamps",
    "v2 event timestamps as float seconds, as in seed 000's example (lenient reading of E02)",
    ("E02",),
    (V2_TIMESTAMP_SECONDS,),
)
VAR_E01_FILTERS_IN_SECONDS = _variation(
    "var-e01-filters-in-seconds",
    "getevents reads datetime_gte/lte as seconds, as seed 000's example value does (lenient reading of E01)",
    ("E01",),
    (V2_MS_FILTER_READ_AS_SECONDS,),
)
VAR_E04_NULL_ATTRIBUTES = _variation(
    "var-e04-null-attributes",
    'unknown face attributes are null instead of "" and an `expression` key is sent, as in the examples '
    "(lenient reading of E04)",
    ("E04",),
)
