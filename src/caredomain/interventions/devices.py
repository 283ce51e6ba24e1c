"""The caregivers' phones (seed 004): what each platform can do, the access token, the data
waiting to be sent, and the "Déclaration de perte" that blocks a lost or stolen phone.

* iOS: "Les fonctions de la version compatible iOS (iPhone) sont limitées, les salariés
  peuvent uniquement consulter leurs plannings et pointer les débuts et fins
  d'interventions à domicile" — :data:`IOS_ACTIONS`, refusal ``device.not_supported_on_ios``.
* "Point concernant l'alerte de fin d'intervention": the alert 5 minutes before the end of
  a visit is gone from Android 9 on, and kept only on phones known to run an older Android —
  refusal ``device.end_of_visit_alert_unavailable``.
* "Déclaration de perte": blocking a phone ends its access at once (its token is refused,
  :meth:`Device.authenticate`), drops what was waiting to be sent to it, and nothing is
  queued for it again (:meth:`Device.block`). A blocked phone stays blocked: a phone found
  again is enrolled anew, under a new id and token. Blocking the SIM card with the operator
  is not part of it (the seed: it must be reported separately).

The core draws no random numbers: the caller makes the token (``secrets.token_urlsafe``)
and the device keeps only its SHA-256 digest, never shown in a repr.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import NewType

from attrs import Attribute, evolve, field, frozen

from caredomain.errors import Forbidden, InvalidInput, RuleViolation
from caredomain.events import Event
from caredomain.interventions.model import CaregiverId, utc
from caredomain.interventions.phone_events import IdFactory
from caredomain.text import Text
from caredomain.validation import identifier, member_of, non_blank

__all__ = [
    "ALL_ACTIONS",
    "IOS_ACTIONS",
    "LAST_ANDROID_WITH_END_ALERT",
    "MIN_TOKEN_LENGTH",
    "AppMode",
    "BlockResult",
    "Device",
    "DeviceBlocked",
    "DeviceId",
    "Loss",
    "LossKind",
    "Outbound",
    "PayloadKind",
    "PhoneAction",
    "Platform",
    "capabilities",
    "hash_token",
]

DeviceId = NewType("DeviceId", str)

MIN_TOKEN_LENGTH = 16
LAST_ANDROID_WITH_END_ALERT = 8
"""Android 9 stopped the end-of-visit alert; phones known to run Android 8 or older keep it."""


class Platform(StrEnum):
    ANDROID = "android"
    IOS = "ios"


class AppMode(StrEnum):
    INSTALLED = "installed"  # on the organisation's phones (with the Kiosk app, if wanted)
    BYOD = "byod"  # "Bring Your Own Device": the caregiver's own phone, from the store


class PhoneAction(StrEnum):
    """What a caregiver does with the app."""

    VIEW_PLANNING = "view-planning"
    CLOCK = "clock"  # clock in and out, by badge or by hand
    CLIENT_RECORD = "client-record"  # the "fiche usager"
    VISIT_DATA = "visit-data"  # km, expenses, comments during a visit
    REPORT = "report"  # the end-of-visit report and the tasks done
    MESSAGE = "message"
    CALL_BACK = "call-back"
    EMERGENCY_NUMBERS = "emergency-numbers"
    DIRECTORY = "directory"
    REQUESTS = "requests"  # absence and regularisation requests
    PROFESSIONAL_CARD = "professional-card"
    ALARM = "alarm"  # the lone-worker alarm (DATI)
    END_OF_VISIT_ALERT = "end-of-visit-alert"  # the alert 5 minutes before the end


ALL_ACTIONS = frozenset(PhoneAction)
IOS_ACTIONS = frozenset({PhoneAction.VIEW_PLANNING, PhoneAction.CLOCK})


def capabilities(platform: Platform, android_version: int | None = None) -> frozenset[PhoneAction]:
    """What the app can do on ``platform``: everything on Android but the end-of-visit
    alert, which needs a phone known to run Android 8 or older; on iOS only viewing the
    planning and clocking in and out."""
    if member_of(Platform, platform, "platform") is Platform.IOS:
        return IOS_ACTIONS
    if android_version is not None and android_version <= LAST_ANDROID_WITH_END_ALERT:
        return ALL_ACTIONS
    return ALL_ACTIONS - {PhoneAction.END_OF_VISIT_ALERT}


class PayloadKind(StrEnum):
    """What the platform sends to a phone, and the action that needs it."""

    PLANNING = "planning"
    PLANNING_ALERT = "planning-alert"
    CLIENT_RECORD = "client-record"
    TASKS = "tasks"
    MESSAGE = "message"
    EMERGENCY_NUMBERS = "emergency-numbers"
    DIRECTORY = "directory"
    REQUEST_DECISION = "request-decision"
    ALARM_SETTINGS = "alarm-settings"
    END_OF_VISIT_ALERT = "end-of-visit-alert"

    @property
    def action(self) -> PhoneAction:
        return _PAYLOAD_ACTIONS[self]


_PAYLOAD_ACTIONS = {
    PayloadKind.PLANNING: PhoneAction.VIEW_PLANNING,
    PayloadKind.PLANNING_ALERT: PhoneAction.VIEW_PLANNING,
    PayloadKind.CLIENT_RECORD: PhoneAction.CLIENT_RECORD,
    PayloadKind.TASKS: PhoneAction.REPORT,
    PayloadKind.MESSAGE: PhoneAction.MESSAGE,
    PayloadKind.EMERGENCY_NUMBERS: PhoneAction.EMERGENCY_NUMBERS,
    PayloadKind.DIRECTORY: PhoneAction.DIRECTORY,
    PayloadKind.REQUEST_DECISION: PhoneAction.REQUESTS,
    PayloadKind.ALARM_SETTINGS: PhoneAction.ALARM,
    PayloadKind.END_OF_VISIT_ALERT: PhoneAction.END_OF_VISIT_ALERT,
}


def _payload_kind(value: object) -> PayloadKind:
    return member_of(PayloadKind, value, "kind")


@frozen
class Outbound:
    """Something waiting to be sent to a phone: the id of the payload and its kind."""

    payload_id: str = field(validator=identifier)
    kind: PayloadKind = field(converter=_payload_kind)


class LossKind(StrEnum):
    LOST = "lost"
    STOLEN = "stolen"


def _loss_kind(value: object) -> LossKind:
    return member_of(LossKind, value, "reason")


def _loss_at(value: datetime) -> datetime:
    return utc(value, "at")


@frozen
class Loss:
    """A declared loss or theft: why, who declared it on the web interface, and when."""

    reason: LossKind = field(converter=_loss_kind)
    by: str = field(validator=non_blank)
    at: datetime = field(converter=_loss_at)


@frozen(kw_only=True)
class DeviceBlocked(Event):
    """A phone was declared lost or stolen: its access ended and ``dropped`` (payload ids)
    will never be sent to it."""

    device_id: str
    caregiver_id: str
    reason: str
    by: str
    dropped: tuple[str, ...]


def hash_token(token: str) -> str:
    """The SHA-256 digest (hex) under which a device's token is kept."""
    if not isinstance(token, str) or len(token) < MIN_TOKEN_LENGTH:
        # The text is never echoed: it may be a real token.
        raise InvalidInput(
            Text("a device token is at least {n} characters", n=MIN_TOKEN_LENGTH), field="token"
        )
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _platform(value: object) -> Platform:
    return member_of(Platform, value, "platform")


