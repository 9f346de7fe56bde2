"""Synthetic faces: identity separation, determinism, largest-face choice, and refusals of bad photos."""

from __future__ import annotations

import base64
from collections.abc import Sequence

import numpy as np
import pytest

from conformance.emulator.faces import (
    CODE_DIM,
    FEATURE_DIM,
    FacePlacement,
    FaceReading,
    FiqaLevel,
    ImageDecodeError,
    NoFaceError,
    extract_largest_face_feature,
    feature_for,
    feature_from_base64,
    feature_to_base64,
    quality_failures,
    read_largest_face,
    render_face_jpeg,
    render_no_face_jpeg,
    render_scene_jpeg,
    render_spot_jpeg,
    span_coordinates,
)
from conformance.emulator.faces.code_cache import FaceCodeCache

IDENTITIES = 1000
SAME_MIN = 0.85
DIFFERENT_MAX = 0.5


def test_identities_separate_after_rendering_and_extraction(capsys: pytest.CaptureFixture[str]) -> None:
    """Over 1,000 identities: same identity ≥ 0.85, different identities ≤ 0.5 (observed values printed)."""
    extracted = np.stack(
        [extract_largest_face_feature(render_face_jpeg(seed, 0)) for seed in range(IDENTITIES)]
    )
    stored = np.stack([feature_for(seed, 7) for seed in range(IDENTITIES)])
    spots = np.stack([extract_largest_face_feature(render_spot_jpeg(seed, 3)) for seed in range(150)])

    same = np.concatenate([np.sum(extracted * stored, axis=1), np.sum(spots * stored[:150], axis=1)])
    cross = extracted @ stored.T
    np.fill_diagonal(cross, -1.0)
    among = extracted @ extracted.T
    np.fill_diagonal(among, -1.0)
    different = max(float(cross.max()), float(among.max()))
    with capsys.disabled():
        print(f"\nfaces: same-identity cosine min {same.min():.4f}; different identities max {different:.4f}")
    assert same.min() >= SAME_MIN
    assert different <= DIFFERENT_MAX


def test_features_are_unit_512_float32() -> None:
    for vector in (feature_for(5, 0), extract_largest_face_feature(render_face_jpeg(5, 1))):
        assert vector.shape == (FEATURE_DIM,)
        assert vector.dtype == np.float32
        assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_generation_and_extraction_are_deterministic() -> None:
    assert render_face_jpeg(42, 3) == render_face_jpeg(42, 3)
    assert render_spot_jpeg(42, 3) == render_spot_jpeg(42, 3)
    assert render_no_face_jpeg(9) == render_no_face_jpeg(9)
    assert np.array_equal(feature_for(42, 3), feature_for(42, 3))
    photo = render_spot_jpeg(42, 3)
    assert np.array_equal(extract_largest_face_feature(photo), extract_largest_face_feature(photo))


def test_variants_differ_but_keep_the_identity() -> None:
    assert render_face_jpeg(42, 1) != render_face_jpeg(42, 2)
    assert not np.array_equal(feature_for(42, 1), feature_for(42, 2))
    assert float(feature_for(42, 1) @ feature_for(42, 2)) >= SAME_MIN


def test_any_int_is_a_seed() -> None:
    assert float(feature_for(-1, 0) @ feature_for(2**64 - 1, 0)) > 0.99  # same 64-bit word
    assert float(feature_for(-1, 0) @ feature_for(1, 0)) < DIFFERENT_MAX


def test_the_largest_of_two_faces_is_chosen() -> None:
    small, large = FacePlacement(111, 30, 60, 110), FacePlacement(222, 330, 40, 190)
    for faces in ([small, large], [large, small]):
        photo = render_scene_jpeg((640, 480), faces, scene_seed=5)
        feature = extract_largest_face_feature(photo)
        assert float(feature @ feature_for(222, 0)) >= SAME_MIN
        assert float(feature @ feature_for(111, 0)) <= DIFFERENT_MAX


