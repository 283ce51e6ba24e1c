"""Phones: what iOS and each Android can do, access tokens, and the "Déclaration de perte"
that blocks a lost or stolen phone."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caredomain.errors import Forbidden, InvalidInput, RuleViolation
from caredomain.events import Event
from caredomain.interventions.devices import (
    ALL_ACTIONS,
    IOS_ACTIONS,
    AppMode,
    Device,
    DeviceBlocked,
    DeviceId,
    LossKind,
    Outbound,
    PayloadKind,
    PhoneAction,
    Platform,
    capabilities,
    hash_token,
)
from caredomain.interventions.model import CaregiverId
from caredomain.serialization import structure, unstructure

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
TOKEN = "s3cr3t-t0ken-0123456789abcdef"
MARIE = CaregiverId("C1")


def ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"E{next(counter)}"


def android(version: int | None = 13, token: str = TOKEN) -> Device:
    return Device.enrol(
        DeviceId("P1"), MARIE, Platform.ANDROID, token=token, android_version=version
    )


def iphone() -> Device:
    return Device.enrol(DeviceId("P2"), MARIE, Platform.IOS, token=TOKEN)


def item(payload: str, kind: PayloadKind = PayloadKind.PLANNING) -> Outbound:
    return Outbound(payload, kind)


# Platforms


@pytest.mark.parametrize("action", sorted(IOS_ACTIONS))
def test_an_iphone_views_the_planning_and_clocks(action: PhoneAction) -> None:
    iphone().require(action)
    assert iphone().can(action)


@pytest.mark.parametrize("action", sorted(ALL_ACTIONS - IOS_ACTIONS))
def test_an_iphone_does_nothing_else(action: PhoneAction) -> None:
    assert not iphone().can(action)
    with pytest.raises(RuleViolation) as caught:
        iphone().require(action)
    assert caught.value.code == "device.not_supported_on_ios"


def test_ios_is_limited_to_the_planning_and_clocking() -> None:
    assert capabilities(Platform.IOS) == {PhoneAction.VIEW_PLANNING, PhoneAction.CLOCK}


@pytest.mark.parametrize("action", sorted(ALL_ACTIONS - {PhoneAction.END_OF_VISIT_ALERT}))
@pytest.mark.parametrize("mode", [AppMode.INSTALLED, AppMode.BYOD, None])
def test_android_does_everything(action: PhoneAction, mode: AppMode | None) -> None:
    device = Device(id=DeviceId("P1"), caregiver_id=MARIE, platform=Platform.ANDROID, mode=mode)
    device.require(action)


@pytest.mark.parametrize(("version", "alert"), [(7, True), (8, True), (9, False), (14, False)])
def test_the_end_of_visit_alert_stops_at_android_9(version: int, alert: bool) -> None:
    device = android(version)
    assert device.can(PhoneAction.END_OF_VISIT_ALERT) is alert
    if not alert:
        with pytest.raises(RuleViolation) as caught:
            device.require(PhoneAction.END_OF_VISIT_ALERT)
        assert caught.value.code == "device.end_of_visit_alert_unavailable"


def test_the_end_of_visit_alert_needs_a_known_older_android() -> None:
    assert not android(None).can(PhoneAction.END_OF_VISIT_ALERT)


@pytest.mark.parametrize("version", [0, 100, True])
def test_an_android_version_is_checked(version: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        android(version)
    assert caught.value.field == "android_version"


def test_an_iphone_has_no_android_version() -> None:
    with pytest.raises(InvalidInput):
        Device(id=DeviceId("P2"), caregiver_id=MARIE, platform=Platform.IOS, android_version=9)


# Tokens


def test_a_device_authenticates_with_its_token_only() -> None:
    device = android()
    assert device.authenticate(TOKEN) is device
    with pytest.raises(Forbidden):
        device.authenticate(TOKEN + "x")
    with pytest.raises(Forbidden):
        Device(id=DeviceId("P3"), caregiver_id=MARIE, platform=Platform.ANDROID).authenticate(TOKEN)


def test_only_the_digest_is_kept_and_never_shown() -> None:
    device = android()
    assert device.token_hash == hash_token(TOKEN)
    assert TOKEN not in repr(device)
    assert device.token_hash not in repr(device)
    assert "token_hash" not in repr(device)


def test_a_new_token_replaces_the_old() -> None:
    device = android().issue_token("another-token-0123456789")
    device.authenticate("another-token-0123456789")
    with pytest.raises(Forbidden):
        device.authenticate(TOKEN)


def test_a_short_token_is_refused_without_being_echoed() -> None:
    with pytest.raises(InvalidInput) as caught:
        android(token="short")
    assert (caught.value.field, caught.value.text) == ("token", None)


# The outbound queue


def test_data_waits_for_the_phone_until_delivered() -> None:
    device, queued = android().enqueue([item("planning-1"), item("msg-1", PayloadKind.MESSAGE)])
    assert [i.payload_id for i in queued] == ["planning-1", "msg-1"]
    assert device.pending == queued
    again, queued = device.enqueue([item("planning-1")])
    assert (again, queued) == (device, ())
    assert [i.payload_id for i in device.delivered(["planning-1"]).pending] == ["msg-1"]


def test_an_iphone_is_sent_only_what_it_can_use() -> None:
    device, queued = iphone().enqueue(
        [
            item("planning-1"),
            item("alert-1", PayloadKind.PLANNING_ALERT),
            item("msg-1", PayloadKind.MESSAGE),
            item("dir-1", PayloadKind.DIRECTORY),
        ]
    )
    assert [i.payload_id for i in queued] == ["planning-1", "alert-1"]
    assert device.pending == queued


# Lost or stolen


def test_a_lost_phone_is_blocked_at_once() -> None:
    device, _ = android().enqueue([item("planning-1"), item("client-7", PayloadKind.CLIENT_RECORD)])
    result = device.block(LossKind.STOLEN, by="M1", at=T0, new_id=ids())
    assert [i.payload_id for i in result.dropped] == ["planning-1", "client-7"]
    assert isinstance(result.event, DeviceBlocked)
    assert (result.event.device_id, result.event.reason, result.event.dropped) == (
        "P1",
        "stolen",
        ("planning-1", "client-7"),
    )
    blocked = result.device
    assert blocked.blocked
    assert blocked.pending == ()
    assert blocked.capabilities == frozenset()
    with pytest.raises(Forbidden):
        blocked.authenticate(TOKEN)
    with pytest.raises(Forbidden):
        blocked.require(PhoneAction.VIEW_PLANNING)
    with pytest.raises(Forbidden):
        blocked.issue_token("a-brand-new-token-0123456789")
    assert blocked.enqueue([item("planning-2")]) == (blocked, ())


def test_blocking_again_changes_nothing() -> None:
    blocked = android().block(LossKind.LOST, by="M1", at=T0, new_id=ids()).device
    again = blocked.block(LossKind.STOLEN, by="M2", at=T0, new_id=ids())
    assert (again.device, again.dropped, again.event) == (blocked, (), None)


def test_a_blocked_device_cannot_be_built_with_a_token_or_data() -> None:
    blocked = android().block(LossKind.LOST, by="M1", at=T0, new_id=ids()).device
    with pytest.raises(InvalidInput):
        Device(
            id=blocked.id,
            caregiver_id=MARIE,
            platform=Platform.ANDROID,
            token_hash=hash_token(TOKEN),
            loss=blocked.loss,
        )


def test_the_blocking_event_round_trips() -> None:
    device, _ = android().enqueue([item("planning-1")])
    event = device.block(LossKind.LOST, by="M1", at=T0, new_id=ids()).event
    assert event is not None
    assert structure(unstructure(event), Event) == event


kinds = st.sampled_from(list(PayloadKind))
payloads = st.builds(Outbound, st.sampled_from([f"p{n}" for n in range(8)]), kinds)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("enqueue"), st.lists(payloads, max_size=4)),
        st.tuples(st.just("deliver"), st.lists(st.sampled_from([f"p{n}" for n in range(8)]))),
        st.tuples(st.just("block"), st.sampled_from(list(LossKind))),
    ),
    max_size=20,
)


@given(steps, st.sampled_from([Platform.ANDROID, Platform.IOS]))
def test_a_blocked_device_never_receives_data_again(
    plan: list[tuple[str, object]], platform: Platform
) -> None:
    device = Device.enrol(DeviceId("P1"), MARIE, platform, token=TOKEN)
    blocked_once = False
    for step, argument in plan:
        if step == "enqueue":
            assert isinstance(argument, list)
            before = device.pending
            device, queued = device.enqueue(argument)
            if blocked_once:
                assert queued == ()
            assert device.pending == before + queued
        elif step == "deliver":
            assert isinstance(argument, list)
            device = device.delivered(argument)
        else:
            assert isinstance(argument, LossKind)
            pending = device.pending
            result = device.block(argument, by="M1", at=T0, new_id=ids())
            assert result.dropped == (() if blocked_once else pending)
            assert (result.event is None) is blocked_once
            device, blocked_once = result.device, True
        if blocked_once:
            assert device.pending == ()
            with pytest.raises(Forbidden):
                device.authenticate(TOKEN)
        else:
            assert device.authenticate(TOKEN) is device
        assert all(device.can(i.kind.action) for i in device.pending)
        assert len({i.payload_id for i in device.pending}) == len(device.pending)
