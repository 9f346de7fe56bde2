"""Call the two query interfaces (v2 getevents, v1 events) one page at a time or page through everything.

Both interfaces are driven through one `QueryApi` description, so paging and filter tests are written
once: `api.fetch(client, filters, page=…, size=…)` returns a `PageAnswer` (the request, the recorded
response, the page as `checks.fetched_pages.FetchedPage`, the items); `fetch_all` pages through a whole
result set and returns a `PagedResult`. A transport error, a non-200 status or an answer without the
documented list and pagination object raises a ConformanceFailure naming the caller's requirements.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.checks.fetched_pages import FetchedPage, last_page_index
from conformance.checks.findings import FindingCategory
from conformance.clients.exchange import Exchange
from conformance.clients.failures import ConformanceFailure
from conformance.clients.http_client import RecordedResponse, RecordingHttpClient
from conformance.target.target import V1_EVENTS_PATH, V2_EVENTS_PATH

MAX_PAGES = 400  # paging stops here: a box whose pages never end must not hang the run
V1_LIST_KEYS = ("streams", "groups")


class ListForm(enum.Enum):
    """How a v1 list parameter travels in the query string (E05: the document does not say)."""

    REPEATED = "repeated"  # streams=a&streams=b
    COMMA = "comma"  # streams=a,b
    JSON = "json"  # streams=["a","b"]


@dataclass(frozen=True)
class QueryApi:
    """What differs between v2 getevents (seed 000) and v1 events (seed 001)."""

    name: str  # "v2" or "v1"
    path: str
    page_key: str
    size_key: str
    items_key: str
    id_key: str
    schema_requirements: tuple[str, ...]

    @property
    def is_v2(self) -> bool:
        """True for the JSON-body interface of seed 000."""
        return self.name == "v2"

    def request_of(
        self,
        filters: Mapping[str, Any],
        page: int | None,
        size: int | None,
        list_form: ListForm = ListForm.REPEATED,
    ) -> tuple[dict[str, Any], Any]:
        """(the paging view for FetchedPage, what goes on the wire: JSON body or query pairs)."""
        paging: dict[str, Any] = {}
        if page is not None:
            paging[self.page_key] = page
        if size is not None:
            paging[self.size_key] = size
        if self.is_v2:
            body = dict(paging)
            if filters:
                body["filters"] = dict(filters)
            return paging, body
        if "top_k" in filters:
            paging["top_k"] = filters["top_k"]
        pairs = [(key, str(value)) for key, value in paging.items() if key != "top_k"]
        pairs += encode_v1_filters(filters, list_form)
        return paging, pairs

    def send(
        self,
        client: RecordingHttpClient,
        filters: Mapping[str, Any] | None = None,
        *,
        page: int | None = None,
        size: int | None = None,
        list_form: ListForm = ListForm.REPEATED,
    ) -> tuple[dict[str, Any], Any, RecordedResponse]:
        """Send one query without judging the answer: (paging keys, wire form, response)."""
        paging, wire = self.request_of(filters or {}, page, size, list_form)
        response = client.post_json(self.path, wire) if self.is_v2 else client.get(self.path, wire)
        return paging, wire, response

    def fetch(
        self,
        client: RecordingHttpClient,
        filters: Mapping[str, Any] | None = None,
        *,
        page: int | None = None,
        size: int | None = None,
        list_form: ListForm = ListForm.REPEATED,
        requirements: Sequence[str] = (),
    ) -> PageAnswer:
        """One page; raises ConformanceFailure unless the box answers 200 with the documented envelope."""
        paging, wire, response = self.send(client, filters, page=page, size=size, list_form=list_form)
        body = expect_page_body(self, response, [*requirements, *self.schema_requirements])
        return self.answer_of(paging, wire, response, body)

    def answer_of(
        self, paging: Mapping[str, Any], wire: Any, response: RecordedResponse, body: Mapping[str, Any]
    ) -> PageAnswer:
        """A checked answer as a PageAnswer."""
        fetched = FetchedPage.from_v2(paging, body) if self.is_v2 else FetchedPage.from_v1(paging, body)
        items = tuple(item for item in body[self.items_key] if isinstance(item, Mapping))
        return PageAnswer(request=paging, wire=wire, response=response, page=fetched, items=items)

    def fetch_all(
        self,
        client: RecordingHttpClient,
        filters: Mapping[str, Any] | None = None,
        *,
        size: int,
        list_form: ListForm = ListForm.REPEATED,
        past_end: bool = False,
        requirements: Sequence[str] = (),
    ) -> PagedResult:
        """Every page from 0 until the arithmetic's last page (or an empty page); optionally one more."""
        result = PagedResult(api=self)
        for index in range(MAX_PAGES):
            answer = self.fetch(
                client, filters, page=index, size=size, list_form=list_form, requirements=requirements
            )
            result.answers.append(answer)
            last = last_page_index(result.pages)
            if not answer.items or (last is not None and index >= last):
                break
        if past_end and result.answers[-1].items:
            result.answers.append(
                self.fetch(
                    client,
                    filters,
                    page=len(result.answers),
                    size=size,
                    list_form=list_form,
                    requirements=requirements,
                )
            )
        return result


