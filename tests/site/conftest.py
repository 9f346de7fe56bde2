"""Fixtures of the site-mode tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.site.fault_batches import BatchBox
from tests.site_box import SiteBox


@pytest.fixture
def site_box(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[SiteBox]:
    """The site box of the `BatchBox` the test is parametrized with (indirectly)."""
    batch_box: BatchBox = request.param
    with batch_box.start(tmp_path) as box:
        yield box
