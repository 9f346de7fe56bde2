"""The one failure type of the harness and its one formatter, shared by pytest output, the CLI and Allure."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

from conformance.clients.exchange import Exchange
from conformance.clients.exchange_render import exchange_heading, render_exchange
from conformance.clients.redact import redact_text


class FailureCategory(enum.Enum):
    """What kind of deviation a failure reports; `transport` and `harness` are not payload findings."""

    SCHEMA = "schema"
    SEMANTIC = "semantic"
    UNIT = "unit"
    TRANSPORT = "transport"
    HARNESS = "harness"


class ConformanceFailure(AssertionError):  # noqa: N818 - the name the whole project uses
    """A box (or harness) deviation with everything needed to reproduce it."""

    def __init__(
        self,
        title: str,
        message: str = "",
        *,
        category: FailureCategory = FailureCategory.SEMANTIC,
        requirement_ids: Iterable[str] = (),
        exchanges: Sequence[Exchange] = (),
        hypothesis_seed: int | None = None,
    ) -> None:
        super().__init__(title)
        self.title = title
        self.message = message
        self.category = category
        self.requirement_ids: tuple[str, ...] = tuple(requirement_ids)
        self.exchanges: tuple[Exchange, ...] = tuple(exchanges)
        self.hypothesis_seed = hypothesis_seed

    def with_seed(self, seed: int | None) -> ConformanceFailure:
        """Record the Hypothesis seed (the plugin knows it, the check that raised does not)."""
        self.hypothesis_seed = seed
        return self

    def with_exchanges(self, exchanges: Iterable[Exchange]) -> ConformanceFailure:
        """Attach more exchanges, for callers that learn about them after raising."""
        self.exchanges = self.exchanges + tuple(exchanges)
        return self

    def __str__(self) -> str:
        return format_failure(self)

    def __repr__(self) -> str:
        return f"ConformanceFailure({self.title!r}, category={self.category.value!r})"


def format_failure(failure: ConformanceFailure) -> str:
    """THE rendering of a failure: title, requirements, message, each exchange, and the Hypothesis seed."""
    lines = [f"[{failure.category.value}] {failure.title}"]
    if failure.requirement_ids:
        lines.append(f"Requirements: {', '.join(failure.requirement_ids)}")
    if failure.message:
        lines += ["", *redact_text(failure.message).splitlines()]
    for number, exchange in enumerate(failure.exchanges, start=1):
        lines += ["", f"--- Exchange {number}: {exchange_heading(exchange)}", *render_exchange(exchange)]
    if failure.hypothesis_seed is not None:
        lines += ["", f"Hypothesis seed: rerun with --hypothesis-seed={failure.hypothesis_seed}"]
    return "\n".join(lines)
