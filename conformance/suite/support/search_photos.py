"""Face photos for picture search, obtained through public means only: a photo directory or the control plane.

On the emulator the control plane renders a person's face (`GET /_emulator/faces/{id}?variant=N`);
on a real box the tester gives a directory of JPEG photos (`--search-photos DIR` or the box profile's
`search_photos`; the SOPHON_SEARCH_PHOTOS environment variable only when neither is given), so the
observational tests run there too. The box's own pictures (getspotimage) are in `search_own_events.py`.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from conformance.suite.fixtures import SESSION_KEY

PHOTO_ENV = "SOPHON_SEARCH_PHOTOS"
PHOTO_SUFFIXES = (".jpg", ".jpeg")
PHOTO_HINT = "give --search-photos DIR (or search_photos in the box profile)"


def photo_directory(config: pytest.Config) -> Path | None:
    """The directory of photos the tester gave: the run option (or profile key), else the environment."""
    session = config.stash.get(SESSION_KEY, None)
    given = session.options.search_photos if session is not None else None
    if given is not None:
        return given
    from_env = os.environ.get(PHOTO_ENV)
    return Path(from_env) if from_env else None


def photos_in(directory: Path) -> list[bytes]:
    """Every JPEG in the directory, sorted by name; a missing or empty directory is a usage error."""
    if not directory.is_dir():
        raise pytest.UsageError(f"search photos: {directory} is not a directory")
    files = sorted(p for p in directory.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
    if not files:
        raise pytest.UsageError(f"search photos: no .jpg files in {directory}")
    return [p.read_bytes() for p in files]


def downscaled(jpeg: bytes, width: int) -> bytes:
    """The same photo scaled to `width` pixels: a detectable face of poor quality (small) for fiqa tests."""
    with Image.open(io.BytesIO(jpeg)) as image:
        height = max(1, round(image.height * width / image.width))
        small = image.convert("RGB").resize((width, height))
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def blank_jpeg(size: int = 240) -> bytes:
    """A valid JPEG without any face (flat grey): the box must answer NO_FACE_ERROR."""
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (128, 128, 128)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
