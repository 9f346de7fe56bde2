"""Conforming variations: behaviours a box may show without breaking the documents (false-alarm probes).

Each names the errata or statements it exercises; under the `lenient` profile the suite must pass on
every one. They switch on like faults (`/_emulator/faults`, `--fault NAME`); a variation that is the
lenient reading of an erratum `implies` the behaviour that is a fault under `strict`.
"""

from __future__ import annotations

from conformance.emulator.faults.catalog import (
    REGISTRY,
    V1_FEATURE_LIST,
    V1_IDENTITY_INFO_BARE,
    V1_IS_SEND_INTEGER,
    V2_DEVICE_TYPE_CARD,
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
VAR_TIES_REVERSED = _variation(
    "var-ties-reversed",
    "getevents and v1 events break ties among equal timestamps by event_id ascending instead of descending, "
    "the same on every call and page (seeds 000 and 001 fix no order: V2Q-PAGE-007 and V1Q-PAGE-008 ask "
    "only for a stable one)",
    ("V2Q-PAGE-007", "V1Q-PAGE-008"),
)
VAR_E21_FEATURE_LIST = _variation(
    "var-e21-feature-list",
    "v1 events carry recognize_face_attr.feature as a float list instead of feature_binary, as seed 001's "
    "example does (lenient reading of E21)",
    ("E21",),
    (V1_FEATURE_LIST,),
)
VAR_E23_BARE_IDENTITY_INFO = _variation(
    "var-e23-bare-identity-info",
    "v1 events of matched persons carry identity_info without face_ids and image_id (lenient reading of E23; "
    "v2 events have no identity_info)",
    ("E23",),
    (V1_IDENTITY_INFO_BARE,),
)
VAR_E24_IS_SEND_INTEGER = _variation(
    "var-e24-is-send-integer",
    "v1 events carry is_send as the integer 0/1, as seed 001's example and the v2 table do "
    "(lenient reading of E24)",
    ("E24",),
    (V1_IS_SEND_INTEGER,),
)
VAR_E33_V2_CARD = _variation(
    "var-e33-v2-card",
    'v2 events of card readers carry media_device_type "card", the v1 vocabulary (lenient reading of E33)',
    ("E33",),
    (V2_DEVICE_TYPE_CARD,),
)
