"""Hand-made summaries for the gate tests: a few requirements with chosen levels and verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def summary(**verdicts: tuple[str, str]) -> dict[str, Any]:
    """`summary(V2Q_PAGE_001=("MUST", "pass"))`: underscores in the keyword become dashes in the id."""
    return {
        "format": "sophon-conformance-summary/1",
        "requirements": [
            {"id": key.replace("_", "-"), "level": level, "verdict": verdict, "tests": []}
            for key, (level, verdict) in verdicts.items()
        ],
    }


def write(path: Path, data: dict[str, Any]) -> Path:
    """Write a summary file and return its path."""
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
