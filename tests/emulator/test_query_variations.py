"""The query-side variations reach the HTTP answers: tie order in both interfaces, E21/E23/E24/E33 shapes."""

from __future__ import annotations

from typing import Any

from tests.emulator.conftest import Box

TIED = ["e05", "e04"]  # same ms; default tie break is event_id descending


def _switch(box: Box, name: str) -> None:
    box.ok("POST", "faults", {"enable": [name]})


def test_ties_reversed_flips_only_the_tie_in_both_interfaces(seeded: Box) -> None:
    v2_default = seeded.ids_v2({"page_limit": 10})
    v1_default = seeded.ids_v1({"per_page": 10})
    assert v2_default == v1_default and v2_default[2:4] == TIED
    _switch(seeded, "var-ties-reversed")
    flipped = [*v2_default[:2], *reversed(TIED), *v2_default[4:]]
    assert seeded.ids_v2({"page_limit": 10}) == flipped
    assert seeded.ids_v1({"per_page": 10}) == flipped
    paged = [i for page in range(4) for i in seeded.ids_v2({"page_limit": 2, "page_index": page})]
    assert paged == flipped
    paged_v1 = [i for page in range(4) for i in seeded.ids_v1({"per_page": 2, "page": page})]
    assert paged_v1 == flipped


def _v1_event(box: Box, event_id: str) -> dict[str, Any]:
    data = box.v1({"per_page": 10}).json()["data"]
    return next(e for e in data if e["_id"] == event_id)


def test_errata_variations_render_their_lenient_reading(seeded: Box) -> None:
    _switch(seeded, "var-e21-feature-list")
    _switch(seeded, "var-e23-bare-identity-info")
    _switch(seeded, "var-e24-is-send-integer")
    _switch(seeded, "var-e33-v2-card")
    common = _v1_event(seeded, "e05")["common"]
    attrs = common["recognize_face_attr"]
    assert "feature_binary" not in attrs and len(attrs["feature"]) == 512
    assert common["identity_id"] == "p-alice" and common["identity_info"] == {}
    assert common["is_send"] in (0, 1) and not isinstance(common["is_send"], bool)
    card = seeded.v2("getevent", {"event_id": "e05"}).json()
    assert card["media_device_info"]["media_device_type"] == "card"
    photo = seeded.v2("getevent", {"event_id": "e04"}).json()
    assert photo["media_device_info"]["media_device_type"] == "photo"
