"""Deterministic synthetic photos: faces that carry an identity code, in crops and in cluttered scenes."""

import functools
import io
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFilter

from .identity_code import identity_code, seed_words
from .layout import (
    CODE_MAX_FACTOR,
    CODE_MIN_FACTOR,
    EYE_CENTERS,
    EYE_RADIUS_FRACTION,
    FACE_ASPECT,
    GRID_CELLS,
    MARK_RGB,
    MOUTH_CENTER,
    MOUTH_HALF_SIZE,
    SKIN_RGB,
    grid_box,
)

SPOT_SIZE: Final = (640, 480)
_CAPTURE_SALT: Final = 0xCA97
_SCENE_SALT: Final = 0x5CE7E
_NO_FACE_SALT: Final = 0x0FACE
_NOISE_SALT: Final = 0x0015E
# Sensor noise is a window of one stored field of normals: drawing 921,600 of them per 640x480 picture was a
# third of its cost. Each picture's window starts at a place drawn from its own generator.
_NOISE_FIELD_SIZE: Final = 1 << 21
# Background colours keep red this far below green (skin has red ≈ green + 56).
_RED_BELOW_GREEN: Final = 8.0

Rgb = npt.NDArray[np.float32]


@dataclass(frozen=True)
class FacePlacement:
    """One face in a scene: whose it is, where its bounding box's top-left lies, and how wide it is."""

    face_seed: int
    left: float
    top: float
    width: float
    contrast: float = 1.0  # 1.0 = the full code contrast; lower values wash the code out


@dataclass(frozen=True)
class Lighting:
    """Per-capture photometric variation applied to the whole picture."""

    gain: float = 1.0
    offset: float = 0.0
    noise_sigma: float = 2.0
    blur_radius: float = 0.0
    jpeg_quality: int = 90


def _background_colour(rng: np.random.Generator) -> npt.NDArray[np.float32]:
    """A random colour with red at most green minus a margin.

    Skin is strongly red over green; the condition is linear, so it survives gradients between two
    background colours, lighting gain and offset: clutter is never taken for a face.
    """
    red, green, blue = rng.uniform(30, 235, size=3)
    if red > green - _RED_BELOW_GREEN:
        red, green = min(red, green), max(red, green) + _RED_BELOW_GREEN
    return np.asarray([red, min(green, 255.0), blue], dtype=np.float32)


