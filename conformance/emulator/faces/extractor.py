"""Turn the largest face of a photo into its 512-d feature by reading the identity code back out."""

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

from .detector import FaceBox, RgbImage, decode_rgb, find_faces
from .errors import NoFaceError
from .identity_code import Feature, code_to_feature
from .layout import GRID_CELLS, grid_box

_SAMPLES_PER_CELL: Final = 5  # the code block is resampled to this many pixels per cell side
_INNER: Final = slice(1, 4)  # and only each cell's inner 3x3 is averaged (edges blur into neighbours)


@dataclass(frozen=True)
class FaceReading:
    """What the extractor learned about the largest face: where it is, its code cells, its feature."""

    box: FaceBox
    cells: npt.NDArray[np.float32]  # mean luminance per code cell, row-major
    feature: Feature

    @property
    def contrast(self) -> float:
        """Standard deviation of the code cells' luminance: washed-out faces score low."""
        return float(np.std(self.cells))

    @property
    def brightness(self) -> float:
        """Mean luminance of the code cells."""
        return float(np.mean(self.cells))


def _luminance(rgb: RgbImage) -> npt.NDArray[np.float32]:
    """ITU-R BT.601 luma as float32."""
    weights = np.asarray([0.299, 0.587, 0.114], dtype=np.float32)
    return np.asarray(rgb.astype(np.float32) @ weights, dtype=np.float32)


def read_cells(rgb: RgbImage, box: FaceBox) -> npt.NDArray[np.float32]:
    """Mean luminance of each code cell inside the face box, GRID_CELLS² values row-major."""
    left, top, side = grid_box(float(box.width), float(box.height))
    x0, y0 = box.left + left, box.top + top
    size = GRID_CELLS * _SAMPLES_PER_CELL
    luma = Image.fromarray(_luminance(rgb), mode="F")
    sampled = np.asarray(
        luma.resize((size, size), Image.Resampling.BILINEAR, box=(x0, y0, x0 + side, y0 + side)),
        dtype=np.float32,
    )
    cells = sampled.reshape(GRID_CELLS, _SAMPLES_PER_CELL, GRID_CELLS, _SAMPLES_PER_CELL)
    return np.asarray(cells[:, _INNER, :, _INNER].mean(axis=(1, 3)).ravel(), dtype=np.float32)


def read_largest_face(data: bytes) -> FaceReading:
    """Decode the photo and read its largest face; ImageDecodeError / NoFaceError when impossible."""
    rgb = decode_rgb(data)
    faces = find_faces(rgb)
    if not faces:
        raise NoFaceError("no face found in the image")
    box = faces[0]
    cells = read_cells(rgb, box)
    if float(np.ptp(cells)) == 0.0:
        raise NoFaceError("the face region carries no features")
    return FaceReading(box=box, cells=cells, feature=code_to_feature(cells))


def extract_largest_face_feature(data: bytes) -> Feature:
    """The 512-d unit feature of the largest face in a JPEG (or any Pillow-readable image)."""
    return read_largest_face(data).feature
