"""Entering a mode, its time-limited session, and the throttling of wrong passwords (seed 002).

"Pendant une période transitoire qui débute le 01/04/2024 … ce mode EIG Administrateur
sera accessible par le mot de passe pupitre. Puis, chaque client administrateur définiera le
mot de passe administrateur de son configurateur. … Les techniciens EIG ne connaîtront pas
ce mot de passe."

Which password opens which mode, by period (:class:`~caredomain.access.transition.Period`)::

                     before            transition                   after
    Administrator    not yet open      administrator's or console   administrator's only
    console          console password  console password             console password, inside
                                                                    a break-glass window only

Decisions where the seed is silent:

* Before the transition Administrator mode does not exist for the customer yet: refused
  with the date it opens (not counted as a wrong attempt).
* A session lasts :data:`SESSION_LENGTH` (30 minutes); a console session opened through a
  break-glass window ends with the window if that comes first.
* Throttling is per configuration and mode, whoever types: :data:`MAX_FAILURES` wrong
  passwords within :data:`FAILURE_SPAN` lock the mode for :data:`FIRST_LOCKOUT`; each
  further lock-out before a success doubles, up to :data:`LONGEST_LOCKOUT`. While locked
  every attempt is refused without its password being checked (and is not counted). A
  success clears it all. A refusal for another reason (no window, not yet open) counts as
  no wrong password.
* The administrator changes her password with her current one. While none is set, the
  console password stands in for it during the transition, or after it inside an open
  break-glass window (the customer's person present types her new one), never otherwise:
  the technicians know the console password. A new administrator password may not be the
  console password.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import NewType

from attrs import evolve, field, frozen

from caredomain.access.breakglass import BreakGlass, BreakGlassId, console_refusal
from caredomain.access.configurations import Configuration
from caredomain.access.modes import Mode
from caredomain.access.passwords import Hasher, acceptable
from caredomain.access.transition import Period, Transition
from caredomain.arguments import checked_fields
from caredomain.clock import require_aware
from caredomain.errors import InvalidInput
from caredomain.organisation import ConfigurationId
from caredomain.secret import Secret
from caredomain.text import Text
from caredomain.validation import identifier

__all__ = [
    "FAILURE_SPAN",
    "FIRST_LOCKOUT",
    "LONGEST_LOCKOUT",
    "MAX_FAILURES",
    "SESSION_LENGTH",
    "Attempts",
    "Entry",
    "Session",
    "SessionId",
    "Via",
    "enter_mode",
    "password_change",
]

SessionId = NewType("SessionId", str)

SESSION_LENGTH = timedelta(minutes=30)
MAX_FAILURES = 5
FAILURE_SPAN = timedelta(minutes=15)
FIRST_LOCKOUT = timedelta(minutes=15)
LONGEST_LOCKOUT = timedelta(hours=24)


class Via(StrEnum):
    """Which password opened a session (or stood in for the current one)."""

    ADMINISTRATOR_PASSWORD = "administrator-password"
    CONSOLE_PASSWORD = "console-password"


@frozen(field_transformer=checked_fields)
class Session:
    """A time-limited session in a mode of a configuration, opened by ``actor``."""

    id: SessionId = field(validator=identifier)
    configuration: ConfigurationId
    mode: Mode
    actor: str
    via: Via
    opened_at: datetime
    expires_at: datetime
    window: BreakGlassId | None = None

    def active_at(self, now: datetime) -> bool:
        return self.opened_at <= require_aware(now, "now") < self.expires_at


@frozen(field_transformer=checked_fields)
class Attempts:
    """The recent wrong passwords of one configuration's mode, and its lock-out."""

    failures: tuple[datetime, ...] = ()
    lockouts: int = 0
    locked_until: datetime | None = None

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def failed(self, now: datetime) -> Attempts:
        recent = (*(t for t in self.failures if now - t < FAILURE_SPAN), now)
        if len(recent) < MAX_FAILURES:
            return evolve(self, failures=recent)
        lockouts = self.lockouts + 1
        length = min(FIRST_LOCKOUT * 2 ** min(lockouts - 1, 16), LONGEST_LOCKOUT)
        return Attempts((), lockouts, now + length)

    def succeeded(self) -> Attempts:
        return Attempts()


@frozen
class Entry:
    """What an attempt to enter a mode gave: a session, or a refusal with its stable
    ``code`` and reason; and the attempts as they now stand. ``wrong_password`` says
    whether it counts as a wrong attempt."""

    attempts: Attempts
    session: Session | None = None
    code: str = ""
    reason: Text | None = None
    wrong_password: bool = False