V2 = QueryApi(
    name="v2",
    path=V2_EVENTS_PATH,
    page_key="page_index",
    size_key="page_limit",
    items_key="events",
    id_key="event_id",
    schema_requirements=("V2Q-SCHEMA-001", "V2Q-SCHEMA-003", "V2Q-SCHEMA-004"),
)
V1 = QueryApi(
    name="v1",
    path=V1_EVENTS_PATH,
    page_key="page",
    size_key="per_page",
    items_key="data",
    id_key="_id",
    schema_requirements=("V1Q-SCHEMA-001", "V1Q-SCHEMA-003", "V1Q-SCHEMA-004"),
)
APIS = {"v2": V2, "v1": V1}


def encode_v1_filters(filters: Mapping[str, Any], list_form: ListForm) -> list[tuple[str, str]]:
    """v1 filter values as query pairs; lists (streams, groups) in the chosen E05 form."""
    pairs: list[tuple[str, str]] = []
    for key, value in filters.items():
        if key == "top_k":
            pairs.append((key, str(value)))
        elif key in V1_LIST_KEYS and isinstance(value, list | tuple):
            items = [str(item) for item in value]
            if list_form is ListForm.REPEATED:
                pairs += [(key, item) for item in items] if items else [(key, "")]
            elif list_form is ListForm.COMMA:
                pairs.append((key, ",".join(items)))
            else:
                pairs.append((key, json.dumps(items, ensure_ascii=False)))
        else:
            pairs.append((key, _v1_scalar(value)))
    return pairs


def _v1_scalar(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)  # shortest exact text: 1700000000.001, not 1.7e9
    return str(value)


@dataclass(frozen=True)
class PageAnswer:
    """One page as asked and answered."""

    request: Mapping[str, Any]  # the paging keys as sent (page/size/top_k)
    wire: Any  # the JSON body (v2) or the query pairs (v1)
    response: RecordedResponse
    page: FetchedPage
    items: tuple[Mapping[str, Any], ...]

    @property
    def ids(self) -> tuple[str, ...]:
        """Item ids in the order received."""
        return self.page.ids

    @property
    def body(self) -> Mapping[str, Any]:
        """The decoded answer (checked to be an object when the page was fetched)."""
        decoded = self.response.json()
        return decoded if isinstance(decoded, Mapping) else {}


@dataclass
class PagedResult:
    """All pages of one query, in the order fetched."""

    api: QueryApi
    answers: list[PageAnswer] = field(default_factory=list)

    @property
    def pages(self) -> list[FetchedPage]:
        """The pages for the paging checks."""
        return [answer.page for answer in self.answers]

    @property
    def ids(self) -> list[str]:
        """Every id in page order (first fetch of each page index)."""
        seen: dict[int, PageAnswer] = {}
        for answer in self.answers:
            seen.setdefault(answer.page.index, answer)
        return [item_id for index in sorted(seen) for item_id in seen[index].ids]

    @property
    def id_set(self) -> frozenset[str]:
        """The distinct ids reached."""
        return frozenset(self.ids)

    @property
    def items(self) -> list[Mapping[str, Any]]:
        """Every item in page order."""
        return [item for answer in self.answers for item in answer.items]

    @property
    def total_count(self) -> int | None:
        """total_count of the first page."""
        return self.answers[0].page.pagination.total_count if self.answers else None

    @property
    def exchanges(self) -> list[Exchange]:
        """The recorded exchanges, for failures."""
        return [answer.response.exchange for answer in self.answers]


def expect_page_body(
    api: QueryApi, response: RecordedResponse, requirements: Sequence[str]
) -> Mapping[str, Any]:
    """The decoded answer of a valid query: HTTP 200, an object with the item list and pagination."""
    if response.status is None:
        raise ConformanceFailure.of(
            f"{api.name} query got no answer: {response.error}",
            requirements,
            category=FindingCategory.TRANSPORT,
            exchanges=[response.exchange],
        )
    body = response.json()
    problem = ""
    if response.status != 200:
        problem = f"HTTP {response.status} to a valid {api.name} query, expected 200"
    elif not isinstance(body, Mapping):
        problem = f"the {api.name} answer is not a JSON object"
    elif not isinstance(body.get(api.items_key), list):
        problem = f"the {api.name} answer has no `{api.items_key}` list"
    elif not isinstance(body.get("pagination"), Mapping):
        problem = f"the {api.name} answer has no `pagination` object"
    if problem:
        raise ConformanceFailure.of(
            problem,
            dict.fromkeys(requirements),
            category=FindingCategory.SEMANTIC,
            exchanges=[response.exchange],
        )
    assert isinstance(body, Mapping)
    return body
