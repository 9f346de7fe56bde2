"""Synthetic faces for the emulator: render photos per identity, detect faces, extract 512-d features."""

from .errors import FaceImageError, ImageDecodeError, NoFaceError
from .extractor import FaceReading, extract_largest_face_feature, read_largest_face
from .generator import (
    FacePlacement,
    Lighting,
    render_face_jpeg,
    render_no_face_jpeg,
    render_scene_jpeg,
    render_spot_jpeg,
)
from .identity_code import (
    CODE_DIM,
    FEATURE_DIM,
    Feature,
    feature_for,
    feature_from_base64,
    feature_to_base64,
    span_coordinates,
)
from .quality import FiqaLevel, quality_failures

__all__ = [
    "CODE_DIM",
    "FEATURE_DIM",
    "FaceImageError",
    "FacePlacement",
    "FaceReading",
    "Feature",
    "FiqaLevel",
    "ImageDecodeError",
    "Lighting",
    "NoFaceError",
    "extract_largest_face_feature",
    "feature_for",
    "feature_from_base64",
    "feature_to_base64",
    "quality_failures",
    "read_largest_face",
    "render_face_jpeg",
    "render_no_face_jpeg",
    "render_scene_jpeg",
    "render_spot_jpeg",
    "span_coordinates",
]
