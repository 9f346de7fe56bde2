"""Read JSON and YAML spec files so that a malformed file names itself and the line, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

#: libyaml's parser when PyYAML was built with it (several times faster), the pure-Python one otherwise.
SAFE_LOADER = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class SpecFileError(Exception):
    """A spec, scenario or config file that cannot be read; the message names the file and the line."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {message}")


def _yaml_line(exc: yaml.YAMLError) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return None if mark is None else int(mark.line) + 1


def parse_text(text: str, path: Path | str) -> Any:
    """Parse JSON or YAML text (chosen by the file's suffix) with errors that point at the line."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecFileError(path, f"invalid JSON: {exc.msg}", exc.lineno) from None
    try:
        return yaml.load(text, Loader=SAFE_LOADER)  # safe: SafeConstructor either way
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SpecFileError(path, f"invalid YAML: {problem}", _yaml_line(exc)) from None
    except ValueError as exc:  # e.g. an impossible date such as 2026-13-45, raised by PyYAML's resolver
        raise SpecFileError(path, f"invalid YAML value: {exc}") from None


def load_file(path: Path | str) -> Any:
    """Load one JSON or YAML file; unreadable or malformed files raise SpecFileError."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecFileError(p, "file not found") from None
    except UnicodeDecodeError as exc:
        raise SpecFileError(p, f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise SpecFileError(p, f"cannot read: {exc.strerror}") from None
    return parse_text(text, p)


def load_mapping(path: Path | str) -> dict[str, Any]:
    """Load a file whose top level must be a mapping."""
    data = load_file(path)
    if not isinstance(data, dict):
        raise SpecFileError(path, f"expected a mapping at the top level, found {type(data).__name__}", 1)
    return data
