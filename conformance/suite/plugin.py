"""pytest plugin of sophon-conformance (entry point `pytest11`): options, markers, profiles, fixtures.

Loaded into every pytest process; it stays inert unless `--conformance` or `--box-url` is given, when
it registers the stateful ConformanceSession (preflight, requirement-marker rule, exchange counts).
"""

from __future__ import annotations

import pytest

from conformance.suite import fixtures, hookspecs
from conformance.suite.fixtures import SESSION_KEY
from conformance.suite.hypothesis_profiles import GATE, register_profiles
from conformance.suite.markers import register_markers
from conformance.suite.options import add_options, read_options
from conformance.suite.session import ConformanceSession

register_profiles()  # before Hypothesis's own plugin loads `--hypothesis-profile gate|deep`


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """The hooks that bring the embedded box and the upload receiver (implemented by the CLI layer)."""
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    """All options in one group."""
    add_options(parser)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Declare markers; for a conformance run, register the session and load the gate profile by default."""
    register_markers(config)
    options = read_options(config)
    if not options.active:
        return
    if not config.getoption("hypothesis_profile", None):
        from hypothesis import settings

        settings.load_profile(GATE)
    session = ConformanceSession(config, options)
    config.stash[SESSION_KEY] = session
    config.pluginmanager.register(session, "sophon-conformance-session")
    config.pluginmanager.register(fixtures, "sophon-conformance-fixtures")
    _register_reporting(config)


def _register_reporting(config: pytest.Config) -> None:
    """Per-test records, Allure labels from the requirement catalog, and the progress line."""
    from pathlib import Path

    from conformance.report.pytest_wiring import register
    from conformance.spec.requirements import load_requirements

    records = config.getoption("conformance_records", None)
    register(config, Path(records) if records else None, load_requirements())