def _refused(attempts: Attempts, code: str, reason: Text, *, wrong: bool = False) -> Entry:
    return Entry(attempts, code=code, reason=reason, wrong_password=wrong)


def enter_mode(
    configuration: Configuration,
    mode: Mode,
    password: Secret,
    *,
    actor: str,
    session_id: SessionId,
    now: datetime,
    transition: Transition,
    hasher: Hasher,
    attempts: Attempts,
    window: BreakGlass | None = None,
) -> Entry:
    """Try to enter ``mode`` of ``configuration`` with ``password`` at ``now`` (the table
    of the module); ``window`` is the break-glass intervention the console is asked
    through, after the transition."""
    require_aware(now, "now")
    if attempts.locked_at(now):
        until = attempts.locked_until.isoformat() if attempts.locked_until else ""
        reason = Text(
            "too many wrong passwords: {mode} mode is locked until {until}",
            mode=mode.value,
            until=until,
        )
        return _refused(attempts, "access.locked", reason)
    period = transition.period_at_instant(now)
    expires = now + SESSION_LENGTH
    if mode is Mode.ADMINISTRATOR:
        if period is Period.BEFORE:
            reason = Text(
                "Administrator mode opens on {day}, with the transition",
                day=transition.transition_from.isoformat(),
            )
            return _refused(attempts, "access.not_yet", reason)
        if hasher.verify(configuration.administrator_password, password):
            via = Via.ADMINISTRATOR_PASSWORD
        elif period is Period.TRANSITION and hasher.verify(
            configuration.console_password, password
        ):
            via = Via.CONSOLE_PASSWORD
        else:
            return _refused(
                attempts.failed(now),
                "access.wrong_password",
                _wrong_administrator_password(configuration, period, transition),
                wrong=True,
            )
        held = None
    else:
        held = None  # before the end of the transition the console needs no window
        if period is Period.AFTER:
            refusal = console_refusal(window, now)
            if refusal is not None:
                return _refused(attempts, "access.no_window", refusal)
            assert window is not None
            assert window.window is not None
            expires = min(expires, window.window.end)
            held = window.id
        if not hasher.verify(configuration.console_password, password):
            reason = Text("wrong console password")
            return _refused(attempts.failed(now), "access.wrong_password", reason, wrong=True)
        via = Via.CONSOLE_PASSWORD
    session = Session(session_id, configuration.id, mode, actor, via, now, expires, held)
    return Entry(attempts.succeeded(), session=session)


def _wrong_administrator_password(
    configuration: Configuration, period: Period, transition: Transition
) -> Text:
    if period is Period.AFTER and configuration.administrator_password is None:
        return Text(
            "wrong password: since {day} only the administrator's own password opens "
            "Administrator mode, and configuration {id} has none set",
            day=transition.transition_until.isoformat(),
            id=configuration.id,
        )
    if period is Period.AFTER:
        return Text(
            "wrong password: since {day} only the administrator's own password opens "
            "Administrator mode",
            day=transition.transition_until.isoformat(),
        )
    return Text("wrong password for Administrator mode")


def password_change(
    configuration: Configuration,
    *,
    current: Secret,
    new: Secret,
    now: datetime,
    transition: Transition,
    hasher: Hasher,
    window_open: bool,
) -> tuple[Via | None, Text | None]:
    """Whether ``current`` allows setting the administrator's password to ``new`` (the
    module's last rule): which password it was, or ``None`` and why not. A ``new`` password
    too short is :class:`InvalidInput`, before anything is checked."""
    acceptable(new, field="new")
    if configuration.administrator_password is not None:
        if hasher.verify(configuration.administrator_password, current):
            via: Via | None = Via.ADMINISTRATOR_PASSWORD
        else:
            return None, Text("wrong current administrator password")
    else:
        period = transition.period_at_instant(now)
        if period is Period.BEFORE:
            return None, Text(
                "Administrator mode opens on {day}, with the transition",
                day=transition.transition_from.isoformat(),
            )
        if period is Period.AFTER and not window_open:
            return None, Text(
                "no administrator password is set: after the transition the console password "
                "stands in for it only inside an open break-glass window"
            )
        if not hasher.verify(configuration.console_password, current):
            return None, Text("wrong console password")
        via = Via.CONSOLE_PASSWORD
    if hasher.verify(configuration.console_password, new):
        raise InvalidInput(
            Text("the administrator's password must not be the console password"), field="new"
        )
    return via, None
