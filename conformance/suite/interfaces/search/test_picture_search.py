"""Picture search (seed 002): threshold scale, window, order, continuation, caps, device filter, fiqa, errors.

Oracle tests store `search_history` (one person 2,400+ times in 20 h among others) and compute the
expected items from it; on a box without control plane each judges its requirements with the box's own
pictures instead (`search_own_paths`). Observational tests (bad images, wrong parameters, answer shape)
need only a face photo and run on any box.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings

from conformance.checks import search_checks
from conformance.checks.correlation import event_key
from conformance.checks.search_checks import SearchCall
from conformance.clients.failures import fail_on, fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.scenarios.loader import load_named
from conformance.spec.schema_requirements import schema_requirement_ids
from conformance.suite.hypothesis_profiles import DEEP
from conformance.suite.support import search_history as history_data
from conformance.suite.support import search_own_paths as own_paths
from conformance.suite.support.query_data import v2_reads_seconds
from conformance.suite.support.schema_findings import e23_stranger_info, fail_on_schema
from conformance.suite.support.search_calls import (
    expect_search_error,
    expect_success,
    photo_b64,
    post_search,
    run_chain,
)
from conformance.suite.support.search_history import DAY_MS, HOUR_MS, TARGET
from conformance.suite.support.search_own_events import OwnPictures, sample_own_pictures
from conformance.suite.support.search_photos import (
    PHOTO_HINT,
    blank_jpeg,
    downscaled,
    photo_directory,
    photos_in,
)
from conformance.suite.support.search_sandbox import own_data
from conformance.target.control_client import ControlClient
from conformance.target.scenario_seeding import SeededScenario
from conformance.target.target import Target

NOW_MS = history_data.ORIGIN_MS
NOW_S = NOW_MS / 1000
THRESHOLDS = (0.0, 50.0, 82.0, 99.0)
SCORE_EPSILON = 1e-6
STRANGER_NAMES = {"strict": ("stranger",), "lenient": ("stranger", "")}


@pytest.fixture(scope="module")
def search_box(target: Target) -> None:
    if not target.capabilities.picture_search:
        pytest.skip("the box has no picture search interface")


@pytest.fixture(scope="module")
def history(
    search_box: None,
    control: ControlClient,
    target: Target,
    http_client: RecordingHttpClient,
    core_scenario: SeededScenario,
) -> Iterator[SeededScenario]:
    """The search history stored for this module; core comes back afterwards."""
    with own_data(control, target, http_client, core_scenario, history_data.search_scenario()) as seeded:
        yield seeded


@pytest.fixture(scope="module")
def target_photo(history: SeededScenario, control: ControlClient) -> str:
    """A new photo (a variant not stored) of the target person, base64."""
    return photo_b64(control.face_jpeg(TARGET, variant=7))


@pytest.fixture(scope="module")
def any_photo(
    request: pytest.FixtureRequest, search_box: None, target: Target, http_client: RecordingHttpClient
) -> str:
    """A face photo for observational tests: the tester's directory, the control plane, else the face
    picture of one of the box's own events (getspotimage)."""
    directory = photo_directory(request.config)
    if directory is not None:
        return photo_b64(photos_in(directory)[0])
    if target.config.control_url is not None:
        return str(request.getfixturevalue("target_photo"))
    if not target.capabilities.v2_events:
        pytest.skip(f"needs a face photo: {PHOTO_HINT} (no v2 getevents to find the box's own pictures)")
    seconds = v2_reads_seconds(request, target, http_client)
    own = sample_own_pictures(http_client, v2_seconds=seconds, lenient=target.profile == "lenient")
    if not own.events:
        pytest.skip(f"needs a face photo: {PHOTO_HINT}; {'; '.join(own.notes)}")
    return own.events[0].photo


@pytest.fixture(scope="module")
def oracle(request: pytest.FixtureRequest, search_box: None, target: Target) -> SeededScenario | None:
    """The stored search history with a control plane; None on a box without one: the oracle tests then
    judge their requirements with the box's own pictures (`search_own_paths`)."""
    if target.config.control_url is None:
        return None
    history: SeededScenario = request.getfixturevalue("history")
    return history


