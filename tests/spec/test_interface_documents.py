"""Every catalog interface is located in the API documents; schema nodes carrying ids are found as written."""

from __future__ import annotations

import pytest

from conformance.paths import PROJECT_ROOT
from conformance.spec.interface_documents import LOCATORS, interface_documents
from conformance.spec.requirements import INTERFACES, load_requirements
from conformance.spec.schema_requirements import all_linked_ids, schema_nodes_carrying


def test_every_catalog_interface_has_a_locator() -> None:
    assert sorted(LOCATORS) == sorted(INTERFACES)


@pytest.mark.parametrize("interface", INTERFACES)
def test_interface_resolves_to_existing_schema_files(interface: str) -> None:
    documents = interface_documents()[interface]
    assert documents.nodes or documents.box_paths, interface
    for file in documents.schema_files():
        assert (PROJECT_ROOT / file).is_file(), file
    if interface != "spot-image":  # a JPEG answer: no JSON schema
        assert documents.schemas, interface


def test_operations_read_their_schemas_from_refs() -> None:
    documents = interface_documents()
    assert documents["v2-getevents"].schemas == ("v2-getevents-request", "v2-getevents-response", "v2-event")
    assert documents["websocket"].schemas == ("ws-config", "ws-event")
    assert documents["errors"].schemas == ("v2-error", "v1-error")
    assert "v2-error" not in documents["v2-getevents"].schemas  # shared error responses belong to `errors`
    assert documents["upload"].nodes == ("schemas/openapi/box.yaml webhook HistoryEvent (POST)",)


def test_schema_nodes_are_found_as_written_including_placements() -> None:
    direct = [node.describe() for node in schema_nodes_carrying("V2EV-SCHEMA-024")]
    assert "schemas/json/v2-event.json#/properties/ext_data/properties/video_shape" in direct
    placed = [node.describe() for node in schema_nodes_carrying("UP-SCHEMA-012")]
    assert placed == [
        "schemas/json/upload-payload.json#/properties/ep_info (x-requirements-at /properties/ep_type)"
    ]
    assert schema_nodes_carrying("V2Q-PAGE-001") == ()


def test_every_linked_id_has_a_node_and_every_node_is_linked() -> None:
    """The node finder reads the same annotations the loader places (no id found by one and not the other)."""
    linked = set(all_linked_ids())
    with_nodes = {r.id for r in load_requirements() if schema_nodes_carrying(r.id)}
    assert with_nodes == linked
