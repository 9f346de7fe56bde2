"""The run's environment (target, profile, firmware, capabilities, versions, seed) for Allure and summary."""

from __future__ import annotations

import platform
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from conformance import __version__

ENVIRONMENT_FILE = "environment.properties"


def build_environment(
    *,
    box_url: str | None,
    ws_url: str | None = None,
    control_url: str | None = None,
    receiver_url: str | None = None,
    profile: str,
    firmware_version: str | None = None,
    capabilities: str | Iterable[str] = (),
    seed: int | str | None = None,
    faults: Iterable[str] = (),
) -> dict[str, str]:
    """The environment as ordered string pairs; absent values read `-` so a reader sees they were unknown."""
    values: dict[str, object] = {
        "target": box_url or "embedded emulator",
        "box_url": box_url,
        "ws_url": ws_url,
        "control_url": control_url,
        "receiver_url": receiver_url,
        "profile": profile,
        "firmware_version": firmware_version,
        "capabilities": capabilities if isinstance(capabilities, str) else ", ".join(sorted(capabilities)),
        "faults": ", ".join(faults),
        "seed": seed,
        "harness_version": __version__,
        "python": platform.python_version(),
    }
    return {key: "-" if value in (None, "") else str(value) for key, value in values.items()}


def _escape(text: str, *, key: bool) -> str:
    """Java .properties escaping (Allure parses the file as properties)."""
    escaped = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    if key:
        for char in " =:#!":
            escaped = escaped.replace(char, "\\" + char)
    return escaped


def render_properties(environment: Mapping[str, Any]) -> str:
    """`key=value` lines."""
    return "".join(
        f"{_escape(str(key), key=True)}={_escape(str(value), key=False)}\n"
        for key, value in environment.items()
    )


def write_environment(results_dir: Path, environment: Mapping[str, Any]) -> Path:
    """Write environment.properties into an allure-results folder."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / ENVIRONMENT_FILE
    path.write_text(render_properties(environment), encoding="utf-8")
    return path
