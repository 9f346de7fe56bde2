"""Which catalog requirements (schemas/requirements.yaml) each check serves, per interface it can judge.

Checks that serve one interface carry these ids as registry defaults. Checks shared by v1 and v2
(paging, filter oracle, relations, unit judgement, consistency) cannot know which interface the
data came from, so the caller passes ``requirements=requirements_for("paging.duplicates", "v2")``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

Ids = tuple[str, ...]

#: Every filter requirement of seed 000 / seed 001 (what a filter answer as a whole can break).
V2_FILTER_IDS: Final[Ids] = tuple(f"V2Q-FILT-{n:03d}" for n in range(2, 12))
V1_FILTER_IDS: Final[Ids] = tuple(f"V1Q-FILT-{n:03d}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14))

BY_INTERFACE: Final[Mapping[str, Mapping[str, Ids]]] = {
    "paging.duplicates": {"v2": ("V2Q-PAGE-004",), "v1": ("V1Q-PAGE-006",)},
    "paging.total_count": {"v2": ("V2Q-PAGE-005",), "v1": ("V1Q-PAGE-005",)},
    "paging.coverage": {"v2": ("V2Q-PAGE-004",), "v1": ("V1Q-PAGE-006",)},
    "paging.page_sizes": {"v2": ("V2Q-PAGE-002",), "v1": ("V1Q-PAGE-001",)},
    "paging.num_pages": {"v1": ("V1Q-PAGE-004",)},
    "paging.past_end": {"v2": ("V2Q-PAGE-006",), "v1": ("V1Q-PAGE-007",)},
    "paging.echo": {
        "v2": ("V2Q-PAGE-008", "V2Q-PAGE-009", "V2Q-PAGE-001"),
        "v1": ("V1Q-PAGE-009", "V1Q-PAGE-010"),
    },
    "paging.first_page": {"v2": ("V2Q-PAGE-003",), "v1": ("V1Q-PAGE-002",)},
    "paging.stability": {"v2": ("V2Q-PAGE-007",), "v1": ("V1Q-PAGE-008",)},
    "paging.order": {"v2": ("V2Q-PAGE-007",), "v1": ("V1Q-PAGE-008",)},
    "paging.top_k": {"v1": ("V1Q-PAGE-011",)},
    "filter.result": {
        "v2": V2_FILTER_IDS,
        "v1": V1_FILTER_IDS,
    },
    "meta.narrower_subset": {"v2": ("V2Q-FILT-010",), "v1": ("V1Q-FILT-013",)},
    "meta.conjunction": {"v2": ("V2Q-FILT-010",), "v1": ("V1Q-FILT-013",)},
    "meta.time_split": {"v2": ("V2Q-FILT-002", "V2Q-FILT-003"), "v1": ("V1Q-FILT-001", "V1Q-FILT-002")},
    "meta.name_substring": {"v2": ("V2Q-FILT-004",), "v1": ("V1Q-FILT-003",)},
    "meta.score_monotonic": {"v2": ("V2Q-FILT-006", "V2Q-FILT-007"), "v1": ("V1Q-FILT-005", "V1Q-FILT-006")},
    "meta.device_union": {"v2": ("V2Q-FILT-009",), "v1": ("V1Q-FILT-010",)},
    "unit.judge": {
        "v2-filter": ("V2Q-TIME-001",),
        "v2-event": ("V2EV-TIME-001", "V2EV-TIME-002"),
        "v1-filter": ("V1Q-TIME-001",),
        "v1-event": ("V1EV-TIME-001", "V1EV-TIME-002"),
        "search": ("PS-TIME-001", "PS-TIME-002", "PS-TIME-003"),
    },
    "consistency.same_event": {"upload": ("UP-UPLOAD-006",)},
    "history.soundness": {
        "v2": V2_FILTER_IDS,
        "v1": V1_FILTER_IDS,
    },
    "history.completeness": {
        "v2": V2_FILTER_IDS,
        "v1": V1_FILTER_IDS,
    },
    "history.non_empty": {
        "v2": V2_FILTER_IDS,
        "v1": V1_FILTER_IDS,
    },
    "history.top_k": {"v1": ("V1Q-PAGE-011",)},
    "history.same_window": {"v2": ("V2Q-FILT-001",), "v1": ("V1Q-FILT-001", "V1Q-FILT-002")},
    "search.threshold": {"search": ("PS-SEARCH-012",)},
    "search.order": {"search": ("PS-SEARCH-014", "PS-SEARCH-015")},
    "search.window": {"search": ("PS-SEARCH-009", "PS-SEARCH-005", "PS-SEARCH-006")},
    "search.continuation": {"search": ("PS-SEARCH-011", "PS-SEARCH-019")},
    "search.caps": {"search": ("PS-SEARCH-016", "PS-SEARCH-017")},
    "search.finds_event": {"search": ("PS-SEARCH-018",)},
    "search.threshold_relation": {"search": ("PS-SEARCH-012",)},
    "search.devices": {"search": ("PS-SEARCH-013",)},
    "search.agreement": {"search": ("PS-SEARCH-009", "PS-SEARCH-011")},
    "search.endtimestamp": {"search": ("PS-TIME-002",)},
    "search.out_timestamp": {"search": ("PS-TIME-004",)},
    "ws.routing": {"ws": ("WS-WS-006", "WS-WS-007", "WS-WS-008")},
    "ws.pictures": {"ws": ("WS-WS-004", "WS-WS-005")},
    "ws.before_config": {"ws": ("WS-WS-002",)},
    "ws.timestamps": {"ws": ("WS-TIME-001",)},
    "ws.in_history": {"ws": ("WS-WS-008", "WS-WS-014")},
    "ws.live_routing": {"ws": ("WS-WS-006", "WS-WS-007", "WS-WS-008")},
    "upload.delivery": {"upload": ("UP-UPLOAD-002", "UP-UPLOAD-004")},
    "upload.pictures": {"upload": ("UP-UPLOAD-007", "UP-UPLOAD-008", "UP-UPLOAD-009")},
    "upload.timestamps": {"upload": ("UP-TIME-001", "UP-TIME-002")},
    "upload.out_after_timestamp": {"upload": ("UP-TIME-003",)},
    "upload.in_history": {"upload": ("UP-UPLOAD-006", "UP-SCHEMA-014")},
    "upload.agrees_with_history": {"upload": ("UP-UPLOAD-006",)},
    "upload.outage_delivery": {"upload": ("UP-UPLOAD-002", "UP-UPLOAD-003")},
    "identity.getevents": {"v2": ("V2EV-SCHEMA-002", "V2EV-SCHEMA-004")},
    "identity.stranger_rule": {"v2": ("V2EV-SCHEMA-026",)},
    "identity.common_block": {"v1": ("V1EV-SCHEMA-003",)},
    "identity.search_item": {"search": ("PS-SCHEMA-010", "PS-SCHEMA-012", "PS-SCHEMA-013", "PS-SCHEMA-017")},
    "identity.upload_info": {"upload": ("UP-SCHEMA-003", "UP-SCHEMA-004", "UP-SCHEMA-005")},
    "devices.entries": {"devices": ("DEV-SCHEMA-003",)},
    "devices.listed_id": {
        "v2": ("V2EV-SCHEMA-015",),
        "search": ("PS-SCHEMA-022",),
        "upload": ("UP-SCHEMA-014",),
    },
    "devices.ip_name": {
        "v2": ("V2EV-SCHEMA-015",),
        "search": ("PS-SCHEMA-021",),
        "upload": ("UP-SCHEMA-013",),
    },
    "upload_setting.urls": {"upload-config": ("UPC-CONFIG-003",)},
    "upload_setting.period": {"upload-config": ("UPC-CONFIG-008",)},
    "upload_setting.as_set": {"upload-config": ("UPC-CONFIG-009",)},
}


def requirements_for(check_name: str, interface: str) -> Ids:
    """The requirement ids a check serves for one interface; KeyError names what is known."""
    try:
        return BY_INTERFACE[check_name][interface]
    except KeyError:
        known = {name: sorted(by) for name, by in BY_INTERFACE.items() if name == check_name}
        raise KeyError(
            f"no requirement ids for check {check_name!r} on {interface!r}; known: {known}"
        ) from None


def single_interface_defaults(check_name: str) -> Ids:
    """Registry defaults: the ids of a check that serves exactly one interface, else ()."""
    by = BY_INTERFACE.get(check_name, {})
    return next(iter(by.values())) if len(by) == 1 else ()
