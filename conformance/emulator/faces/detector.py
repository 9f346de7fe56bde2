"""Decode a photo and find the synthetic faces in it by their skin chromaticity and ellipse shape."""

import io
from collections import deque
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from .errors import ImageDecodeError
from .layout import FACE_ASPECT, MIN_PIXEL_SUM, SKIN_CHROMA_TOLERANCE, skin_chromaticity

MAX_IMAGE_PIXELS: Final = 4096 * 4096  # larger uploads are refused instead of decoded
_COARSE: Final = 4  # components are found on a grid of _COARSE x _COARSE pixel blocks
_MIN_COMPONENT_BLOCKS: Final = 40  # about a 32-pixel-wide face; smaller blobs are noise
_EDGE_MIN_PIXELS: Final = 3  # a row/column belongs to the face box when it holds this many skin pixels
_ASPECT_RANGE: Final = (FACE_ASPECT - 0.3, FACE_ASPECT + 0.3)
_FILL_RANGE: Final = (0.55, 0.86)  # skin share of the box: an ellipse is π/4 minus eyes and mouth

RgbImage = npt.NDArray[np.uint8]
BoolMask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class FaceBox:
    """A detected face: pixel bounds (right and bottom exclusive)."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        """Width in pixels."""
        return self.right - self.left

    @property
    def height(self) -> int:
        """Height in pixels."""
        return self.bottom - self.top

    @property
    def area(self) -> int:
        """Box area in pixels, the measure behind "the largest face"."""
        return self.width * self.height


def decode_rgb(data: bytes) -> RgbImage:
    """Decode image bytes to an RGB array, or raise ImageDecodeError with a reason."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ImageDecodeError(f"image too large: {width}x{height}")
            return np.asarray(image.convert("RGB"), dtype=np.uint8)
    except ImageDecodeError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ImageDecodeError(f"not a decodable image: {exc}") from exc


def skin_mask(rgb: RgbImage) -> BoolMask:
    """Pixels whose chromaticity is the skin's (brightness does not matter; very dark pixels never count)."""
    pixels = rgb.astype(np.float32)
    total = pixels.sum(axis=2)
    safe = np.maximum(total, 1.0)
    r0, g0 = skin_chromaticity()
    distance2 = (pixels[:, :, 0] / safe - r0) ** 2 + (pixels[:, :, 1] / safe - g0) ** 2
    return np.asarray((total >= MIN_PIXEL_SUM) & (distance2 <= SKIN_CHROMA_TOLERANCE**2))


def _coarse_mask(mask: BoolMask) -> BoolMask:
    """Blocks more than half skin; the grid components are searched on."""
    rows, cols = mask.shape[0] // _COARSE, mask.shape[1] // _COARSE
    blocks = mask[: rows * _COARSE, : cols * _COARSE].reshape(rows, _COARSE, cols, _COARSE)
    return np.asarray(blocks.mean(axis=(1, 3)) > 0.5)


def _components(coarse: BoolMask) -> list[list[tuple[int, int]]]:
    """4-connected components of the coarse mask with at least _MIN_COMPONENT_BLOCKS blocks."""
    seen = np.zeros_like(coarse)
    rows, cols = coarse.shape
    found: list[list[tuple[int, int]]] = []
    for start_row, start_col in zip(*np.nonzero(coarse), strict=True):
        if seen[start_row, start_col]:
            continue
        seen[start_row, start_col] = True
        queue = deque([(int(start_row), int(start_col))])
        blocks: list[tuple[int, int]] = []
        while queue:
            row, col = queue.popleft()
            blocks.append((row, col))
            for nrow, ncol in ((row - 1, col), (row + 1, col), (row, col - 1), (row, col + 1)):
                if 0 <= nrow < rows and 0 <= ncol < cols and coarse[nrow, ncol] and not seen[nrow, ncol]:
                    seen[nrow, ncol] = True
                    queue.append((nrow, ncol))
        if len(blocks) >= _MIN_COMPONENT_BLOCKS:
            found.append(blocks)
    return found


def _refine(mask: BoolMask, blocks: list[tuple[int, int]]) -> FaceBox | None:
    """Pixel-exact box of one component (its blocks grown by one), or None if it is not face-shaped."""
    coords = np.asarray(blocks)
    r0, c0 = coords.min(axis=0) - 1
    r1, c1 = coords.max(axis=0) + 2
    r0, c0 = max(0, int(r0)), max(0, int(c0))
    allowed = np.zeros((int(r1) - r0, int(c1) - c0), dtype=bool)
    allowed[coords[:, 0] - r0, coords[:, 1] - c0] = True
    grown = allowed.copy()
    grown[1:] |= allowed[:-1]
    grown[:-1] |= allowed[1:]
    grown[:, 1:] |= allowed[:, :-1]
    grown[:, :-1] |= allowed[:, 1:]
    full = np.repeat(np.repeat(grown, _COARSE, axis=0), _COARSE, axis=1)
    top, left = r0 * _COARSE, c0 * _COARSE
    window = mask[top : top + full.shape[0], left : left + full.shape[1]]
    skin = window & full[: window.shape[0], : window.shape[1]]
    rows = np.nonzero(skin.sum(axis=1) >= _EDGE_MIN_PIXELS)[0]
    cols = np.nonzero(skin.sum(axis=0) >= _EDGE_MIN_PIXELS)[0]
    if rows.size == 0 or cols.size == 0:
        return None
    box = FaceBox(left + int(cols[0]), top + int(rows[0]), left + int(cols[-1]) + 1, top + int(rows[-1]) + 1)
    aspect = box.height / box.width
    fill = float(skin.sum()) / box.area
    if not (_ASPECT_RANGE[0] <= aspect <= _ASPECT_RANGE[1] and _FILL_RANGE[0] <= fill <= _FILL_RANGE[1]):
        return None
    return box


def find_faces(rgb: RgbImage) -> list[FaceBox]:
    """All faces in the image, largest first (ties: top-most, then left-most)."""
    mask = skin_mask(rgb)
    boxes = [box for blocks in _components(_coarse_mask(mask)) if (box := _refine(mask, blocks))]
    return sorted(boxes, key=lambda box: (-box.area, box.top, box.left))
