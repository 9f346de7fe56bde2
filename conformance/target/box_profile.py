"""The box profile: what a lab knows about its box, in one TOML file shared by everyone who tests it.

A profile names the box's URLs, the interfaces its firmware claims, where credentials come from
(environment variable names: a profile is shared, a secret is not), a folder of search photos, how
long to wait for live traffic, the devices to use and the upload receiver's address. Command-line
flags override every key. `sophon-conformance init` writes one from a preflight (docs/box-profile.md).
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.target.target import MANDATORY_INTERFACES

DEFAULT_LIVE_WAIT_S = 60.0
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SECRET_KEYS = ("password", "secret", "token")
CREDENTIAL_KEYS = {"username": str, "username_env": str, "password_env": str}
RECEIVER_KEYS = {"bind": str, "advertise_url": str}
TOP_KEYS = {
    "box_url": str,
    "ws_url": str,
    "version_url": str,
    "interfaces": list,
    "devices": list,
    "search_photos": str,
    "live_wait_s": float,
    "credentials": dict,
    "receiver": dict,
}
TYPE_NAMES = {str: "a string", list: "a list of strings", float: "a number", dict: "a table"}


class BoxProfileError(ValueError):
    """A profile file the harness cannot use; the message names the file and the key."""


@dataclass(frozen=True)
class BoxProfile:
    """A box profile as read from TOML; every field is optional and a flag given on the command line wins."""

    source: Path | None = None
    box_url: str | None = None
    ws_url: str | None = None
    version_url: str | None = None
    interfaces: tuple[str, ...] | None = None  # None: the firmware claims every mandatory interface
    devices: tuple[str, ...] = ()
    search_photos: Path | None = None
    live_wait_s: float | None = None
    username: str | None = None
    username_env: str | None = None
    password_env: str | None = None
    receiver_bind: str | None = None
    receiver_advertise_url: str | None = None

    def credentials(self, environ: Mapping[str, str] | None = None) -> tuple[str | None, str | None]:
        """(username, password) from the profile's environment variables; a named, unset one is an error."""
        env = os.environ if environ is None else environ
        username = self.username
        if self.username_env is not None:
            username = _from_env(env, self.username_env, "credentials.username_env", self.source)
        password = None
        if self.password_env is not None:
            password = _from_env(env, self.password_env, "credentials.password_env", self.source)
        return username, password


def load_box_profile(path: Path) -> BoxProfile:
    """Read and check a profile file; every problem is a BoxProfileError with one clear message."""
    label = f"box profile {path}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BoxProfileError(f"{label}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BoxProfileError(f"{label}: cannot read it ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BoxProfileError(f"{label} is not TOML: {exc}") from None
    _refuse_secrets(data, label)
    _check_keys(data, TOP_KEYS, "", label)
    credentials = data.get("credentials", {})
    receiver = data.get("receiver", {})
    _check_keys(credentials, CREDENTIAL_KEYS, "credentials.", label)
    _check_keys(receiver, RECEIVER_KEYS, "receiver.", label)
    if "username" in credentials and "username_env" in credentials:
        raise BoxProfileError(f"{label}: give credentials.username or credentials.username_env, not both")
    for key in ("username_env", "password_env"):
        name = credentials.get(key)
        if name is not None and not ENV_NAME.fullmatch(name):
            raise BoxProfileError(
                f"{label}: credentials.{key} must name an environment variable (letters, digits, _), "
                "not hold a value"
            )
    interfaces = _strings(data, "interfaces", label)
    unknown = [name for name in interfaces or () if name not in MANDATORY_INTERFACES]
    if unknown:
        raise BoxProfileError(
            f"{label}: interfaces: unknown interface {unknown[0]!r} "
            f"(the interfaces are {', '.join(MANDATORY_INTERFACES)})"
        )
    live_wait = data.get("live_wait_s")
    if live_wait is not None and not 0 <= live_wait < math.inf:
        raise BoxProfileError(f"{label}: live_wait_s must be 0 or more seconds, not {live_wait}")
    return BoxProfile(
        source=path,
        box_url=data.get("box_url"),
        ws_url=data.get("ws_url"),
        version_url=data.get("version_url"),
        interfaces=interfaces,
        devices=_strings(data, "devices", label) or (),
        search_photos=_photo_folder(data.get("search_photos"), path, label),
        live_wait_s=None if live_wait is None else float(live_wait),
        username=credentials.get("username"),
        username_env=credentials.get("username_env"),
        password_env=credentials.get("password_env"),
        receiver_bind=receiver.get("bind"),
        receiver_advertise_url=receiver.get("advertise_url"),
    )


def parse_interfaces(text: str) -> tuple[str, ...]:
    """A comma list of interface names (the --interfaces flag); unknown names are a ValueError."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in MANDATORY_INTERFACES]
    if unknown:
        raise ValueError(
            f"--interfaces: unknown interface {unknown[0]!r} "
            f"(the interfaces are {', '.join(MANDATORY_INTERFACES)})"
        )
    return names


def _refuse_secrets(data: Mapping[str, Any], label: str, prefix: str = "") -> None:
    """A key that holds a secret value (password, token) is refused: profiles name environment variables."""
    for key, value in data.items():
        if isinstance(value, dict):
            _refuse_secrets(value, label, f"{prefix}{key}.")
        elif any(word in key.lower() for word in SECRET_KEYS) and not key.lower().endswith("_env"):
            raise BoxProfileError(
                f"{label} holds a secret value in {prefix}{key}: a profile is shared, a secret is not. "
                "Put the secret in an environment variable and name it: "
                f'{prefix}{key}_env = "SOPHON_PASSWORD"'
            )


def _check_keys(table: Mapping[str, Any], known: Mapping[str, type], prefix: str, label: str) -> None:
    """Unknown keys and values of the wrong type are refused, naming the key."""
    for key, value in table.items():
        if key not in known:
            raise BoxProfileError(
                f"{label}: unknown key {prefix}{key} (known: {', '.join(prefix + k for k in known)})"
            )
        wanted = known[key]
        fits = (
            isinstance(value, int | float) and not isinstance(value, bool)
            if wanted is float
            else isinstance(value, wanted)
        )
        if wanted is list and fits:
            fits = all(isinstance(item, str) for item in value)
        if not fits:
            raise BoxProfileError(
                f"{label}: {prefix}{key} must be {TYPE_NAMES[wanted]}, not {type(value).__name__} {value!r}"
            )


def _strings(data: Mapping[str, Any], key: str, label: str) -> tuple[str, ...] | None:
    value = data.get(key)
    if value is None:
        return None
    if any(not item.strip() for item in value):
        raise BoxProfileError(f"{label}: {key} holds an empty string")
    return tuple(value)


def _photo_folder(value: str | None, profile_path: Path, label: str) -> Path | None:
    """search_photos, relative to the profile's folder; it must be an existing folder."""
    if value is None:
        return None
    folder = (profile_path.parent / value).resolve()
    if not folder.is_dir():
        raise BoxProfileError(f"{label}: search_photos {value!r} is not a folder ({folder})")
    return folder


def _from_env(environ: Mapping[str, str], name: str, key: str, source: Path | None) -> str:
    value = environ.get(name)
    if value is None:
        where = f" (box profile {source})" if source else ""
        raise BoxProfileError(f"environment variable {name} named by {key}{where} is not set")
    return value
