"""The emulator's canonical records: one stored event, device and identity, shared by every renderer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

FEATURE_DIM: Final = 512
FEATURE_BYTES: Final = FEATURE_DIM * 4

# person_type codes (seeds 001-004); "car" exists only in the v2 vocabulary, stored as 6.
PERSON_TYPE_TO_USER_TYPE: Final[dict[int, str]] = {
    1: "employee",
    2: "visitor",
    3: "blacklist",
    4: "stranger",
    5: "vip",
    6: "car",
}
USER_TYPE_TO_PERSON_TYPE: Final[dict[str, int]] = {v: k for k, v in PERSON_TYPE_TO_USER_TYPE.items()}
STRANGER: Final = 4

DEVICE_TYPES: Final = ("photo", "rtsp", "card")
WS_DEVICE_TYPES: Final = ("0", "1", "3", "4")
GENDERS: Final = ("", "male", "female")
AGES: Final = ("", "child", "juvenile", "youth", "middle-aged", "aged")
YES_NO: Final = ("", "yes", "no")

Feature = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Attributes:
    """Face attributes as the v2/v1 tables define them; "" means unknown (E04)."""

    gender: str = ""
    age: str = ""
    mask: str = ""
    glasses: str = ""


@dataclass(frozen=True)
class DeviceRecord:
    """A capture device (camera, gate, card reader) registered on the box."""

    device_id: str
    device_name: str = ""
    device_ip: str = ""
    device_type: str = "rtsp"
    ws_device_type: str = "3"
    device_key: str = ""
    group_id: str = ""
    permission_id: str = ""


@dataclass(frozen=True)
class IdentityRecord:
    """A registered person; strangers have no identity record."""

    identity_id: str
    name: str = ""
    person_type: int = 1
    group_id: str = ""
    group_name: str = ""
    room: str = ""
    face_seed: int = 0

    @property
    def register_image_id(self) -> str:
        """The id of the identity's registration photo (opaque to clients)."""
        return f"reg_{self.identity_id}"


def _empty_feature() -> Feature:
    return np.zeros(FEATURE_DIM, dtype=np.float32)


@dataclass(frozen=True)
class EventRecord:
    """One stored recognition event with everything any renderer (v2, v1, WS, upload, search) needs."""

    event_id: str
    ts_ms: int
    device: DeviceRecord
    identity: IdentityRecord | None
    person_type: int
    score: float
    face_seed: int
    face_variant: int
    attributes: Attributes = field(default_factory=Attributes)
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    point: tuple[float, ...] = ()
    feature: Feature = field(default_factory=_empty_feature, compare=False)
    is_send: int = 0
    frame_id: int = 1
    track_id: int = 0
    unknown_id: int = 0
    in_ts_ms: int = 0
    out_ts_ms: int = 0
    pose_score: float = 1.0
    video_shape: tuple[int, int, int] = (1920, 1080, 3)
    rowid: int = 0
    # Microseconds past ts_ms (0-999): the true time is ts_ms + sub_ms_us / 1000. Site mode records
    # them as a real box does (seed 000's 1628066406.608026); the control plane always stores 0.
    sub_ms_us: int = 0

    @property
    def device_id(self) -> str:
        """The capture device's id."""
        return self.device.device_id

    @property
    def identity_id(self) -> str:
        """The matched identity's id, "" for a stranger."""
        return "" if self.identity is None else self.identity.identity_id

    @property
    def identity_name(self) -> str:
        """The matched identity's name, "" for a stranger."""
        return "" if self.identity is None else self.identity.name

    @property
    def user_type(self) -> str:
        """The v2 user_type string for person_type."""
        return PERSON_TYPE_TO_USER_TYPE.get(self.person_type, "employee")

    @property
    def spot_image_id(self) -> str:
        """Id of the scene picture; getspotimage resolves it back to this event."""
        return f"{self.event_id}_spot"

    @property
    def face_image_id(self) -> str:
        """Id of the face crop picture; getspotimage resolves it back to this event."""
        return f"{self.event_id}_face"

    @property
    def register_image_id(self) -> str:
        """The identity's registration photo id, "" for a stranger."""
        return "" if self.identity is None else self.identity.register_image_id

    @property
    def true_ts_us(self) -> int:
        """The event's true time in epoch microseconds (what filters compare against)."""
        return self.ts_ms * 1000 + self.sub_ms_us

    @property
    def true_seconds(self) -> float:
        """The event's true time as float epoch seconds, microseconds included (v1, picture search)."""
        return self.true_ts_us / 1_000_000

    @property
    def recognition_ts_ms(self) -> int:
        """When the comparison ran; the event's own timestamp."""
        return self.ts_ms


def image_event_id(image_id: str) -> tuple[str, str] | None:
    """Split an image id into (event_id, "spot"|"face"), or None when it is not one of ours."""
    for kind in ("spot", "face"):
        suffix = f"_{kind}"
        if image_id.endswith(suffix) and len(image_id) > len(suffix):
            return image_id[: -len(suffix)], kind
    return None
