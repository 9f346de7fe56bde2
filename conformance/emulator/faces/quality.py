"""The `fiqa_level` quality gate: face size (after the vendor's v2 table) and code contrast."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from .extractor import FaceReading


class FiqaLevel(StrEnum):
    """Quality levels a picture search may ask for."""

    NO = "no"
    LOW = "low"
    MIDDLE = "middle"
    HIGH = "high"


@dataclass(frozen=True)
class QualityRule:
    """Minimums a face must exceed for one level."""

    min_face_size: int  # the face box's width must be strictly greater (reference v2-searchbyimage)
    min_contrast: float  # std of the code cells' luminance, 0–255 scale
    brightness_range: tuple[float, float]  # mean luminance of the code cells


RULES: Final[dict[FiqaLevel, QualityRule]] = {
    FiqaLevel.LOW: QualityRule(min_face_size=60, min_contrast=6.0, brightness_range=(30.0, 240.0)),
    FiqaLevel.MIDDLE: QualityRule(min_face_size=80, min_contrast=10.0, brightness_range=(45.0, 230.0)),
    FiqaLevel.HIGH: QualityRule(min_face_size=112, min_contrast=14.0, brightness_range=(60.0, 220.0)),
}


def quality_failures(reading: FaceReading, level: FiqaLevel) -> list[str]:
    """Names of the failed checks (vendor words: face_size, clarity, brightness); [] means it passes."""
    rule = RULES.get(level)
    if rule is None:
        return []
    failures: list[str] = []
    if reading.box.width <= rule.min_face_size:
        failures.append("face_size")
    if reading.contrast < rule.min_contrast:
        failures.append("clarity")
    low, high = rule.brightness_range
    if not low <= reading.brightness <= high:
        failures.append("brightness")
    return failures
