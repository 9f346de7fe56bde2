"""device_refs: device entries, listed ids and IP/name agreement, each naming its requirement."""

from __future__ import annotations

from conformance.checks import device_refs
from conformance.checks.device_refs import DeviceRef, device_table
from conformance.checks.requirement_ids import requirements_for

GATE = {"device_id": "dev-gate", "device_ip": "10.0.3.1", "device_name": "Gate", "device_type": "photo"}
CAM = {"device_id": "dev-cam", "device_ip": "10.0.3.2", "device_name": "Cam", "device_type": "rtsp"}
TABLE = device_table([GATE, CAM, {"device_ip": "no id"}])


def test_device_table_keys_listed_ids() -> None:
    assert set(TABLE) == {"dev-gate", "dev-cam"}


def test_entries_need_string_ip_name_and_type() -> None:
    assert device_refs.entries([GATE, CAM]) == []
    found = device_refs.entries([{**GATE, "device_type": None}, {"device_id": "x", "device_ip": "1.2.3.4"}])
    assert len(found) == 2 and all(f.requirement_ids == ("DEV-SCHEMA-003",) for f in found)
    assert "device_name, device_type" in found[1].message


def test_listed_id_reports_unknown_and_other_than_producer() -> None:
    refs = [
        DeviceRef("ok", "dev-gate", "10.0.3.1", "Gate", producer="dev-gate"),
        DeviceRef("ip as id", "10.0.3.1", "10.0.3.1", "Gate"),
        DeviceRef("other listed", "dev-cam", "10.0.3.2", "Cam", producer="dev-gate"),
        DeviceRef("number", 5, "", ""),
    ]
    found = device_refs.listed_id(refs, TABLE, requirements=requirements_for("devices.listed_id", "upload"))
    assert [f.evidence["where"] for f in found] == ["ip as id", "other listed", "number"]
    assert all(f.requirement_ids == ("UP-SCHEMA-014",) for f in found)


def test_ip_name_compares_with_the_producer_else_the_named_device() -> None:
    refs = [
        DeviceRef("ok", "dev-cam", "10.0.3.2", "Cam"),
        DeviceRef("empty name", "dev-gate", "10.0.3.1", "", producer="dev-gate"),
        DeviceRef("wrong id, right device", "10.0.3.1", "10.0.3.1", "Gate", producer="dev-gate"),
        DeviceRef("unknown", "nope", "1.1.1.1", "x"),
    ]
    found = device_refs.ip_name(refs, TABLE, requirements=requirements_for("devices.ip_name", "search"))
    assert [(f.evidence["where"], f.evidence["field"]) for f in found] == [("empty name", "name")]
    assert found[0].requirement_ids == ("PS-SCHEMA-021",)
