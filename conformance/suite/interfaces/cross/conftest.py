"""Fixtures of the cross-interface tests: `live`, a cast of live devices whose events are also uploaded."""

from conformance.suite.support.live_cast import live_uploading_fixture

__all__ = ["live_uploading_fixture"]
