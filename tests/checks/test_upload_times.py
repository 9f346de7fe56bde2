"""upload.out_after_timestamp: out_timestamp never before timestamp, whatever the unit."""

from __future__ import annotations

from typing import Any

from conformance.checks.upload_times import out_after_timestamp


def test_later_or_equal_out_timestamp_passes() -> None:
    uploads: list[dict[str, Any]] = [
        {"timestamp": 1602612036150, "out_timestamp": 1602612038610},
        {"timestamp": 1602612036150, "out_timestamp": 1602612036150},
        {
            "timestamp": 1602612036150,
            "out_timestamp": 1602612036.2,
        },  # a unit slip: upload.timestamps judges it
    ]
    assert out_after_timestamp(uploads) == []


def test_earlier_out_timestamp_is_named() -> None:
    findings = out_after_timestamp([{"timestamp": 1602612036150, "out_timestamp": 1602612034650}])
    assert len(findings) == 1
    assert findings[0].requirement_ids == ("UP-TIME-003",)
    assert "1500 ms before" in findings[0].message


def test_unreadable_times_are_left_to_the_unit_check() -> None:
    assert out_after_timestamp([{"timestamp": "x", "out_timestamp": 1}, {"timestamp": True}, {}]) == []