def _paint_background(canvas: Rgb, rng: np.random.Generator, clutter: int) -> None:
    """Fill the canvas with a vertical gradient and `clutter` random rectangles."""
    height, width, _ = canvas.shape
    top, bottom = _background_colour(rng), _background_colour(rng)
    ramp = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    canvas[:] = top * (1 - ramp) + bottom * ramp
    for _ in range(clutter):
        x0, y0 = int(rng.integers(0, width - 8)), int(rng.integers(0, height - 8))
        x1 = min(width, x0 + int(rng.integers(8, width // 3)))
        y1 = min(height, y0 + int(rng.integers(8, height // 3)))
        canvas[y0:y1, x0:x1] = _background_colour(rng)


def _paint_face(canvas: Rgb, face: FacePlacement) -> None:
    """Draw one face (skin ellipse, eyes, mouth, code block) into the canvas in place."""
    height_px, width_px, _ = canvas.shape
    w, h = face.width, face.width * FACE_ASPECT
    x0, y0 = max(0, int(np.floor(face.left))), max(0, int(np.floor(face.top)))
    x1, y1 = min(width_px, int(np.ceil(face.left + w))), min(height_px, int(np.ceil(face.top + h)))
    if x1 <= x0 or y1 <= y0:
        return
    xs = (np.arange(x0, x1, dtype=np.float32) + 0.5 - face.left)[None, :]
    ys = (np.arange(y0, y1, dtype=np.float32) + 0.5 - face.top)[:, None]
    u, v = xs / w, ys / h
    inside = (u - 0.5) ** 2 + (v - 0.5) ** 2 <= 0.25

    factor = np.ones((y1 - y0, x1 - x0), dtype=np.float32)
    left, top, side = grid_box(w, h)
    col = np.floor((xs - left) / side * GRID_CELLS).astype(np.int64)
    row = np.floor((ys - top) / side * GRID_CELLS).astype(np.int64)
    in_grid = (col >= 0) & (col < GRID_CELLS) & (row >= 0) & (row < GRID_CELLS)
    code = identity_code(face.face_seed)
    code_values = code[np.clip(row, 0, GRID_CELLS - 1) * GRID_CELLS + np.clip(col, 0, GRID_CELLS - 1)]
    shade = CODE_MIN_FACTOR + (CODE_MAX_FACTOR - CODE_MIN_FACTOR) * code_values
    shade = 1.0 - (1.0 - shade) * face.contrast
    factor = np.where(in_grid, shade, factor).astype(np.float32)

    colour = np.asarray(SKIN_RGB, dtype=np.float32)[None, None, :] * factor[:, :, None]
    marks = np.zeros_like(inside)
    for ex, ey in EYE_CENTERS:
        marks |= ((xs - ex * w) ** 2 + (ys - ey * h) ** 2) <= (EYE_RADIUS_FRACTION * w) ** 2
    mx, my = MOUTH_CENTER
    hx, hy = MOUTH_HALF_SIZE
    marks |= (np.abs(u - mx) <= hx) & (np.abs(v - my) <= hy)
    colour = np.where(marks[:, :, None], np.asarray(MARK_RGB, dtype=np.float32), colour)
    region = canvas[y0:y1, x0:x1]
    region[:] = np.where(inside[:, :, None], colour, region)


def render_scene_jpeg(
    size: tuple[int, int],
    faces: list[FacePlacement],
    scene_seed: int,
    lighting: Lighting | None = None,
    clutter: int = 12,
) -> bytes:
    """Render a width x height JPEG with a cluttered background and the given faces (later ones on top)."""
    width, height = size
    rng = np.random.default_rng(seed_words(_SCENE_SALT, scene_seed))
    canvas = np.empty((height, width, 3), dtype=np.float32)
    _paint_background(canvas, rng, clutter)
    for face in faces:
        _paint_face(canvas, face)
    return _finish(canvas, rng, lighting or Lighting())


@functools.lru_cache(maxsize=1)
def _noise_field() -> npt.NDArray[np.float32]:
    """Standard normal values, drawn once per process (deterministically) and shared by every picture."""
    return np.random.default_rng(seed_words(_NOISE_SALT)).standard_normal(_NOISE_FIELD_SIZE, dtype=np.float32)


def _sensor_noise(shape: tuple[int, ...], rng: np.random.Generator) -> npt.NDArray[np.float32]:
    """Unit noise for a picture of `shape`: a window of the stored field (fresh values if it is too large)."""
    count = int(np.prod(shape))
    if count > _NOISE_FIELD_SIZE:
        return rng.standard_normal(shape, dtype=np.float32)
    start = int(rng.integers(0, _NOISE_FIELD_SIZE - count + 1))
    return _noise_field()[start : start + count].reshape(shape)


def _finish(canvas: Rgb, rng: np.random.Generator, lighting: Lighting) -> bytes:
    """Apply lighting, sensor noise, blur and JPEG compression."""
    pixels = canvas * lighting.gain + lighting.offset
    pixels += _sensor_noise(pixels.shape, rng) * np.float32(lighting.noise_sigma)
    image = Image.fromarray(np.clip(pixels, 0, 255).round().astype(np.uint8), "RGB")
    if lighting.blur_radius > 0:
        image = image.filter(ImageFilter.GaussianBlur(lighting.blur_radius))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=lighting.jpeg_quality)
    return buffer.getvalue()


def capture_lighting(rng: np.random.Generator) -> Lighting:
    """Random but bounded per-capture lighting: brightness, noise, slight blur, JPEG quality."""
    return Lighting(
        gain=float(rng.uniform(0.82, 1.08)),
        offset=float(rng.uniform(-10.0, 6.0)),
        noise_sigma=float(rng.uniform(1.0, 4.0)),
        blur_radius=float(rng.choice([0.0, 0.5, 0.8])),
        jpeg_quality=int(rng.integers(80, 94)),
    )


def render_face_jpeg(face_seed: int, variant: int) -> bytes:
    """A face crop of this identity; `variant` changes framing, scale and lighting, never the identity."""
    rng = np.random.default_rng(seed_words(_CAPTURE_SALT, face_seed, variant, 0))
    face_width = float(rng.uniform(140.0, 190.0))
    margin_x, margin_y = rng.uniform(0.15, 0.3, size=2) * face_width
    width = int(face_width + 2 * margin_x)
    height = int(face_width * FACE_ASPECT + 2 * margin_y)
    left = float(margin_x + rng.uniform(-0.08, 0.08) * face_width)
    top = float(margin_y + rng.uniform(-0.08, 0.08) * face_width)
    face = FacePlacement(face_seed, left, top, face_width)
    scene_seed = int(rng.integers(0, 2**62))
    return render_scene_jpeg((width, height), [face], scene_seed, capture_lighting(rng), clutter=0)


def render_spot_jpeg(face_seed: int, variant: int) -> bytes:
    """A 640x480 scene (the spot/background picture) with one face of this identity somewhere in it."""
    rng = np.random.default_rng(seed_words(_CAPTURE_SALT, face_seed, variant, 1))
    width, height = SPOT_SIZE
    face_width = float(rng.uniform(120.0, 200.0))
    left = float(rng.uniform(4.0, width - face_width - 4.0))
    top = float(rng.uniform(4.0, height - face_width * FACE_ASPECT - 4.0))
    face = FacePlacement(face_seed, left, top, face_width)
    scene_seed = int(rng.integers(0, 2**62))
    return render_scene_jpeg(SPOT_SIZE, [face], scene_seed, capture_lighting(rng))


def render_no_face_jpeg(seed: int) -> bytes:
    """A valid 640x480 photo of clutter only: what a camera sees when nobody is there."""
    rng = np.random.default_rng(seed_words(_NO_FACE_SALT, seed))
    scene_seed = int(rng.integers(0, 2**62))
    return render_scene_jpeg(SPOT_SIZE, [], scene_seed, capture_lighting(rng), clutter=20)
