"""xdist groups of a run against one shared box: tests that share box-wide state run on one worker, in turn.

Under `-n N` against a real box (`sophon-conformance run` passes `--dist loadgroup` then) every worker
talks to the same box. Most tests only read it and run anywhere. The upload tests do not: they share the
run's one receiver (held by the controlling process) and the box's one HistoryEventUrl setting — one test
makes the receiver refuse uploads for a while (an outage), others point the setting at other URLs, modes
and picture flags and put it back. A test elsewhere that reads the box's uploads from the receiver (the
cross-interface checks) would see those changes too. They all carry `xdist_group(UPLOAD_GROUP)`: xdist's
`loadgroup` sends them to one worker, which runs them one after another, as a serial run does.

The WebSocket tests share the box's live traffic, but each opens its own sockets and judges only what its
own clients received against the history; none assumes it is the box's only client. They stay ungrouped.

xdist marks a grouped test's node id with `@<group>` so that its controller can group them; once the worker
has reported its collection, the suffix is taken off again, so records, JUnit and Allure name a test the
same with and without workers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

UPLOAD_GROUP = "box-uploads"
UPLOAD_AREA = Path(__file__).resolve().parent / "interfaces" / "upload"
RECEIVER_FIXTURES = frozenset({"receiver", "box_uploads_to_receiver", "uploads_in_turn", "restored_setting"})


def shares_the_uploads(item: pytest.Item) -> bool:
    """The test changes the box's upload setting or the receiver's answers, or reads the box's uploads."""
    path = Path(str(item.path)).resolve()
    if path == UPLOAD_AREA or UPLOAD_AREA in path.parents:
        return True
    return bool(RECEIVER_FIXTURES.intersection(getattr(item, "fixturenames", ())))


class WorkerGroups:
    """Puts the tests that share box-wide state in one xdist group; keeps node ids free of the group."""

    @pytest.hookimpl(tryfirst=True)  # before xdist's worker reads the marks into the node ids
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Mark every test that shares the box's uploads with the upload group."""
        for item in items:
            if shares_the_uploads(item):
                item.add_marker(pytest.mark.xdist_group(UPLOAD_GROUP))

    @pytest.hookimpl(trylast=True)  # after xdist's worker sent the grouped ids to its controller
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Take the `@group` suffix off the node ids again, so reports name tests as a serial run does."""
        if not (hasattr(session.config, "workerinput") and session.config.getvalue("loadgroup")):
            return
        for item in session.items:
            grouped = "@" + UPLOAD_GROUP
            if item.nodeid.endswith(grouped):
                item._nodeid = item.nodeid[: -len(grouped)]
