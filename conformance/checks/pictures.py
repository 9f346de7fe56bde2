"""Pictures inside pushed and uploaded events: present when asked, absent when not, decodable JPEG when sent.

Absent means: key missing, null or "". Present means a non-empty string that must be base64 of a
JPEG that Pillow can decode. Shared by `websocket_checks` and `upload_checks`.
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PIL import Image, UnidentifiedImageError

from conformance.checks.findings import Finding, deviation

Payload = Mapping[str, Any]


def is_absent(value: Any) -> bool:
    """A picture field that carries nothing: missing (None) or an empty string."""
    return value is None or value == ""


def jpeg_problem(value: Any) -> str | None:
    """None for base64 of a decodable JPEG, else why not (not text, not base64, not an image, not JPEG)."""
    if not isinstance(value, str):
        return f"not a base64 string but {type(value).__name__}"
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return "not valid base64"
    try:
        with Image.open(io.BytesIO(raw)) as image:
            kind = image.format
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        return f"not a decodable image ({type(exc).__name__})"
    if kind != "JPEG":
        return f"an image but {kind}, not JPEG"
    return None


def picture_findings(
    payloads: Sequence[Payload],
    *,
    field: str,
    value_of: Callable[[Payload], Any],
    wanted: bool,
    flag: str,
    applies: Callable[[Payload], bool] = lambda _payload: True,
    key_of: Callable[[Payload], str] = lambda payload: str(payload.get("timestamp")),
    tolerate_unasked: bool = False,
) -> list[Finding]:
    """Findings for one picture field over many payloads, given whether the configuration asked for it.

    `tolerate_unasked` (a lenient reading such as E28) accepts pictures nobody asked for; they must
    still be valid base64 JPEG.
    """
    lacking: list[str] = []
    unasked: list[str] = []
    broken: list[tuple[str, str]] = []
    for payload in payloads:
        value = value_of(payload)
        if is_absent(value):
            if wanted and applies(payload):
                lacking.append(key_of(payload))
            continue
        if not wanted and not tolerate_unasked:
            unasked.append(key_of(payload))
        problem = jpeg_problem(value)
        if problem is not None:
            broken.append((key_of(payload), problem))
    findings: list[Finding] = []
    if lacking:
        findings.append(
            deviation(
                f"{len(lacking)} payload(s) lack {field} though {flag} is true",
                field=field,
                payloads=lacking[:10],
            )
        )
    if unasked:
        findings.append(
            deviation(
                f"{len(unasked)} payload(s) carry {field} though {flag} is false",
                field=field,
                payloads=unasked[:10],
            )
        )
    if broken:
        findings.append(
            deviation(
                f"{len(broken)} payload(s) carry a {field} that is not a base64 JPEG: {broken[0][1]}",
                field=field,
                payloads=[key for key, _ in broken[:10]],
                problem=broken[0][1],
            )
        )
    return findings
