"""Passwords (argon2id, never shown) and entering a mode through the transition, with
throttling (seed 002)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caredomain.access.actors import ActorId
from caredomain.access.breakglass import (
    Acceptance,
    BreakGlass,
    BreakGlassId,
    Quote,
    Window,
    WrittenRequest,
)
from caredomain.access.configurations import Configuration, UserId
from caredomain.access.modes import Mode
from caredomain.access.passwords import Hasher, PasswordHash, acceptable
from caredomain.access.sessions import (
    FIRST_LOCKOUT,
    LONGEST_LOCKOUT,
    MAX_FAILURES,
    Attempts,
    Entry,
    SessionId,
    Via,
    enter_mode,
    password_change,
)
from caredomain.access.transition import Transition
from caredomain.errors import InvalidInput
from caredomain.organisation import ConfigurationId
from caredomain.secret import Secret
from caredomain.text import Text

HASHER = Hasher.cheap()
CONSOLE = Secret("pupitre-2024-secret")
OWN = Secret("administratrice-2024")
TRANSITION = Transition()
BASE = (
    Configuration(ConfigurationId("metz"), "Metz")
    .with_console_password(HASHER.hash(CONSOLE))
    .designated(UserId("mdupont"), date(2024, 1, 8))
)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _enter(
    mode: Mode,
    password: Secret,
    now: datetime,
    *,
    configuration: Configuration = BASE,
    attempts: Attempts | None = None,
    window: BreakGlass | None = None,
) -> Entry:
    return enter_mode(
        configuration,
        mode,
        password,
        actor="someone",
        session_id=SessionId("s-1"),
        now=now,
        transition=TRANSITION,
        hasher=HASHER,
        attempts=attempts or Attempts(),
        window=window,
    )


def test_the_seed_console_password_opens_administrator_mode_on_may_15_not_august_1() -> None:
    may = _enter(Mode.ADMINISTRATOR, CONSOLE, _at(date(2024, 5, 15)))
    assert may.session is not None
    assert may.session.via is Via.CONSOLE_PASSWORD
    august = _enter(Mode.ADMINISTRATOR, CONSOLE, _at(date(2024, 8, 1)))
    assert august.session is None
    assert august.code == "access.wrong_password"
    assert "since 2024-07-01 only the administrator's own password" in str(august.reason)
    assert august.wrong_password


def test_the_administrators_own_password_opens_it_during_and_after_the_transition() -> None:
    held = BASE.with_administrator_password(HASHER.hash(OWN))
    for day in (date(2024, 5, 15), date(2024, 8, 1)):
        entry = _enter(Mode.ADMINISTRATOR, OWN, _at(day), configuration=held)
        assert entry.session is not None
        assert entry.session.via is Via.ADMINISTRATOR_PASSWORD
    before = _enter(Mode.ADMINISTRATOR, OWN, _at(date(2024, 3, 1)), configuration=held)
    assert before.code == "access.not_yet"
    assert not before.wrong_password


def test_a_session_is_time_limited() -> None:
    now = _at(date(2024, 5, 15))
    entry = _enter(Mode.ADMINISTRATOR, CONSOLE, now)
    assert entry.session is not None
    assert entry.session.active_at(now + timedelta(minutes=29))
    assert not entry.session.active_at(now + timedelta(minutes=30))


def _window(start: datetime) -> BreakGlass:
    return (
        BreakGlass(
            BreakGlassId("bg-1"), ConfigurationId("metz"), WrittenRequest("LR-1", date(2024, 8, 1))
        )
        .quoted(Quote("SP-1", "DEV-1", Decimal("300")))
        .accepted(Acceptance(date(2024, 8, 2), "Marie DUPONT"))
        .scheduled(Window(start, start + timedelta(hours=1)), "Marie DUPONT", ActorId("tech"))
    )


def test_console_mode_after_the_transition_only_inside_a_window() -> None:
    may = _enter(Mode.CONSOLE, CONSOLE, _at(date(2024, 5, 15)))
    assert may.session is not None
    bare = _enter(Mode.CONSOLE, CONSOLE, _at(date(2024, 8, 1)))
    assert bare.code == "access.no_window"
    assert "only through a break-glass intervention" in str(bare.reason)
    start = _at(date(2024, 8, 8), 9)
    record = _window(start)
    early = _enter(Mode.CONSOLE, CONSOLE, start - timedelta(seconds=1), window=record)
    assert early.code == "access.no_window"
    inside = _enter(Mode.CONSOLE, CONSOLE, start + timedelta(minutes=50), window=record)
    assert inside.session is not None
    assert inside.session.expires_at == start + timedelta(hours=1)  # the window ends first
    assert inside.session.window == "bg-1"
    at_end = _enter(Mode.CONSOLE, CONSOLE, start + timedelta(hours=1), window=record)
    assert at_end.code == "access.no_window"
    wrong = _enter(Mode.CONSOLE, OWN, start, window=record)
    assert wrong.code == "access.wrong_password"


def test_five_wrong_passwords_lock_then_the_lockout_doubles() -> None:
    now = _at(date(2024, 5, 15))
    attempts = Attempts()
    for _ in range(MAX_FAILURES):
        entry = _enter(Mode.ADMINISTRATOR, Secret("not-the-password"), now, attempts=attempts)
        attempts = entry.attempts
    assert attempts.locked_until == now + FIRST_LOCKOUT
    locked = _enter(Mode.ADMINISTRATOR, CONSOLE, now + timedelta(minutes=14), attempts=attempts)
    assert locked.code == "access.locked"
    assert locked.attempts == attempts  # not counted, the password not even checked
    later = now + FIRST_LOCKOUT
    for _ in range(MAX_FAILURES):
        attempts = _enter(Mode.ADMINISTRATOR, Secret("x" * 12), later, attempts=attempts).attempts
    assert attempts.locked_until == later + 2 * FIRST_LOCKOUT
    opened = _enter(Mode.ADMINISTRATOR, CONSOLE, later + 2 * FIRST_LOCKOUT, attempts=attempts)
    assert opened.attempts == Attempts()


@given(st.lists(st.integers(min_value=0, max_value=3 * 3600), max_size=40))
def test_failures_spread_out_never_lock_and_a_lockout_never_exceeds_a_day(gaps: list[int]) -> None:
    now = _at(date(2024, 5, 15))
    attempts = Attempts()
    for gap in gaps:
        now += timedelta(seconds=gap)
        if attempts.locked_at(now):
            continue
        attempts = attempts.failed(now)
        if attempts.locked_until is not None and attempts.locked_at(now):
            assert attempts.locked_until - now <= LONGEST_LOCKOUT
            assert attempts.failures == ()
        assert len(attempts.failures) < MAX_FAILURES
        assert all(now - t < timedelta(minutes=15) for t in attempts.failures)


def test_changing_the_password_needs_the_current_one() -> None:
    may = _at(date(2024, 5, 15))
    august = _at(date(2024, 8, 1))

    def change(
        configuration: Configuration, current: Secret, now: datetime, window: bool = False
    ) -> tuple[Via | None, Text | None]:
        return password_change(
            configuration,
            current=current,
            new=OWN,
            now=now,
            transition=TRANSITION,
            hasher=HASHER,
            window_open=window,
        )

    assert change(BASE, CONSOLE, may) == (Via.CONSOLE_PASSWORD, None)
    via, reason = change(BASE, CONSOLE, august)
    assert via is None
    assert "only inside an open break-glass window" in str(reason)
    assert change(BASE, CONSOLE, august, window=True) == (Via.CONSOLE_PASSWORD, None)
    held = BASE.with_administrator_password(HASHER.hash(Secret("first-password-1")))
    assert change(held, CONSOLE, may)[0] is None
    assert change(held, Secret("first-password-1"), august) == (Via.ADMINISTRATOR_PASSWORD, None)
    with pytest.raises(InvalidInput) as caught:
        password_change(
            BASE,
            current=CONSOLE,
            new=CONSOLE,
            now=may,
            transition=TRANSITION,
            hasher=HASHER,
            window_open=False,
        )
    assert caught.value.field == "new"
    assert CONSOLE.reveal() not in str(caught.value)


def test_a_short_password_is_refused_without_being_shown() -> None:
    with pytest.raises(InvalidInput) as caught:
        acceptable(Secret("short-pw"), field="new")
    assert caught.value.field == "new"
    assert "short-pw" not in str(caught.value)
    assert caught.value.text is None


def test_the_hash_and_the_password_never_show(caplog: pytest.LogCaptureFixture) -> None:
    hashed = HASHER.hash(OWN)
    assert hashed.encoded.startswith("$argon2id$")
    logging.getLogger("caredomain.test").warning("stored %s %r for %s", hashed, hashed, OWN)
    shown = repr(hashed) + str(hashed) + repr(OWN) + caplog.text
    assert hashed.encoded not in shown
    assert OWN.reveal() not in shown
    assert "$argon2id$" not in shown
    entry = _enter(Mode.ADMINISTRATOR, OWN, _at(date(2024, 8, 1)))
    assert OWN.reveal() not in repr(entry) + str(entry.reason)


def test_verify_and_rehash() -> None:
    hashed = HASHER.hash(OWN)
    assert HASHER.verify(hashed, OWN)
    assert not HASHER.verify(hashed, CONSOLE)
    assert not HASHER.verify(None, OWN)
    assert not HASHER.verify(PasswordHash("not a hash"), OWN)
    assert not HASHER.needs_rehash(hashed)
    assert Hasher(time_cost=2, memory_cost=8, parallelism=1).needs_rehash(hashed)
