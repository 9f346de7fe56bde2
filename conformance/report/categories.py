"""Allure failure categories, so a harness error is never shown as a box defect.

The rules match the `[category]` prefix that `render_failure` puts first in every ConformanceFailure's
message; allure-pytest marks non-assertion exceptions `broken`, which are harness errors unless they
name a transport failure, and a failure without a prefix carries no finding: a harness error too.
A skip whose message says `not exercised: ` is its own category. The same list goes to
`allure-results/categories.json` (Allure 2 readers) and to the `categories` key of the generated
allurerc (Allure 3).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CATEGORIES_FILE = "categories.json"

# Order matters: Allure puts a result into the first category that matches.
CATEGORIES: tuple[dict[str, Any], ...] = (
    {
        "name": "Schema deviation",
        "description": "A message does not have the shape, types or vocabulary the documents state.",
        "matchedStatuses": ["failed"],
        "messageRegex": r"\[schema\]",
    },
    {
        "name": "Unit deviation",
        "description": "A time value is in another unit than the documents (or the profile) state.",
        "matchedStatuses": ["failed"],
        "messageRegex": r"\[unit\]",
    },
    {
        "name": "Transport failure",
        "description": "The box refused, reset or timed out a connection, or answered with no valid HTTP/WS.",
        "matchedStatuses": ["failed", "broken"],
        "messageRegex": r"\[transport\]|ConnectionError|Timeout|ConnectionRefused|ConnectionReset|WebSocket",
    },
    {
        "name": "Harness error",
        "description": "The harness itself failed; this says nothing about the box. Fix it and rerun.",
        "matchedStatuses": ["failed", "broken"],
        "messageRegex": r"\[harness\]",
    },
    {
        "name": "Harness error",
        "matchedStatuses": ["broken"],
    },
    {
        "name": "Semantic deviation",
        "description": "The box answers in the right shape but with the wrong content or behaviour.",
        "matchedStatuses": ["failed"],
        "messageRegex": r"[\s\S]*\[semantic\][\s\S]*",
    },
    {
        "name": "Not exercised",
        "description": "The test found nothing to judge on this box (no data, no live recognition); "
        "never a pass, never a failure. The message says what was missing.",
        "matchedStatuses": ["skipped"],
        "messageRegex": r"[\s\S]*not exercised: [\s\S]*",
    },
    {
        "name": "Harness error",
        "description": "A failure without a finding (a bare assert, a check of no requirement): it names "
        "no requirement and says nothing about the box.",
        "matchedStatuses": ["failed"],
    },
)


def categories() -> list[dict[str, Any]]:
    """A fresh copy of the category rules."""
    return [dict(rule) for rule in CATEGORIES]


def write_categories(results_dir: Path) -> Path:
    """Write categories.json into an allure-results folder."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / CATEGORIES_FILE
    path.write_text(json.dumps(categories(), indent=2) + "\n", encoding="utf-8")
    return path