def test_no_face_photos_raise_no_face_error() -> None:
    for seed in range(5):
        with pytest.raises(NoFaceError):
            extract_largest_face_feature(render_no_face_jpeg(seed))


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image", b"\xff\xd8\xff\xe0" + b"\x00" * 40, render_face_jpeg(1, 0)[:200]],
    ids=["empty", "text", "jpeg-header-only", "truncated-jpeg"],
)
def test_undecodable_data_raises_image_decode_error(data: bytes) -> None:
    with pytest.raises(ImageDecodeError):
        extract_largest_face_feature(data)


def test_feature_binary_round_trip() -> None:
    vector = feature_for(3, 4)
    text = feature_to_base64(vector)
    assert len(base64.b64decode(text)) == 2048
    assert np.array_equal(feature_from_base64(text), vector)
    with pytest.raises(ValueError, match="512"):
        feature_to_base64(vector[:511])
    with pytest.raises(ValueError, match="2048"):
        feature_from_base64(base64.b64encode(b"\x00" * 2044).decode())


def test_quality_gate_by_face_size_and_contrast() -> None:
    def reading(width: float, contrast: float = 1.0) -> FaceReading:
        photo = render_scene_jpeg((400, 400), [FacePlacement(8, 20, 20, width, contrast)], scene_seed=1)
        return read_largest_face(photo)

    medium = reading(100)  # > 80 and ≤ 112 pixels wide
    assert quality_failures(medium, FiqaLevel.NO) == []
    assert quality_failures(medium, FiqaLevel.MIDDLE) == []
    assert quality_failures(medium, FiqaLevel.HIGH) == ["face_size"]
    washed_out = reading(200, contrast=0.3)
    assert quality_failures(washed_out, FiqaLevel.LOW) == []
    assert quality_failures(washed_out, FiqaLevel.MIDDLE) == ["clarity"]
    assert quality_failures(washed_out, FiqaLevel.HIGH) == ["clarity"]
    assert quality_failures(reading(200), FiqaLevel.HIGH) == []


# -- face-code cache --------------------------------------------------------------------------------


class _Loader:
    """Stored features of faces, counting what the cache asks for."""

    def __init__(self) -> None:
        self.asked: list[tuple[int, int]] = []

    def __call__(self, faces: Sequence[tuple[int, int]]) -> np.ndarray:
        self.asked += list(faces)
        return np.stack([feature_for(seed, variant) for seed, variant in faces])


def _arrays(faces: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.asarray([s for s, _ in faces], dtype=np.int64),
        np.asarray([v for _, v in faces], dtype=np.int64),
    )


def test_code_cache_rows_score_like_the_full_features() -> None:
    faces = [(5, 1), (9, 0), (5, 1), (2**40, -3), (0, 2**33), (9, 0)]
    load = _Loader()
    codes, rows = FaceCodeCache().lookup(*_arrays(faces), load, generation=0)
    assert sorted(set(load.asked)) == sorted(set(faces))  # each distinct face loaded once
    query = extract_largest_face_feature(render_face_jpeg(5, 4))
    full = np.stack([feature_for(s, v) for s, v in faces]) @ query
    assert np.allclose(codes[rows] @ span_coordinates(query), full, atol=1e-5)
    assert codes.shape[1] == CODE_DIM == 196


def test_code_cache_loads_once_per_generation() -> None:
    cache, load = FaceCodeCache(), _Loader()
    cache.lookup(*_arrays([(1, 0), (2, 0)]), load, generation=0)
    cache.lookup(*_arrays([(2, 0), (1, 0)]), load, generation=0)
    assert load.asked == [(1, 0), (2, 0)] and cache.loaded == 2
    cache.lookup(*_arrays([(2, 0)]), load, generation=1)  # the store was reset: everything is stale
    assert load.asked[2:] == [(2, 0)] and len(cache) == 1


def test_code_cache_keeps_only_the_current_scan_past_its_size() -> None:
    cache, load = FaceCodeCache(max_faces=3), _Loader()
    cache.lookup(*_arrays([(1, 0), (2, 0), (3, 0)]), load, generation=0)
    codes, rows = cache.lookup(*_arrays([(3, 0), (4, 0)]), load, generation=0)
    assert len(cache) == 2
    assert np.allclose(codes[rows], span_coordinates(np.stack([feature_for(3, 0), feature_for(4, 0)])))
