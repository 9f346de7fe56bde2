"""Picture search's scan keys: candidates as int64 arrays, two packed integers a row (schema.SCAN_PACKED)."""

from __future__ import annotations

from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt

PACKED_SPAN: Final = 1 << 32  # schema.SCAN_PACKED keeps ts_ms - lo in the low 32 bits
PACKED_ROWID_LIMIT: Final = 1 << 31  # and the rowid above them
_LOW32: Final = 0xFFFF_FFFF

Int64Array = npt.NDArray[np.int64]


class ScanKeys(NamedTuple):
    """Picture search candidates in scan order, as int64 arrays of equal length."""

    rowids: Int64Array
    ts_ms: Int64Array
    face_seed: Int64Array
    face_variant: Int64Array


def unpack_scan(flat: Int64Array, lo_ms: int) -> ScanKeys | None:
    """ScanKeys from SCAN_PACKED's rows flattened; None when a face did not fit the packed form."""
    pairs = flat.reshape(-1, 2)
    at, face = pairs[:, 0], pairs[:, 1]
    if bool((face < 0).any()):
        return None
    return ScanKeys(at >> 32, (at & _LOW32) + lo_ms, face >> 32, face & _LOW32)


def plain_scan(flat: Int64Array) -> ScanKeys:
    """ScanKeys from SCAN_PLAIN's rows flattened."""
    rows = flat.reshape(-1, 4)
    return ScanKeys(rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].copy(), rows[:, 3].copy())
