"""Hypothesis profiles `gate` (every build), `deep` (10x, nightly) and `smoke` (CI's false-alarm sweeps), with
the suite's example budgets."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

GATE = "gate"
DEEP = "deep"
SMOKE = "smoke"
PROFILES = (GATE, DEEP, SMOKE)
GATE_EXAMPLES = 25
DEEP_EXAMPLES = 250  # at least 10x the gate
DEEP_SCALE = DEEP_EXAMPLES // GATE_EXAMPLES  # the deep profile runs this many times each gate budget
# The smoke profile keeps the gate's property tests and gives schemathesis this share of the gate's examples:
# `mutants --quick` uses it for its whole-suite variation runs, which look for false alarms over every test,
# not for faults (fault runs keep the gate's budget; a kill may need many examples).
SMOKE_FUZZ_DIVISOR = 5
# examples per schemathesis operation in the gate profile: a page of seeded events costs ~30 ms to fetch
# and judge, a generated picture search ~100 ms (big base64 strings, face detection)
SCHEMA_FUZZ_EXAMPLES = {
    "v2GetEvents": 350,
    "v1Events": 350,
    "v2GetEvent": 400,
    "v1Devices": 300,
    "v2GetSpotImage": 300,
    "getHistoryEventUrl": 5,
    "v1PictureSearch": 30,
    "v2Login": 60,
}
PAGING_SEEDED_EXAMPLES = 8  # each example of the seeded paging test pages through the whole store
# examples of the malformed WebSocket configurations: each sends one frame of every kind (6) on as many
# sockets at once, judged from one wait for a live push (25 single-frame examples waited 25 times)
WS_MALFORMED_EXAMPLES = 5
QUERY_MODEL_STEPS = 12  # steps per example of the query state machine (injections, clock steps, queries)
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
    settings.register_profile(SMOKE, settings.get_profile(GATE))
    settings.register_profile(
        DEEP,
        max_examples=DEEP_EXAMPLES,
        derandomize=False,
        deadline=None,
        print_blob=True,
        suppress_health_check=_SUPPRESSED,
    )


def schema_fuzz_examples(operation_id: str) -> int:
    """The examples schemathesis generates for an operation under the loaded profile (deep 10x, smoke 1/5)."""
    profile = settings.get_current_profile_name()
    if profile == SMOKE:
        return max(1, SCHEMA_FUZZ_EXAMPLES[operation_id] // SMOKE_FUZZ_DIVISOR)
    return SCHEMA_FUZZ_EXAMPLES[operation_id] * (DEEP_SCALE if profile == DEEP else 1)


def ws_malformed_examples() -> int:
    """The examples of the malformed WebSocket configurations under the loaded profile (deep: 10x)."""
    return WS_MALFORMED_EXAMPLES * (DEEP_SCALE if settings.get_current_profile_name() == DEEP else 1)


def mean_schema_fuzz_examples() -> int:
    """The gate's mean examples per fuzzed operation (what a generic tool alone gets, to compare fairly)."""
    return max(1, round(sum(SCHEMA_FUZZ_EXAMPLES.values()) / len(SCHEMA_FUZZ_EXAMPLES)))
