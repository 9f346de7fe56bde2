"""Small real images as base64, made with Pillow, for the picture checks."""

from __future__ import annotations

import base64
import io

from PIL import Image


def image_base64(kind: str = "JPEG") -> str:
    """A 4×4 grey image encoded as `kind` (JPEG or PNG), base64 text."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (128, 128, 128)).save(buffer, format=kind)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


JPEG = image_base64()
PNG = image_base64("PNG")
