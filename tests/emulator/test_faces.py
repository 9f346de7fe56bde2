"""Synthetic faces: identity separation, determinism, largest-face choice, and refusals of bad photos."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from conformance.emulator.faces import (
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
)

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
