"""Faults of identity consistency: what a stranger and a matched person look like in v2, v1, picture search
and uploads, the recognition score of search items, and the upload's out_timestamp. Each one a deviation a
firmware could ship, and the requirements it breaks.

They are honoured under these names by `conformance.emulator.identity_faults`.
"""

from __future__ import annotations

from conformance.emulator.faults.catalog import _fault  # the catalog's one way to register a fault

V2_STRANGER_GENERATED_ID = _fault(
    "v2-stranger-generated-id",
    "schema",
    'v2 events of strangers carry a generated identity_id (like seed 003\'s "1602612036.3828533"), not ""',
    "V2EV-SCHEMA-002",
    "V2EV-SCHEMA-026",
)
V2_STRANGER_REGISTER_IMAGE_KEPT = _fault(
    "v2-stranger-register-image-kept",
    "schema",
    'v2 events of strangers keep the register_image_id of the nearest registered face instead of ""',
    "V2EV-SCHEMA-004",
    "V2EV-SCHEMA-026",
)
V1_STRANGER_GENERATED_ID = _fault(
    "v1-stranger-generated-id",
    "schema",
    'v1 events of strangers carry a generated common.identity_id instead of ""',
    "V1EV-SCHEMA-003",
)
PS_STRANGER_GENERATED_ID = _fault(
    "ps-stranger-generated-id",
    "picture-search",
    'picture search items of strangers carry a generated identity_id instead of ""',
    "PS-SCHEMA-010",
)
PS_MATCHED_INFO_EMPTY = _fault(
    "ps-matched-info-empty",
    "picture-search",
    "picture search items of matched persons carry identity_info {} (no face_ids, no image_id)",
    "PS-SCHEMA-012",
    "PS-SCHEMA-013",
)
PS_SCORE_IS_COMPARE_SCORE = _fault(
    "ps-score-is-compare-score",
    "picture-search",
    "picture search items carry the query photo's compare_score × 100 as score, not the stored score",
    "PS-SCHEMA-017",
)
UPLOAD_MATCHED_INFO_EMPTY = _fault(
    "upload-matched-info-empty",
    "uploads",
    "uploads of matched persons carry identity_info {} (no face_ids, no image_id)",
    "UP-SCHEMA-004",
    "UP-SCHEMA-005",
)
UPLOAD_STRANGER_INFO_FILLED = _fault(
    "upload-stranger-info-filled",
    "uploads",
    'uploads of strangers carry identity_info {"face_ids": [], "image_id": ""} instead of {}',
    "UP-SCHEMA-003",
)
UPLOAD_OUT_BEFORE_TIMESTAMP = _fault(
    "upload-out-before-timestamp",
    "timestamps",
    "uploads carry the track's entry time as out_timestamp, 1.5 s before timestamp",
    "UP-TIME-003",
)
