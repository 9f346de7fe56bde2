"""The one failure type of the harness, the one bridge from findings to it, and its rendering.

Every failure a conformance test raises is a `ConformanceFailure` holding structured findings: the
requirement ids a failure names are the ids its findings name, its category follows the one precedence
rule of `conformance.checks.findings`, and how much of it is shown is the renderer's budget (terminal for
`str()`, pytest and the CLI; Allure for the attachment), never a cut made when it is raised.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import NoReturn

from conformance.checks.findings import Finding, FindingCategory, named_requirement_ids, strongest_category
from conformance.clients.exchange import Exchange, HttpExchange
from conformance.clients.exchange_render import TERMINAL, RenderBudget, exchange_heading, render_exchange
from conformance.clients.redact import redact_json, redact_text


class ConformanceFailure(AssertionError):  # noqa: N818 - the name the whole project uses
    """A box (or harness) deviation: its findings and the exchanges that show them, ready to reproduce."""

    def __init__(
        self,
        title: str,
        findings: Sequence[Finding],
        *,
        context: str = "",
        exchanges: Iterable[Exchange] = (),
        hypothesis_seed: int | None = None,
    ) -> None:
        if not findings:
            raise ValueError("a ConformanceFailure needs at least one finding")
        super().__init__(title)
        self.title = title
        self.findings: tuple[Finding, ...] = tuple(findings)
        self.context = context
        self.exchanges: tuple[Exchange, ...] = tuple(exchanges)
        self.hypothesis_seed = hypothesis_seed

    @classmethod
    def of(
        cls,
        title: str,
        requirement_ids: Iterable[str] = (),
        *,
        detail: str = "",
        category: FindingCategory = FindingCategory.SEMANTIC,
        exchanges: Iterable[Exchange] = (),
    ) -> ConformanceFailure:
        """A failure of one finding made outside a registered check (its title is the finding's message)."""
        if isinstance(requirement_ids, str):  # one id, not a list of them: would become letters
            raise TypeError(f"requirement_ids of {title!r} must be a sequence of ids, not one string")
        finding = Finding("", title, tuple(requirement_ids), category, detail=detail)
        return cls(title, [finding], exchanges=exchanges)

    @property
    def category(self) -> FindingCategory:
        """The category of the findings under the one precedence rule."""
        return strongest_category(self.findings)

    @property
    def requirement_ids(self) -> tuple[str, ...]:
        """Every requirement id the findings name (and only those)."""
        return named_requirement_ids(self.findings)

    def recast(self, category: FindingCategory, title: str) -> ConformanceFailure:
        """The same failure with every finding in `category`, e.g. a receiver outage as a harness error."""
        findings = [replace(found, category=category) for found in self.findings]
        return ConformanceFailure(
            title,
            findings,
            context=self.context,
            exchanges=self.exchanges,
            hypothesis_seed=self.hypothesis_seed,
        )

    def with_seed(self, seed: int | None) -> ConformanceFailure:
        """Record the Hypothesis seed (the plugin knows it, the check that raised does not)."""
        self.hypothesis_seed = seed
        return self

    def with_exchanges(self, exchanges: Iterable[Exchange]) -> ConformanceFailure:
        """Attach more exchanges, for callers that learn about them after raising."""
        self.exchanges = self.exchanges + tuple(exchanges)
        return self

    def render(self, budget: RenderBudget = TERMINAL) -> str:
        """The failure as text within `budget`."""
        return render_failure(self, budget)

    def __str__(self) -> str:
        return render_failure(self, TERMINAL)

    def __repr__(self) -> str:
        return f"ConformanceFailure({self.title!r}, category={self.category.value!r})"


def fail_on(
    findings: Sequence[Finding],
    title: str,
    *,
    exchanges: Iterable[Exchange] = (),
    context: str = "",
) -> None:
    """THE bridge: raise one ConformanceFailure carrying every finding; do nothing when there are none."""
    __tracebackhide__ = True  # pytest shows the test's line, not the bridge's
    if findings:
        raise ConformanceFailure(
            f"{title}: {findings[0].message}" if title else findings[0].message,
            findings,
            context=context,
            exchanges=exchanges,
        )


def fail(
    title: str,
    requirement_ids: Iterable[str],
    exchanges: Iterable[Exchange] = (),
    *,
    detail: str = "",
    category: FindingCategory = FindingCategory.SEMANTIC,
) -> NoReturn:
    """Raise a failure of one deviation found without a registered check; it names `requirement_ids`.

    When one of the exchanges got no answer at all, the failure is a transport failure whatever the caller
    expected to judge: a box that said nothing has not shown a wrong status, envelope or value.
    """
    __tracebackhide__ = True
    exchanges = tuple(exchanges)
    unanswered = [ex for ex in exchanges if isinstance(ex, HttpExchange) and ex.response is None]
    if unanswered and category.judges_box:
        category = FindingCategory.TRANSPORT
        detail = "\n".join(part for part in (f"no answer: {unanswered[0].error}", detail) if part)
    raise ConformanceFailure.of(title, requirement_ids, detail=detail, category=category, exchanges=exchanges)


def fail_unless(
    condition: bool,
    title: str,
    requirement_ids: Iterable[str],
    exchanges: Iterable[Exchange] = (),
    *,
    detail: str = "",
    category: FindingCategory = FindingCategory.SEMANTIC,
) -> None:
    """`fail(...)` when the condition does not hold."""
    __tracebackhide__ = True
    if not condition:
        fail(title, requirement_ids, exchanges, detail=detail, category=category)


def _clipped(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…<{len(text)} characters>"


def _finding_lines(finding: Finding, budget: RenderBudget, *, listed: bool) -> list[str]:
    """A finding as a list item (check, message, ids) or, when it is the failure's title, its body only."""
    lines: list[str] = []
    if listed:
        check = f"[{finding.check}] " if finding.check else ""
        ids = f" ({', '.join(finding.requirement_ids)})" if finding.requirement_ids else ""
        lines.append(f"- {check}{finding.message}{ids}")
    prefix = "  " if listed else ""
    if finding.detail:
        lines += [f"{prefix}{line}" for line in redact_text(finding.detail).splitlines()]
    if finding.evidence:
        evidence = json.dumps(redact_json(dict(finding.evidence)), ensure_ascii=False, sort_keys=True)
        lines.append(f"{prefix}evidence: {_clipped(evidence, budget.evidence_chars)}")
    return lines


def render_failure(failure: ConformanceFailure, budget: RenderBudget = TERMINAL) -> str:
    """THE rendering of a failure: category, title, requirement ids, findings, exchanges, seed."""
    lines = [f"[{failure.category.value}] {failure.title}"]
    if failure.requirement_ids:
        lines.append(f"Requirements: {', '.join(failure.requirement_ids)}")
    if failure.context:
        lines += ["", *redact_text(failure.context).splitlines()]
    findings = failure.findings
    if len(findings) == 1 and findings[0].message == failure.title:
        body = _finding_lines(findings[0], budget, listed=False)
        lines += ["", *body] if body else []
    else:
        lines.append("")
        for finding in findings[: budget.findings]:
            lines += _finding_lines(finding, budget, listed=True)
        if len(findings) > budget.findings:
            lines.append(f"- … and {len(findings) - budget.findings} more finding(s)")
    shown = failure.exchanges[: budget.exchanges]
    for number, exchange in enumerate(shown, start=1):
        lines += ["", f"--- Exchange {number}: {exchange_heading(exchange)}"]
        lines += render_exchange(exchange, budget)
    if len(failure.exchanges) > len(shown):
        hidden = len(failure.exchanges) - len(shown)
        lines += ["", f"--- … {hidden} more exchange(s) not shown here (the Allure result has more)"]
    if failure.hypothesis_seed is not None:
        lines += ["", f"Hypothesis seed: rerun with --hypothesis-seed={failure.hypothesis_seed}"]
    return "\n".join(lines)
