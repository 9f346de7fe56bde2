"""Hypothesis profiles `gate` (fast, derandomized, for every build) and `deep` (10x examples, nightly)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

GATE = "gate"
DEEP = "deep"
GATE_EXAMPLES = 25
DEEP_EXAMPLES = 250  # at least 10x the gate
_SUPPRESSED = (HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much)


def register_profiles() -> None:
    """Register both profiles; loading one is Hypothesis's own `--hypothesis-profile` option."""
    settings.register_profile(
        GATE,
        max_examples=GATE_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=_SUPPRESSED,
    )
    settings.register_profile(
        DEEP,
        max_examples=DEEP_EXAMPLES,
        derandomize=False,
        deadline=None,
        print_blob=True,
        suppress_health_check=_SUPPRESSED,
    )