def _own(request: pytest.FixtureRequest) -> OwnPictures:
    pictures: OwnPictures = request.getfixturevalue("own_pictures")
    return pictures


def _photo(request: pytest.FixtureRequest) -> str:
    photo: str = request.getfixturevalue("target_photo")
    return photo


def _items(answer: dict[str, Any]) -> list[dict[str, Any]]:
    raw = answer.get("event_list")
    return [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []


# -- oracle: what a search returns (on a box without control plane: judged with its own pictures) ----


@pytest.mark.req(
    "PS-SEARCH-018",
    "PS-SEARCH-011",
    "PS-SEARCH-012",
    "PS-SEARCH-014",
    "PS-SEARCH-015",
    "PS-SEARCH-017",
    "PS-SEARCH-019",
    "PS-SEARCH-005",
    "PS-SEARCH-009",
    "PS-SEARCH-010",
    "PS-SEARCH-006",
)
@pytest.mark.parametrize("reverse", [None, False], ids=["reverse-default", "reverse-false"])
def test_search_returns_exactly_the_persons_events(
    request: pytest.FixtureRequest,
    oracle: SeededScenario | None,
    http_client: RecordingHttpClient,
    reverse: bool | None,
) -> None:
    """Continued to the end, a default search yields the person's last-24-h events once each, in order."""
    if oracle is None:
        own_paths.default_window(request, _own(request), http_client, reverse)
        return
    history, target_photo = oracle, _photo(request)
    body: dict[str, Any] = {"face_image_base64": target_photo}
    if reverse is not None:
        body["reverse"] = reverse
    chain = run_chain(http_client, body, ["PS-SEARCH-011"])
    expected = history_data.target_keys(history.scenario, NOW_MS - DAY_MS, NOW_MS)
    descending = reverse is not False
    findings = search_checks.continuation(
        chain.calls, expected, requirements=("PS-SEARCH-011", "PS-SEARCH-018", "PS-SEARCH-019")
    )
    for call in chain.calls:
        findings += search_checks.threshold(call.items)
        findings += search_checks.window(call.items, NOW_S, tolerance_s=0.0)
    all_items = [item for call in chain.calls for item in call.items]
    order_ids = ("PS-SEARCH-014",) if descending else ("PS-SEARCH-015",)
    findings += search_checks.order(all_items, descending, requirements=order_ids)
    findings += search_checks.caps(chain.calls)
    fail_on(findings, "picture search of a seeded person", exchanges=chain.exchanges)
    fail_unless(
        len(chain.calls) > 1,
        f"{len(expected)} matches in one call: the 1,000-result cap was not applied",
        ["PS-SEARCH-017"],
        chain.exchanges,
    )


@pytest.mark.req("PS-SEARCH-012", "PS-SCHEMA-008", "PS-SEARCH-018")
def test_threshold_is_on_the_0_to_100_scale(
    request: pytest.FixtureRequest, oracle: SeededScenario | None, http_client: RecordingHttpClient
) -> None:
    """Threshold t returns exactly the items of threshold 0 whose compare_score × 100 ≥ t (E08)."""
    if oracle is None:
        own_paths.thresholds(request, _own(request), http_client, (*THRESHOLDS[1:], None))
        return
    target_photo = _photo(request)
    window = {"starttime": NOW_S - 3600, "endtime": NOW_S}
    base_response = post_search(http_client, {"face_image_base64": target_photo, "threshold": 0, **window})
    base = SearchCall.from_exchange({}, expect_success(base_response, ["PS-SEARCH-012"]))
    fail_on(search_checks.threshold(base.items, 0), "threshold 0", exchanges=[base_response.exchange])
    scores = {item.key: item.compare_score for item in base.items}
    for threshold in (*THRESHOLDS[1:], None):
        body = {"face_image_base64": target_photo, **window}
        if threshold is not None:
            body["threshold"] = threshold
        limit = 82.0 if threshold is None else threshold
        response = post_search(http_client, body)
        items = SearchCall.from_exchange(body, expect_success(response, ["PS-SEARCH-012"])).items
        exchanges = [base_response.exchange, response.exchange]
        fail_on(search_checks.threshold(items, limit), f"threshold {threshold}", exchanges=exchanges)
        got = {item.key for item in items}
        must = {k for k, s in scores.items() if s is not None and s * 100 >= limit + SCORE_EPSILON}
        may = {k for k, s in scores.items() if s is not None and s * 100 >= limit - SCORE_EPSILON}
        fail_unless(
            must <= got <= may,
            f"threshold {threshold}: {len(got)} result(s), expected the {len(must)} item(s) of threshold 0 "
            f"with compare_score × 100 ≥ {limit}",
            ["PS-SEARCH-012"],
            exchanges,
            detail=f"missing {sorted(must - got)[:5]}, unexpected {sorted(got - may)[:5]} (E08)",
        )


@pytest.mark.req("PS-SEARCH-005", "PS-SEARCH-006", "PS-SEARCH-009", "PS-SEARCH-019")
def test_older_events_only_with_an_explicit_window(
    request: pytest.FixtureRequest,
    oracle: SeededScenario | None,
    http_client: RecordingHttpClient,
    target: Target,
) -> None:
    """Sightings 25–26 h old are outside the default window but found when the window names them."""
    if oracle is None:
        own_paths.older_window(request, _own(request), http_client, lenient=target.profile == "lenient")
        return
    history, target_photo = oracle, _photo(request)
    old_window = {"starttime": NOW_S - 27 * 3600, "endtime": NOW_S - 23 * 3600}
    body = {"face_image_base64": target_photo, **old_window}
    chain = run_chain(http_client, body, ["PS-SEARCH-009"])
    expected = history_data.target_keys(history.scenario, NOW_MS - 27 * HOUR_MS, NOW_MS - 23 * HOUR_MS)
    findings = search_checks.continuation(chain.calls, expected, requirements=("PS-SEARCH-009",))
    for call in chain.calls:
        findings += search_checks.window(
            call.items, NOW_S, old_window["starttime"], old_window["endtime"], tolerance_s=0.0
        )
    fail_on(findings, "search of an explicit older window", exchanges=chain.exchanges)
    # endtime alone: starttime still defaults to now - 24 h, which holds none of the old sightings
    body = {"face_image_base64": target_photo, "endtime": NOW_S - 23 * 3600}
    chain = run_chain(http_client, body, ["PS-SEARCH-005"])
    expected = history_data.target_keys(history.scenario, NOW_MS - DAY_MS, NOW_MS - 23 * HOUR_MS)
    findings = search_checks.continuation(
        chain.calls, expected, requirements=("PS-SEARCH-005", "PS-SEARCH-006")
    )
    fail_on(
        findings, "search with endtime only (starttime defaults to now - 24 h)", exchanges=chain.exchanges
    )


@pytest.mark.req("PS-SEARCH-007", "PS-ERR-005")
@pytest.mark.parametrize("days", [31, 45])
def test_window_of_a_month_or_more_is_refused(
    request: pytest.FixtureRequest,
    oracle: SeededScenario | None,
    http_client: RecordingHttpClient,
    target: Target,
    days: int,
) -> None:
    """endtime - starttime must be shorter than one month (seed 002): 31 days and more are refused."""
    if oracle is None:
        own_paths.month_refused(_own(request), http_client, target.profile, days)
        return
    target_photo = _photo(request)
    body = {"face_image_base64": target_photo, "starttime": NOW_S - days * 86400, "endtime": NOW_S}
    expect_search_error(
        post_search(http_client, body), ("INVALID_ARGUMENTS",), ["PS-SEARCH-007"], target.profile
    )


@pytest.mark.req("PS-SEARCH-007", "PS-SEARCH-009", "PS-SEARCH-011", "PS-SEARCH-019")
def test_window_of_29_days_is_searched(
    request: pytest.FixtureRequest, oracle: SeededScenario | None, http_client: RecordingHttpClient
) -> None:
    """A 29-day window is valid and finds the sighting 20 days old (a box's own: its event in it)."""
    if oracle is None:
        own_paths.month_less_a_day(request, _own(request), http_client)
        return
    history, target_photo = oracle, _photo(request)
    start_ms, end_ms = NOW_MS - 48 * DAY_MS, NOW_MS - 19 * DAY_MS
    body = {"face_image_base64": target_photo, "starttime": start_ms / 1000, "endtime": end_ms / 1000}
    chain = run_chain(http_client, body, ["PS-SEARCH-007"])
    expected = history_data.target_keys(history.scenario, start_ms, end_ms)
    findings = search_checks.continuation(
        chain.calls, expected, requirements=("PS-SEARCH-007", "PS-SEARCH-009")
    )
    fail_on(findings, "search over 29 days", exchanges=chain.exchanges)


@pytest.mark.req("PS-SEARCH-008")
def test_starttime_after_endtime(
    request: pytest.FixtureRequest,
    oracle: SeededScenario | None,
    http_client: RecordingHttpClient,
    target: Target,
) -> None:
    """An inverted window is refused with a 4xx or answered empty; never a 5xx."""
    if oracle is None:
        own_paths.inverted(_own(request), http_client, target.profile)
        return
    target_photo = _photo(request)
    body = {"face_image_base64": target_photo, "starttime": NOW_S - 3600, "endtime": NOW_S - 7200}
    response = post_search(http_client, body)
    if response.status == 200:
        answer = expect_success(response, ["PS-SEARCH-008"])
        fail_unless(
            not _items(answer), "an inverted window returned results", ["PS-SEARCH-008"], [response.exchange]
        )
        return
    expect_search_error(response, ("INVALID_ARGUMENTS",), ["PS-SEARCH-008"], target.profile)


@pytest.mark.req("PS-SEARCH-013")
@pytest.mark.parametrize("devices", [["dev-ps-c"], ["dev-ps-a", "dev-ps-c"]], ids=["one", "two"])
def test_device_id_list_limits_the_search(
    request: pytest.FixtureRequest,
    oracle: SeededScenario | None,
    http_client: RecordingHttpClient,
    devices: list[str],
) -> None:
    """Only events of the listed devices are returned, all of them."""
    if oracle is None:  # as many devices, the searched event's own first
        own_paths.device_list(request, _own(request), http_client, len(devices))
        return
    history, target_photo = oracle, _photo(request)
    start_ms = NOW_MS - 2 * HOUR_MS
    body = {"face_image_base64": target_photo, "starttime": start_ms / 1000, "device_id_list": devices}
    chain = run_chain(http_client, body, ["PS-SEARCH-013"])
    expected = history_data.target_keys(history.scenario, start_ms, NOW_MS, devices)
    fail_on(
        search_checks.continuation(chain.calls, expected, requirements=("PS-SEARCH-013",)),
        f"search limited to {devices}",
        exchanges=chain.exchanges,
    )


@pytest.mark.req("PS-SEARCH-002", "PS-SEARCH-003", "PS-ERR-005")
def test_fiqa_level(
    request: pytest.FixtureRequest,
    oracle: SeededScenario | None,
    http_client: RecordingHttpClient,
    target: Target,
) -> None:
    """A small face is searched without fiqa_level, refused with "high"; unknown levels may be ignored."""
    if oracle is None:
        own_paths.fiqa(request, _own(request), http_client, target.profile)
        return
    control: ControlClient = request.getfixturevalue("control")
    small = photo_b64(downscaled(control.face_jpeg(TARGET, variant=5), 120))
    window = {"starttime": NOW_S - 3600}
    for level in (None, "no"):
        body = {"face_image_base64": small, **window, **({} if level is None else {"fiqa_level": level})}
        response = post_search(http_client, body)
        if level is None and target.profile == "lenient" and response.status != 200:
            expect_search_error(response, ("LOW_QUALITY_ERROR",), ["PS-SEARCH-002"], target.profile)  # E34
            continue
        answer = expect_success(response, ["PS-SEARCH-002"])
        fail_unless(
            bool(_items(answer)),
            f"fiqa_level {level}: a detectable face found nothing",
            ["PS-SEARCH-002"],
            [response.exchange],
        )
    high = post_search(http_client, {"face_image_base64": small, **window, "fiqa_level": "high"})
    expect_search_error(high, ("LOW_QUALITY_ERROR",), ["PS-SEARCH-003"], target.profile)
    bogus = post_search(http_client, {"face_image_base64": small, **window, "fiqa_level": "ultra"})
    if bogus.status == 200:  # E40: a level outside the documented four may be ignored
        expect_success(bogus, ["PS-ERR-005"])
    else:
        expect_search_error(bogus, ("INVALID_ARGUMENTS",), ["PS-ERR-005"], target.profile)


@pytest.mark.req("PS-SEARCH-016", "PS-SEARCH-017", "PS-SEARCH-011")
@pytest.mark.needs_control  # a box's own: test_scan_cap_holds_on_a_month_of_history
@pytest.mark.skipif(
    settings.get_current_profile_name() != DEEP, reason="stores 50,400 events (~20 s): deep profile only"
)
def test_scan_cap_of_50000_records(
    history: SeededScenario,
    control: ControlClient,
    target: Target,
    http_client: RecordingHttpClient,
) -> None:
    """A window of more than 50,000 events needs several calls (have_more), and continuation covers it."""
    scenario = load_named("search-caps")
    with own_data(control, target, http_client, history, scenario) as seeded:
        photo = photo_b64(control.face_jpeg("id-caps-target", variant=9))
        chain = run_chain(http_client, {"face_image_base64": photo}, ["PS-SEARCH-016"])
        origin = seeded.origin_ms
        expected = {
            event_key(event.timestamp_ms(origin), event.device_id)
            for event in scenario.all_events()
            if event.identity_id == "id-caps-target"
            and origin - DAY_MS <= event.timestamp_ms(origin) <= origin
        }
        in_window = [scenario.event_count] + [None] * (len(chain.calls) - 1)
        findings = search_checks.caps(chain.calls, in_window)
        findings += search_checks.continuation(chain.calls, expected, requirements=("PS-SEARCH-011",))
        fail_on(findings, "search over 50,400 events", exchanges=chain.exchanges)


# -- observational: errors and the answer's shape ------------------------------------------------

BAD_IMAGES = {
    "not-base64": ("***not base64***", ("IMAGE_DECODE_ERROR",), "PS-ERR-003"),
    "not-an-image": (
        base64.b64encode(b"plain text, no picture").decode(),
        ("IMAGE_DECODE_ERROR",),
        "PS-ERR-003",
    ),
    "no-face": (photo_b64(blank_jpeg()), ("NO_FACE_ERROR",), "PS-ERR-004"),
}


@pytest.mark.req("PS-ERR-001", "PS-ERR-003", "PS-ERR-004")
@pytest.mark.parametrize("case", list(BAD_IMAGES), ids=list(BAD_IMAGES))
def test_bad_images_are_refused(
    search_box: None, http_client: RecordingHttpClient, target: Target, case: str
) -> None:
    """Not base64, not a picture, no face: each a 4xx with the documented error (never a 5xx)."""
    image, statuses, requirement = BAD_IMAGES[case]
    response = post_search(http_client, {"face_image_base64": image})
    expect_search_error(response, statuses, [requirement, "PS-ERR-001"], target.profile)


@pytest.mark.req("PS-ERR-002", "PS-ERR-001")
def test_missing_image_is_refused(search_box: None, http_client: RecordingHttpClient, target: Target) -> None:
    """A body without face_image_base64 gets MISSING_ARGUMENTS."""
    response = post_search(http_client, {"threshold": 82})
    expect_search_error(response, ("MISSING_ARGUMENTS",), ["PS-ERR-002", "PS-ERR-001"], target.profile)


WRONG_TYPES: dict[str, Any] = {
    "threshold": "high",
    "reverse": "yes",
    "device_id_list": "dev-ps-a",
    "starttime": "yesterday",
    "fiqa_level": 3,
}


@pytest.mark.req("PS-ERR-005")
@pytest.mark.parametrize("key", list(WRONG_TYPES))
def test_wrongly_typed_parameters_are_refused(
    any_photo: str, http_client: RecordingHttpClient, target: Target, key: str
) -> None:
    """A parameter of the wrong type gets a 4xx INVALID_ARGUMENTS, never a 5xx."""
    response = post_search(http_client, {"face_image_base64": any_photo, key: WRONG_TYPES[key]})
    expect_search_error(response, ("INVALID_ARGUMENTS",), ["PS-ERR-005"], target.profile)


@pytest.mark.req(
    "PS-SCHEMA-001",
    "PS-SCHEMA-003",
    "PS-SCHEMA-004",
    "PS-SCHEMA-005",
    "PS-SCHEMA-006",
    "PS-SCHEMA-007",
    "PS-SCHEMA-009",
    "PS-SCHEMA-011",
    "PS-SCHEMA-016",
    "PS-SCHEMA-018",
    "PS-SCHEMA-020",
    "PS-SCHEMA-023",
    "PS-SCHEMA-028",
    "PS-TIME-002",
    "PS-TIME-003",
    *schema_requirement_ids("picturesearch-response"),
)
def test_answer_fields_follow_the_table(
    any_photo: str, http_client: RecordingHttpClient, target: Target
) -> None:
    """The answer and items validate (E07, E09, E10 per profile); strangers say "stranger", info {}."""
    body: dict[str, Any] = {"face_image_base64": any_photo, "threshold": 0}
    if target.config.control_url is not None:
        body["starttime"] = NOW_S - 3600  # the last hour of the seeded history; a real box: the default
    response = post_search(http_client, body)
    answer = expect_success(response, ["PS-SCHEMA-001"])
    ids = ["PS-SCHEMA-003", "PS-SCHEMA-004", "PS-SCHEMA-007", "PS-SCHEMA-009", "PS-SCHEMA-020"]
    items = _items(answer)
    strangers = [item for item in items if item.get("identity_id") == "" or item.get("person_type") == 4]
    stranger_paths = {f"/event_list/{n}/identity_info" for n, item in enumerate(items) if item in strangers}
    fail_on_schema(
        "picturesearch-response",
        answer,
        target.profile,
        ids,
        [response.exchange],
        what="search answer",
        excused=e23_stranger_info(stranger_paths),
    )
    names = STRANGER_NAMES[target.profile]
    wrong = [item.get("identity_name") for item in strangers if item.get("identity_name") not in names]
    fail_unless(
        not wrong,
        f"stranger items named {wrong[:3]!r}, expected {names} (E10)",
        ["PS-SCHEMA-009"],
        [response.exchange],
    )
    infos = [item.get("identity_info") for item in strangers if item.get("identity_info") != {}]
    fail_unless(
        not infos,
        f"stranger items carry identity_info {infos[:2]!r}, expected {{}}",
        ["PS-SCHEMA-011"],
        [response.exchange],
    )
    features = [i for i in _items(answer) if "feature" in (i.get("recognize_face_attr") or {})]
    fail_unless(
        not features,
        "items carry recognize_face_attr.feature (deleted: too large)",
        ["PS-SCHEMA-028"],
        [response.exchange],
    )
    if target.config.control_url is not None:
        fail_unless(
            bool(strangers),
            "threshold 0 over the last hour returned no stranger item to judge",
            ["PS-SCHEMA-009"],
            [response.exchange],
        )
