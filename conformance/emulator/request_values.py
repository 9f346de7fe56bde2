"""Read typed request values with JSON Schema number semantics (24.0 is an integer, true is not)."""

from __future__ import annotations

import json
import math
from typing import Any

INT64_MAX = 2**63 - 1


class BadValueError(ValueError):
    """A value of the wrong type or range; the message says what was expected."""


def json_int(value: Any) -> int:
    """A JSON integer: int, or a float with no fractional part; bools are not integers."""
    if isinstance(value, bool):
        raise BadValueError("expected an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    raise BadValueError(f"expected an integer, got {json.dumps(value)[:40]}")


def json_number(value: Any) -> float:
    """A finite JSON number; bools are not numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadValueError(f"expected a number, got {json.dumps(value)[:40]}")
    number = float(value)
    if not math.isfinite(number):
        raise BadValueError("expected a finite number")
    return number


def json_string(value: Any) -> str:
    """A JSON string."""
    if not isinstance(value, str):
        raise BadValueError(f"expected a string, got {json.dumps(value)[:40]}")
    return value


def json_string_list(value: Any) -> list[str]:
    """A JSON array of strings."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadValueError("expected a list of strings")
    return list(value)


def text_number(text: str) -> float:
    """A number written in a query string or form field ("82", "82.5", "1.6e9")."""
    try:
        return json_number(json.loads(text.strip()))
    except (json.JSONDecodeError, BadValueError):
        raise BadValueError(f"expected a number, got {text[:40]!r}") from None


def text_int(text: str) -> int:
    """An integer written in a query string or form field ("24" and "24.0" are both 24)."""
    try:
        return json_int(json.loads(text.strip()))
    except (json.JSONDecodeError, BadValueError):
        raise BadValueError(f"expected an integer, got {text[:40]!r}") from None


def text_bool(text: str) -> bool:
    """A boolean written in a query string or form field (true/false/1/0, any case)."""
    lowered = text.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise BadValueError(f"expected true or false, got {text[:40]!r}")


def text_list(values: list[str]) -> list[str]:
    """A list sent in a query string or form (E05): repeated key, comma list, or JSON array text."""
    if len(values) > 1:
        return [v for v in values if v != ""]
    if not values:
        return []
    text = values[0].strip()
    if text.startswith("["):
        try:
            return json_string_list(json.loads(text))
        except (json.JSONDecodeError, BadValueError):
            raise BadValueError("expected a JSON array of strings") from None
    return [part.strip() for part in text.split(",") if part.strip()]


def clamp_int64(value: float) -> int:
    """An integer bound SQLite can hold; out-of-range bounds mean "everything" or "nothing" anyway."""
    if math.isinf(value):  # a huge bound in seconds overflows to inf once scaled to ms
        return INT64_MAX if value > 0 else -INT64_MAX
    return int(max(-INT64_MAX, min(INT64_MAX, math.floor(value))))


ValueProblem = BadValueError  # the name picture search (engineer D) imports
