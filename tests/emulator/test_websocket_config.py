"""The seed 004 configuration message: what is accepted, what is refused, and the protocol state machine."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.emulator.ws_config import (
    MAX_EVENT_LIST,
    ProtocolState,
    ProtocolStateError,
    WsConfig,
    WsConfigError,
    WsSession,
    parse_ws_config,
)

DEVICE_IDS = st.text(min_size=1, max_size=40)
VALID_CONFIGS = st.fixed_dictionaries(
    {},
    optional={
        "need_face": st.booleans(),
        "need_register": st.booleans(),
        "event_list": st.lists(DEVICE_IDS, max_size=20),
    },
)
NOT_BOOL = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.text(), st.lists(st.booleans()))
NOT_LIST = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(), st.dictionaries(st.text(), st.text(), max_size=3)
)
NOT_STRING = st.one_of(st.none(), st.booleans(), st.integers(), st.lists(st.integers(), max_size=2))


def test_the_seeds_own_configuration_is_accepted() -> None:
    text = json.dumps(
        {
            "need_face": True,
            "need_register": True,
            "event_list": ["04f98265-1fad-47e5-9dda-66e191272055", "f9f0768f-497c-45f3-9307-ae80a9d89390"],
        }
    )
    config = parse_ws_config(text)
    assert config.need_face and config.need_register
    assert config.wants("04f98265-1fad-47e5-9dda-66e191272055")
    assert not config.wants("804b1218-218e-4465-8e1f-c305a5981001")


def test_missing_keys_take_the_documented_defaults() -> None:
    assert parse_ws_config("{}") == WsConfig(need_face=False, need_register=False, event_list=frozenset())


@given(VALID_CONFIGS)
def test_every_well_formed_configuration_parses_to_what_it_says(data: dict[str, Any]) -> None:
    config = parse_ws_config(json.dumps(data))
    assert config.need_face is data.get("need_face", False)
    assert config.need_register is data.get("need_register", False)
    assert config.event_list == frozenset(data.get("event_list", []))


def _refused(text: str | bytes, close_code: int = 1008) -> str:
    with pytest.raises(WsConfigError) as caught:
        parse_ws_config(text)
    assert caught.value.close_code == close_code
    assert 0 < len(caught.value.close_reason.encode()) <= 123
    return str(caught.value)


@given(st.sampled_from(["need_face", "need_register"]), NOT_BOOL)
def test_a_flag_that_is_not_a_json_boolean_is_refused(key: str, value: Any) -> None:
    assert key in _refused(json.dumps({key: value}))


@given(NOT_LIST)
def test_an_event_list_that_is_not_a_list_is_refused(value: Any) -> None:
    assert "event_list" in _refused(json.dumps({"event_list": value}))


@given(st.lists(DEVICE_IDS, max_size=5), NOT_STRING, st.data())
def test_a_non_string_device_id_is_refused(good: list[str], bad: Any, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(good)))
    items: list[Any] = [*good[:position], bad, *good[position:]]
    assert f"event_list[{position}]" in _refused(json.dumps({"event_list": items}))


@given(st.text(min_size=1).filter(lambda k: k not in {"need_face", "need_register", "event_list"}))
def test_unknown_keys_are_ignored(key: str) -> None:
    config = parse_ws_config(json.dumps({"need_face": True, key: 1, "event_list": ["d"]}))
    assert config == WsConfig(need_face=True, event_list=frozenset({"d"}))


def test_a_misspelt_flag_leaves_the_documented_default() -> None:
    assert parse_ws_config(json.dumps({"need_faces": True})).need_face is False


def test_close_reasons_fit_in_a_close_frame() -> None:
    ids = ["é" * 200]
    with pytest.raises(WsConfigError) as caught:
        parse_ws_config(json.dumps({"event_list": ids, "need_face": "é" * 300}))
    assert len(caught.value.close_reason.encode()) <= 123


@given(st.one_of(st.lists(st.integers()), st.integers(), st.text(), st.none(), st.booleans()))
def test_a_top_level_value_that_is_not_an_object_is_refused(value: Any) -> None:
    assert "JSON object" in _refused(json.dumps(value))


@given(st.text())
def test_text_that_is_not_json_is_refused_or_parsed_never_crashes(text: str) -> None:
    try:
        parse_ws_config(text)
    except WsConfigError as exc:
        assert str(exc)


def test_the_python_dict_literal_of_the_seeds_prose_is_not_json() -> None:
    assert "not valid JSON" in _refused("{'need_face':True, 'need_register':True, 'event_list':[]}")


def test_binary_frames_are_refused() -> None:
    assert "binary" in _refused(b'{"need_face": true}', close_code=1003)


def test_huge_event_lists_are_refused() -> None:
    ids = [f"dev-{i}" for i in range(MAX_EVENT_LIST + 1)]
    assert str(MAX_EVENT_LIST) in _refused(json.dumps({"event_list": ids}))
    assert len(parse_ws_config(json.dumps({"event_list": ids[:MAX_EVENT_LIST]})).event_list) == MAX_EVENT_LIST


def test_deeply_nested_json_is_refused_without_recursion_error() -> None:
    assert _refused("[" * 100_000 + "]" * 100_000)


def test_empty_device_ids_are_refused() -> None:
    assert "event_list[0]" in _refused(json.dumps({"event_list": [""]}))


def test_the_session_starts_awaiting_configuration_and_refuses_to_push() -> None:
    session = WsSession()
    assert session.state is ProtocolState.AWAITING_CONFIG
    with pytest.raises(ProtocolStateError) as caught:
        session.push_config()
    assert "expected state CONFIGURED" in str(caught.value)
    assert "actual state AWAITING_CONFIG" in str(caught.value)


def test_a_new_configuration_replaces_the_old_one() -> None:
    session = WsSession()
    session.configure(WsConfig(need_face=True, event_list=frozenset({"a"})))
    session.configure(WsConfig(event_list=frozenset({"b"})))
    assert session.state is ProtocolState.CONFIGURED
    assert session.push_config() == WsConfig(event_list=frozenset({"b"}))


def test_a_closed_session_cannot_be_configured() -> None:
    session = WsSession()
    session.close()
    with pytest.raises(ProtocolStateError) as caught:
        session.configure(WsConfig())
    assert caught.value.actual is ProtocolState.CLOSED
    assert ProtocolState.AWAITING_CONFIG in caught.value.expected