def _mode(value: object) -> AppMode | None:
    return None if value is None else member_of(AppMode, value, "mode")


def _android_version(instance: object, attribute: Attribute[int | None], value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 99:
        raise InvalidInput(
            Text("an Android major version, 1 to 99"), field=attribute.name, text=str(value)
        )


def _outbox(values: Iterable[Outbound]) -> tuple[Outbound, ...]:
    return tuple(values)


@frozen
class BlockResult:
    """What blocking did: the blocked device, the data dropped, and the event (None when
    the device was blocked already)."""

    device: Device
    dropped: tuple[Outbound, ...]
    event: DeviceBlocked | None


@frozen(kw_only=True)
class Device:
    """A caregiver's phone with the app, on ``platform`` (``android_version``: its major
    version when known), in ``mode`` when known. ``token_hash`` is the digest of its access
    token; ``outbox`` what waits to be sent to it; ``loss`` the declared loss that blocked
    it."""

    id: DeviceId = field(validator=identifier)
    caregiver_id: CaregiverId = field(validator=identifier)
    platform: Platform = field(converter=_platform)
    mode: AppMode | None = field(default=None, converter=_mode)
    android_version: int | None = field(default=None, validator=_android_version)
    token_hash: str | None = field(default=None, repr=False)
    outbox: tuple[Outbound, ...] = field(default=(), converter=_outbox)
    loss: Loss | None = None

    def __attrs_post_init__(self) -> None:
        if self.platform is Platform.IOS and self.android_version is not None:
            raise InvalidInput(
                Text("an iPhone has no Android version"),
                field="android_version",
                text=str(self.android_version),
            )
        if self.blocked and (self.outbox or self.token_hash is not None):
            raise InvalidInput(
                Text("a blocked device has neither a token nor data to send"),
                field="loss",
                text=self.id,
            )

    @classmethod
    def enrol(
        cls,
        device_id: DeviceId,
        caregiver_id: CaregiverId,
        platform: Platform,
        *,
        token: str,
        mode: AppMode | None = None,
        android_version: int | None = None,
    ) -> Device:
        """A new device with its access token (made by the caller, kept as a digest)."""
        return cls(
            id=device_id,
            caregiver_id=caregiver_id,
            platform=platform,
            mode=mode,
            android_version=android_version,
            token_hash=hash_token(token),
        )

    @property
    def blocked(self) -> bool:
        return self.loss is not None

    @property
    def capabilities(self) -> frozenset[PhoneAction]:
        """What the app can do on this device: nothing once it is blocked."""
        if self.blocked:
            return frozenset()
        return capabilities(self.platform, self.android_version)

    def can(self, action: PhoneAction) -> bool:
        return member_of(PhoneAction, action, "action") in self.capabilities

    def require(self, action: PhoneAction) -> None:
        """Refuse ``action`` when this device cannot do it: Forbidden once blocked;
        ``device.not_supported_on_ios``; ``device.end_of_visit_alert_unavailable``."""
        wanted = member_of(PhoneAction, action, "action")
        if self.blocked:
            raise Forbidden(Text("the device {device} is blocked", device=repr(self.id)))
        if wanted in self.capabilities:
            return
        if self.platform is Platform.IOS:
            raise RuleViolation(
                "device.not_supported_on_ios",
                Text(
                    "the iOS app can only view the planning and clock in and out, not {action}",
                    action=str(wanted),
                ),
            )
        raise RuleViolation(
            "device.end_of_visit_alert_unavailable",
            Text(
                "the alert 5 minutes before the end of a visit needs a phone known to run "
                "Android 8 or older"
            ),
        )

    def issue_token(self, token: str) -> Device:
        """The device with a new access token (the old one stops working)."""
        if self.blocked:
            raise Forbidden(
                Text("the device {device} is blocked: enrol the phone anew", device=repr(self.id))
            )
        return evolve(self, token_hash=hash_token(token))

    def authenticate(self, token: str) -> Device:
        """This device, if ``token`` is its access token and it is not blocked; Forbidden
        otherwise (the same answer, whatever was wrong)."""
        presented = hashlib.sha256(str(token).encode("utf-8")).hexdigest()
        expected = self.token_hash or ""
        if self.blocked or not hmac.compare_digest(presented, expected):
            raise Forbidden(Text("unknown or blocked device"))
        return self

    @property
    def pending(self) -> tuple[Outbound, ...]:
        """What the next synchronisation sends to the phone (nothing once blocked)."""
        return self.outbox

    def enqueue(self, items: Iterable[Outbound]) -> tuple[Device, tuple[Outbound, ...]]:
        """The device with ``items`` waiting to be sent, and those actually queued: none
        for a blocked device, none the device cannot use (a message for an iPhone), none
        already waiting (same payload id)."""
        if self.blocked:
            return self, ()
        waiting = {item.payload_id for item in self.outbox}
        queued: list[Outbound] = []
        for item in items:
            if item.payload_id not in waiting and self.can(item.kind.action):
                waiting.add(item.payload_id)
                queued.append(item)
        if not queued:
            return self, ()
        return evolve(self, outbox=(*self.outbox, *queued)), tuple(queued)

    def delivered(self, payload_ids: Iterable[str]) -> Device:
        """The device once the phone confirmed it received ``payload_ids``."""
        done = set(payload_ids)
        return evolve(self, outbox=tuple(i for i in self.outbox if i.payload_id not in done))

    def block(self, reason: LossKind, *, by: str, at: datetime, new_id: IdFactory) -> BlockResult:
        """The seed's "Déclaration de perte": the phone loses its access at once, what
        waited to be sent to it is dropped, and nothing will be sent to it again. Blocking
        a blocked device changes nothing."""
        if self.blocked:
            return BlockResult(self, (), None)
        loss = Loss(reason, by, at)
        event = DeviceBlocked(
            event_id=new_id(),
            occurred_at=loss.at,
            device_id=self.id,
            caregiver_id=self.caregiver_id,
            reason=loss.reason,
            by=loss.by,
            dropped=tuple(item.payload_id for item in self.outbox),
        )
        device = evolve(self, loss=loss, token_hash=None, outbox=())
        return BlockResult(device, self.outbox, event)
