"""Per-identity codes and the fixed projection to 512-d features, so rendering and search share one truth."""

import base64
from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt

from .layout import GRID_CELLS

FEATURE_DIM: Final = 512
CODE_DIM: Final = GRID_CELLS * GRID_CELLS

# Salts keep the random streams of different purposes apart for the same seed.
_CODE_SALT: Final = 0x0C0DE
_PROJECTION_SALT: Final = 0x9E3779B9
_VARIANT_SALT: Final = 0x5EED
# Relative size of the per-capture perturbation in feature_for: cosine to the clean code ≈ 0.99.
_VARIANT_NOISE: Final = 0.12

Feature = npt.NDArray[np.float32]


def seed_words(*values: int) -> list[int]:
    """Non-negative 64-bit words for a SeedSequence, so any Python int (even negative) is a valid seed."""
    return [value & 0xFFFF_FFFF_FFFF_FFFF for value in values]


@lru_cache(maxsize=65536)
def identity_code(face_seed: int) -> npt.NDArray[np.float64]:
    """The identity's code: GRID_CELLS² cell values in [0, 1], row-major (read-only)."""
    rng = np.random.default_rng(seed_words(_CODE_SALT, face_seed))
    code = rng.random(CODE_DIM)
    code.setflags(write=False)
    return code


@lru_cache(maxsize=1)
def projection() -> npt.NDArray[np.float64]:
    """Fixed FEATURE_DIM x CODE_DIM matrix with orthonormal columns: preserves cosines of codes."""
    rng = np.random.default_rng(seed_words(_PROJECTION_SALT))
    q, _ = np.linalg.qr(rng.standard_normal((FEATURE_DIM, CODE_DIM)))
    q.setflags(write=False)
    return q


def code_to_feature(cells: npt.NDArray[np.floating]) -> Feature:
    """Map measured (or true) cell values to a unit feature; affine changes of the cells cancel out."""
    centered = np.asarray(cells, dtype=np.float64).ravel() - float(np.mean(cells))
    norm = float(np.linalg.norm(centered))
    if norm == 0.0:
        raise ValueError("a flat code has no direction")
    feature = projection() @ (centered / norm)
    feature /= np.linalg.norm(feature)
    return feature.astype(np.float32)


def span_coordinates(features: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
    """Features in the projection's CODE_DIM basis: dot products with features of the span are kept."""
    return np.asarray(np.asarray(features, dtype=np.float64) @ projection(), dtype=np.float32)


def feature_for(face_seed: int, variant: int) -> Feature:
    """The feature a capture of this identity yields, computed from the code without any image work."""
    code = identity_code(face_seed)
    centered = code - code.mean()
    centered /= np.linalg.norm(centered)
    rng = np.random.default_rng(seed_words(_VARIANT_SALT, face_seed, variant))
    noisy = centered + rng.standard_normal(CODE_DIM) * (_VARIANT_NOISE / np.sqrt(CODE_DIM))
    return code_to_feature(noisy)


def feature_to_base64(vec: npt.NDArray[np.floating]) -> str:
    """Encode a 512-d feature as the v2 `feature_binary`: 2048 bytes of little-endian float32, base64."""
    array = np.asarray(vec, dtype="<f4").ravel()
    if array.shape != (FEATURE_DIM,):
        raise ValueError(f"a feature has {FEATURE_DIM} values, got {array.size}")
    return base64.b64encode(array.tobytes()).decode("ascii")


def feature_from_base64(text: str) -> Feature:
    """Decode a `feature_binary` back to 512 float32 values (the inverse of feature_to_base64)."""
    raw = base64.b64decode(text, validate=True)
    if len(raw) != FEATURE_DIM * 4:
        raise ValueError(f"a feature_binary holds {FEATURE_DIM * 4} bytes, got {len(raw)}")
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)
