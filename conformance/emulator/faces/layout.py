"""Geometry and colours of a synthetic face, shared by the renderer and the detector so they agree."""

from typing import Final

# Face shape: an ellipse whose height is FACE_ASPECT times its width; every position below is a
# fraction of the face's bounding box (x of the width, y of the height), origin at the top left.
FACE_ASPECT: Final = 1.25

# The identity code: a GRID_CELLS x GRID_CELLS block of luminance cells, square in pixels.
GRID_CELLS: Final = 14
GRID_WIDTH_FRACTION: Final = 0.62  # side of the code block / face width
GRID_CENTER_X: Final = 0.5
GRID_CENTER_Y: Final = 0.6  # fraction of the face height

# Face-like marks outside the code block: two eyes and a mouth, dark and not skin-coloured.
EYE_CENTERS: Final = ((0.3, 0.22), (0.7, 0.22))
EYE_RADIUS_FRACTION: Final = 0.06  # of the face width
MOUTH_CENTER: Final = (0.5, 0.9)
MOUTH_HALF_SIZE: Final = (0.12, 0.025)  # half width, half height as fractions of the face box
MARK_RGB: Final = (38, 34, 40)

# Skin: one chromaticity; the identity code only changes the brightness of it, so detection reads
# chromaticity (brightness-free) and the extractor reads luminance.
SKIN_RGB: Final = (226, 170, 138)
CODE_MIN_FACTOR: Final = 0.45  # a code value of 0 darkens the skin to this fraction
CODE_MAX_FACTOR: Final = 1.0

# Detection tolerances.
SKIN_CHROMA_TOLERANCE: Final = 0.035  # max distance in (r, g) chromaticity from SKIN_RGB's
MIN_PIXEL_SUM: Final = 140  # darker pixels have too noisy a chromaticity to judge


def skin_chromaticity() -> tuple[float, float]:
    """(r, g) chromaticity of the skin colour, the detector's target."""
    total = float(sum(SKIN_RGB))
    return SKIN_RGB[0] / total, SKIN_RGB[1] / total


def grid_box(face_width: float, face_height: float) -> tuple[float, float, float]:
    """Left, top and side length (pixels) of the code block inside a face box of that size."""
    side = GRID_WIDTH_FRACTION * face_width
    left = GRID_CENTER_X * face_width - side / 2
    top = GRID_CENTER_Y * face_height - side / 2
    return left, top, side
