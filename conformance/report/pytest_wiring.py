"""One call for the suite plugin: record results, label tests for Allure, show progress."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.report.allure_labels import label_requirements
from conformance.report.progress import ProgressReporter
from conformance.report.recorder import ResultRecorder, requirement_ids
from conformance.spec.requirements import Requirement, RequirementCatalog, UnknownRequirement


class RequirementLabeler:
    """Sets epic/feature/story/severity/links from each test's `req` marker as the test starts."""

    def __init__(self, catalog: RequirementCatalog) -> None:
        self.catalog = catalog

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> None:
        """Label the running test (allure-pytest has started it by now)."""
        requirements: list[Requirement] = []
        for requirement_id in requirement_ids(item):
            try:
                requirements.append(self.catalog.get(requirement_id))
            except UnknownRequirement:
                continue  # the marker rule reports unknown ids; labels are best effort
        label_requirements(requirements)


def register(config: pytest.Config, records_path: Path | None, catalog: RequirementCatalog | None) -> None:
    """Register the report plugins in this pytest process (controller, worker or single)."""
    is_worker = hasattr(config, "workerinput")
    manager = config.pluginmanager
    if records_path is not None:
        manager.register(ResultRecorder(records_path, is_worker=is_worker), "sophon-conformance-records")
    if catalog is not None and config.pluginmanager.hasplugin("allure_pytest"):
        manager.register(RequirementLabeler(catalog), "sophon-conformance-allure-labels")
    if not is_worker:
        manager.register(ProgressReporter.for_config(config), "sophon-conformance-progress")
