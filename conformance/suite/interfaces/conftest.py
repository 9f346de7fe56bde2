"""Fixtures every interface family uses: the seeded core scenario (`core_data`), the box's own newest events
(`box_window`) and how v2 reads time filters (`v2_reads_seconds`), defined in `support/query_data.py`."""

from conformance.suite.support.query_data import (
    box_window_fixture,
    core_data_fixture,
    v2_reads_seconds_fixture,
)

__all__ = ["box_window_fixture", "core_data_fixture", "v2_reads_seconds_fixture"]
