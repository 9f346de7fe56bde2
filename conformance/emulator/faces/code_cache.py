"""Span coordinates of stored faces keyed by (face_seed, face_variant), so a search reads each feature once.

Every stored feature lies in (or is scored against queries in) the projection's CODE_DIM-wide span,
so CODE_DIM numbers per face give the same dot product as the 512 of the feature. Faces are kept as a
key-sorted matrix: a scan of 50,000 candidates maps to rows with one vectorised binary search.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from .identity_code import CODE_DIM, span_coordinates

# 200,000 x 196 float32 = 157 MB; past it, only the faces of the current scan are kept
MAX_CACHED_FACES: Final = 200_000
_SEED_LIMIT: Final = 1 << 31
_VARIANT_LIMIT: Final = 1 << 32

Int64Array = npt.NDArray[np.int64]
Codes = npt.NDArray[np.float32]
# (face_seed, face_variant) pairs -> their stored (n, 512) features, in the same order
FeatureLoader = Callable[[Sequence[tuple[int, int]]], npt.NDArray[np.float32]]


class FaceCodeCache:
    """Thread-safe map from faces to span coordinates; `generation` changes drop everything."""

    def __init__(self, max_faces: int = MAX_CACHED_FACES) -> None:
        self._max_faces = max_faces
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._keys: Int64Array = np.zeros(0, dtype=np.int64)  # sorted
        self._codes: Codes = np.zeros((0, CODE_DIM), dtype=np.float32)
        self._unpackable: dict[tuple[int, int], int] = {}  # faces outside the packed range -> key < 0
        self.loaded = 0  # faces read through the loader so far (how well the cache works)

    def __len__(self) -> int:
        return int(self._keys.shape[0])

    def lookup(
        self, seeds: Int64Array, variants: Int64Array, load: FeatureLoader, generation: int
    ) -> tuple[Codes, npt.NDArray[np.intp]]:
        """A code matrix and, per face asked for, its row in it; faces not cached yet are loaded first."""
        with self._lock:
            if generation != self._generation:
                self._clear(generation)
            wanted = self._keys_of(seeds, variants)
            rows, found = self._rows(wanted)
            if not bool(found.all()):
                self._add(wanted, seeds, variants, found, load)
                rows, found = self._rows(wanted)
            return self._codes, rows

    def _clear(self, generation: int) -> None:
        self._generation = generation
        self._keys = np.zeros(0, dtype=np.int64)
        self._codes = np.zeros((0, CODE_DIM), dtype=np.float32)
        self._unpackable.clear()

    def _keys_of(self, seeds: Int64Array, variants: Int64Array) -> Int64Array:
        """One int64 per face: seed << 32 | variant, or a negative key for faces that do not fit."""
        seeds = np.asarray(seeds, dtype=np.int64)
        variants = np.asarray(variants, dtype=np.int64)
        fits = (seeds >= 0) & (seeds < _SEED_LIMIT) & (variants >= 0) & (variants < _VARIANT_LIMIT)
        keys = np.where(fits, (seeds << 32) | variants, 0)
        for index in np.flatnonzero(~fits):
            face = (int(seeds[index]), int(variants[index]))
            keys[index] = self._unpackable.setdefault(face, -1 - len(self._unpackable))
        return keys

    def _rows(self, wanted: Int64Array) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
        if len(self._keys) == 0:
            return np.zeros(len(wanted), dtype=np.intp), np.zeros(len(wanted), dtype=np.bool_)
        rows = np.minimum(np.searchsorted(self._keys, wanted), len(self._keys) - 1)
        return rows, self._keys[rows] == wanted

    def _add(
        self,
        wanted: Int64Array,
        seeds: Int64Array,
        variants: Int64Array,
        found: npt.NDArray[np.bool_],
        load: FeatureLoader,
    ) -> None:
        missing = np.flatnonzero(~found)
        new_keys, first = np.unique(wanted[missing], return_index=True)
        at = missing[first]
        faces = [(int(s), int(v)) for s, v in zip(seeds[at], variants[at], strict=True)]
        new_codes = span_coordinates(load(faces)).reshape(len(faces), CODE_DIM)
        self.loaded += len(faces)
        keys, codes = self._keys, self._codes
        if len(keys) + len(new_keys) > self._max_faces:
            keep = np.isin(keys, wanted)
            keys, codes = keys[keep], codes[keep]
        merged = np.concatenate([keys, new_keys])
        order = np.argsort(merged, kind="stable")
        self._keys = merged[order]
        self._codes = np.ascontiguousarray(np.concatenate([codes, new_codes])[order])
