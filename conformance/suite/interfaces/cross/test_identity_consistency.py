"""Stranger or matched person in v2 events, v1 events and picture search items, against the seeded oracle.

The core scenario knows which seeded events are strangers and whom every other one matched, with which
score. v2 events pair with it by event id; v1 events and search items by (ms, device) (`identity_pairs`).
V2EV-SCHEMA-026 needs no oracle and is judged on the box's newest events. E23 (identity_info of a matched
search item) follows the run's profile.
"""

from __future__ import annotations

import pytest

from conformance.checks import identity_checks
from conformance.clients.failures import fail_on, fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.support.identity_pairs import by_unique_key, pair_by_key, require_both_kinds
from conformance.suite.support.query_calls import V1, V2
from conformance.suite.support.query_data import BoxWindow, CoreData
from conformance.suite.support.search_calls import photo_b64, run_chain
from conformance.target.control_client import ControlClient
from conformance.target.target import Target

PAGE = 100
MARGIN_MS = 1_000
SEARCH_PERSON = "id-li"  # a core identity: the query photo only has to be a face


@pytest.mark.req("V2EV-SCHEMA-002", "V2EV-SCHEMA-004")
@pytest.mark.needs_control
def test_v2_identity_follows_the_match(core_data: CoreData, http_client: RecordingHttpClient) -> None:
    """Seeded strangers have identity_id and register_image_id ""; matched events the person's ids."""
    result = V2.fetch_all(http_client, {"media_device_ids": core_data.device_ids}, size=PAGE)
    by_id = {event.id: event for event in core_data.events}
    pairs = [(by_id[str(i.get("event_id"))], i) for i in result.items if str(i.get("event_id")) in by_id]
    require_both_kinds(pairs, "v2 events of the core devices", ["V2EV-SCHEMA-002"], result.exchanges)
    fail_on(identity_checks.v2_event(pairs), "v2 identity fields", exchanges=result.exchanges[:3])


@pytest.mark.req("V2EV-SCHEMA-026")
def test_v2_stranger_exactly_when_no_identity(box_window: BoxWindow, target: Target) -> None:
    """user_type is "stranger" exactly when identity_id is ""; a stranger has no name or registered photo."""
    if box_window.empty:
        pytest.skip("the box holds no events")
    fail_on(identity_checks.v2_stranger_rule(box_window.events), "v2 stranger fields")
    if target.config.control_url is not None:
        strangers = [e for e in box_window.events if e.get("identity_id") == ""]
        fail_unless(bool(strangers), "the newest events hold no stranger to judge", ["V2EV-SCHEMA-026"])


@pytest.mark.req("V1EV-SCHEMA-003")
@pytest.mark.needs_control
def test_v1_identity_follows_the_match(
    core_data: CoreData, http_client: RecordingHttpClient, target: Target
) -> None:
    """Seeded strangers have common.identity_id ""; matched events the person's id."""
    if not target.capabilities.v1_events:
        pytest.skip("the box has no v1 events interface")
    result = V1.fetch_all(http_client, {"streams": core_data.device_ids}, size=PAGE)
    pairs = pair_by_key(by_unique_key(core_data.events), result.items, "common", "ep_info", "device_id")
    require_both_kinds(pairs, "v1 events of the core devices", ["V1EV-SCHEMA-003"], result.exchanges)
    fail_on(identity_checks.v1_event(pairs), "v1 identity fields", exchanges=result.exchanges[:3])


@pytest.mark.req("PS-SCHEMA-010", "PS-SCHEMA-012", "PS-SCHEMA-013", "PS-SCHEMA-017")
@pytest.mark.needs_control
def test_search_items_carry_the_stored_match_and_score(
    core_data: CoreData, control: ControlClient, http_client: RecordingHttpClient, target: Target
) -> None:
    """Threshold 0 over the core events: each item has its event's identity_id, identity_info and score."""
    if not target.capabilities.picture_search:
        pytest.skip("the box has no picture search interface")
    times = [event.ts_ms for event in core_data.events]
    body = {
        "face_image_base64": photo_b64(control.face_jpeg(SEARCH_PERSON, variant=3)),
        "threshold": 0,
        "starttime": (min(times) - MARGIN_MS) / 1000,
        "endtime": (max(times) + MARGIN_MS) / 1000,
    }
    chain = run_chain(http_client, body, ["PS-SCHEMA-010"])
    items = [answer_item for answer in chain.answers for answer_item in answer.get("event_list") or []]
    pairs = pair_by_key(by_unique_key(core_data.events), items, "ep_info", "device_id")
    require_both_kinds(pairs, "search items of the core events", ["PS-SCHEMA-010"], chain.exchanges)
    findings = identity_checks.search_item(pairs, profile=target.profile)
    fail_on(findings, "search item identity and score", exchanges=chain.exchanges)
