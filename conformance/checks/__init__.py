"""Checks: pure functions over data that return findings (paging, filter oracles, relations, units, delivery).

Every check is a plain function registered by name (`check_registry.CHECKS`); it takes data the caller
collected from a box (pages, id sets, payloads, probe outcomes) plus ``requirements=`` (requirement
ids to stamp on its findings) and returns ``list[Finding]`` — empty when the data conforms or the
check does not apply. Nothing here does I/O: the suite performs the queries, these functions judge.

Modules (each docstring documents its inputs; ``docs/checks.md`` lists every check):

* `findings`, `check_registry` — the Finding type; ``@check`` / ``@requires``.
* `fetched_pages`, `paging` — the pages of one query as data; the paging invariants checked over them.
* `scenario`, `filter_oracle` — expected ids of a filtered query; ``filter.result``.
* `metamorphic` — relations between queries that hold on any box's own data.
* `history_events`, `history_filters` — the history oracle: filters judged by the box's own past events.
* `unit_inference` — units of timestamps and of time filters (probe plan, inference, judgement).
* `search_checks`, `websocket_checks`, `upload_checks`, `consistency` — seed 002, 004, 003 and the
  cross-interface view of one event.
* `identity_checks`, `upload_times` — stranger vs matched person per interface; the upload's time order.
* `device_refs`, `upload_setting` — device identity against the device list; the HistoryEventUrl answer.

Importing this package registers every check.
"""

from conformance.checks import (
    consistency,
    device_refs,
    filter_oracle,
    history_filters,
    identity_checks,
    metamorphic,
    paging,
    search_checks,
    unit_inference,
    upload_checks,
    upload_setting,
    upload_times,
    websocket_checks,
)
from conformance.checks.check_registry import CHECKS
from conformance.checks.findings import Finding

__all__ = [
    "CHECKS",
    "Finding",
    "consistency",
    "device_refs",
    "filter_oracle",
    "history_filters",
    "identity_checks",
    "metamorphic",
    "paging",
    "search_checks",
    "unit_inference",
    "upload_checks",
    "upload_setting",
    "upload_times",
    "websocket_checks",
]
