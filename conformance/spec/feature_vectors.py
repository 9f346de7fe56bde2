"""The part of feature_binary that JSON Schema cannot judge: 512 little-endian float32 of L2 norm 1.0."""

from __future__ import annotations

import base64
import binascii
import math
import struct

FEATURE_VALUES = 512
FEATURE_BYTES = FEATURE_VALUES * 4
NORM_TOLERANCE = 1e-3  # float32 rounding of a unit vector stays far inside this


def feature_problem(text: object) -> str | None:
    """Why a feature_binary value is not "" or a unit-length 512-float32 vector; None when it is."""
    if text == "":
        return None
    if not isinstance(text, str):
        return f"feature_binary is {type(text).__name__}, not a string"
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return "feature_binary is not base64"
    if len(raw) != FEATURE_BYTES:
        return f"feature_binary decodes to {len(raw)} bytes, not {FEATURE_BYTES} (512 float32)"
    values = struct.unpack(f"<{FEATURE_VALUES}f", raw)
    if not all(math.isfinite(v) for v in values):
        return "feature_binary holds a NaN or infinite value"
    norm = math.sqrt(math.fsum(v * v for v in values))
    if abs(norm - 1.0) > NORM_TOLERANCE:
        return f"feature_binary has L2 norm {norm:.6f}, not 1.0"
    return None
