"""Drive the emulator's control plane over HTTP, so oracle tests seed data the way they would on any box."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import requests

CONTROL_TIMEOUT_S = 30.0  # seeding thousands of events is one call; still bounded
EVENT_BATCH = 5000


class ControlPlaneError(Exception):
    """The control plane refused a call or could not be reached; the message names the call."""


class ControlClient:
    """A thin client for `/_emulator/...`; `base_url` is the control URL (ending in `/_emulator`)."""

    def __init__(
        self, base_url: str, *, token: str | None = None, timeout_s: float = CONTROL_TIMEOUT_S
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self._session = requests.Session()
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"

    def close(self) -> None:
        """Release the connection pool."""
        self._session.close()

    def __enter__(self) -> ControlClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        url = f"{self.base_url}{path}"
        try:
            response = self._session.request(method, url, json=body, timeout=self.timeout_s)
        except requests.RequestException as exc:
            raise ControlPlaneError(f"{method} {url}: {type(exc).__name__}: {exc}") from None
        if response.status_code >= 300:
            raise ControlPlaneError(f"{method} {url}: HTTP {response.status_code}: {response.text[:300]}")
        if not response.content:
            return {}
        content_type = response.headers.get("content-type", "")
        if "json" not in content_type:
            return response.content
        return response.json()

    def reset(self) -> None:
        """Wipe events, devices, identities, the upload queue and faults; clock back to default."""
        self._call("POST", "/reset")

    def add_devices(self, devices: Sequence[Mapping[str, Any]]) -> None:
        """Register devices (cameras, gates) the events will come from."""
        self._call("POST", "/devices", {"devices": list(devices)})

    def add_identities(self, identities: Sequence[Mapping[str, Any]]) -> None:
        """Register people the events will recognise."""
        self._call("POST", "/identities", {"identities": list(identities)})

    def add_events(self, events: Iterable[Mapping[str, Any]], batch: int = EVENT_BATCH) -> list[str]:
        """Store events in batches; returns their ids once the emulator has committed them."""
        ids: list[str] = []
        chunk: list[Mapping[str, Any]] = []
        for event in events:
            chunk.append(event)
            if len(chunk) >= batch:
                ids += self._post_events(chunk)
                chunk = []
        if chunk:
            ids += self._post_events(chunk)
        return ids

    def _post_events(self, chunk: list[Mapping[str, Any]]) -> list[str]:
        answer = self._call("POST", "/events", {"events": chunk})
        event_ids = answer.get("event_ids") if isinstance(answer, dict) else None
        if not isinstance(event_ids, list) or len(event_ids) != len(chunk):
            raise ControlPlaneError(f"POST /events: expected {len(chunk)} event ids, got {answer!r:.200}")
        return [str(event_id) for event_id in event_ids]

    def generate_events(self, **params: Any) -> int:
        """Ask the emulator for bulk synthetic events (count, seed, start_ms, step_ms, ...)."""
        answer = self._call("POST", "/events/generate", params)
        return int(answer.get("count", 0))

    def clock(self) -> dict[str, Any]:
        """The emulator's clock: mode and now_ms."""
        answer = self._call("GET", "/clock")
        return dict(answer)

    def set_clock(
        self, mode: str, *, now_ms: int | None = None, offset_ms: int | None = None
    ) -> dict[str, Any]:
        """Freeze, offset or release the emulator's clock."""
        body: dict[str, Any] = {"mode": mode}
        if now_ms is not None:
            body["now_ms"] = now_ms
        if offset_ms is not None:
            body["offset_ms"] = offset_ms
        return dict(self._call("POST", "/clock", body))

    def faults(self) -> dict[str, Any]:
        """Active and known fault names."""
        return dict(self._call("GET", "/faults"))

    def set_faults(self, enable: Sequence[str] = (), disable: Sequence[str] = ()) -> dict[str, Any]:
        """Switch named faults on or off; an unknown name is refused by the emulator."""
        return dict(self._call("POST", "/faults", {"enable": list(enable), "disable": list(disable)}))

    def face_jpeg(self, identity_id: str, variant: int = 0) -> bytes:
        """A photo of an identity's face, for picture-search tests."""
        data = self._call("GET", f"/faces/{identity_id}?variant={variant}")
        if not isinstance(data, bytes):
            raise ControlPlaneError(f"GET /faces/{identity_id}: expected image bytes")
        return data

    def stats(self) -> dict[str, Any]:
        """Counters of the emulator (events, uploads, WebSocket clients)."""
        return dict(self._call("GET", "/stats"))
