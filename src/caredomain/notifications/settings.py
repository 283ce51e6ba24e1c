"""Which notifications go out, by which channel, with which texts (seed 003).

"Notifications globales": for each kind, the channels (mail, SMS, both, or none).
"Surcharge des notifications": an appointment type may have its own table, which then
*replaces* the global one for that type — a kind the type's table leaves out is not sent
for that type. Texts are looked up from the most specific: the type's own, then the
global ones, then the defaults of :mod:`~caredomain.notifications.texts`.

Settings are plain data in the store and in files (see :meth:`NotificationSettings.from_data`)::

    [channels]
    "appointment.created" = ["mail"]
    "appointment.reminder" = ["mail", "sms"]
    "appointment.no_show" = []              # or ["none"]

    [texts."appointment.created".sms]
    body = "RDV {5} le {1} à {3}."

    [types."id-card".channels]              # this type's own table, replacing the global one
    "appointment.created" = ["mail", "sms"]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from attrs import field, frozen

from caredomain.arguments import checked_fields
from caredomain.errors import InvalidInput
from caredomain.notifications.kinds import KINDS, EventKind, KindRegistry
from caredomain.notifications.texts import Texts, default_texts
from caredomain.serialization import parse_toml
from caredomain.strict import shown_value, toml_type
from caredomain.text import Text

__all__ = [
    "ChannelTable",
    "NotificationChannel",
    "NotificationSettings",
    "TextTable",
    "TypeNotifications",
]


class NotificationChannel(StrEnum):
    MAIL = "mail"
    SMS = "sms"


ChannelTable = Mapping[str, frozenset[NotificationChannel]]
"""Kind key -> the channels it goes out on (empty: none)."""
TextTable = Mapping[tuple[str, NotificationChannel], Texts]
"""(kind key, channel) -> the texts saved for it."""


def _frozen_map(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(dict(value))


def _channels(value: Mapping[str, Iterable[str]]) -> ChannelTable:
    return MappingProxyType(
        {
            key: frozenset(NotificationChannel(c) for c in channels)
            for key, channels in value.items()
        }
    )


@frozen(field_transformer=checked_fields)
class TypeNotifications:
    """An appointment type's own settings ("surcharge"): its complete channel table, and
    texts of its own for some kinds and channels."""

    channels: ChannelTable = field(factory=dict, converter=_channels)
    texts: TextTable = field(factory=dict, converter=_frozen_map)


@frozen(field_transformer=checked_fields)
class NotificationSettings:
    """The global table, the global texts, and the types' own settings by type id.

    A kind missing from the global table keeps its default channels
    (:attr:`~caredomain.notifications.kinds.EventKind.default_channels`).
    """

    channels: ChannelTable = field(factory=dict, converter=_channels)
    texts: TextTable = field(factory=dict, converter=_frozen_map)
    types: Mapping[str, TypeNotifications] = field(factory=dict, converter=_frozen_map)

    def channels_for(self, kind: EventKind, scope: str | None = None) -> frozenset[str]:
        """The channels ``kind`` goes out on for ``scope`` (an appointment type id)."""
        own = self.types.get(scope) if scope is not None else None
        if own is not None:
            return frozenset(own.channels.get(kind.key, frozenset()))
        if kind.key in self.channels:
            return frozenset(self.channels[kind.key])
        return kind.default_channels

    def texts_for(self, kind: EventKind, channel: str, scope: str | None = None) -> Texts:
        """The texts of ``kind`` on ``channel``: the type's own, the global, the default."""
        key = (kind.key, NotificationChannel(channel))
        own = self.types.get(scope) if scope is not None else None
        if own is not None and key in own.texts:
            return own.texts[key]
        if key in self.texts:
            return self.texts[key]
        return default_texts(kind, channel)

    # -- plain data -----------------------------------------------------------------------

    def to_data(self) -> dict[str, Any]:
        """Plain data, as :meth:`from_data` reads it."""
        data: dict[str, Any] = {"channels": _channels_data(self.channels)}
        if self.texts:
            data["texts"] = _texts_data(self.texts)
        if self.types:
            data["types"] = {
                type_id: {
                    "channels": _channels_data(own.channels),
                    **({"texts": _texts_data(own.texts)} if own.texts else {}),
                }
                for type_id, own in sorted(self.types.items())
            }
        return data

    @classmethod
    def from_data(
        cls, data: object, kinds: KindRegistry = KINDS, *, source: str | None = None
    ) -> NotificationSettings:
        """Read plain data; every template is checked. Errors name the path at fault."""
        try:
            table = _table(data, "")
            _only(table, {"channels", "texts", "types"}, "")
            types = _table(table.get("types", {}), "types")
            return cls(
                channels=_read_channels(table.get("channels", {}), kinds, "channels"),
                texts=_read_texts(table.get("texts", {}), kinds, "texts"),
                types={
                    str(type_id): _read_type(value, kinds, f"types.{type_id}")
                    for type_id, value in types.items()
                },
            )
        except InvalidInput as error:
            raise error.located(source=source) from None

    @classmethod
    def from_toml(
        cls, text: str | bytes, kinds: KindRegistry = KINDS, *, source: str | None = None
    ) -> NotificationSettings:
        """Read settings written in TOML (the shape shown in this module's docstring), from
        a file's bytes or its text."""
        return cls.from_data(parse_toml(text, source=source), kinds, source=source)


def _channels_data(table: ChannelTable) -> dict[str, list[str]]:
    return {key: sorted(str(c) for c in channels) for key, channels in sorted(table.items())}


def _texts_data(table: TextTable) -> dict[str, dict[str, dict[str, str]]]:
    data: dict[str, dict[str, dict[str, str]]] = {}
    for (kind, channel), texts in sorted(table.items()):
        entry = {"body": texts.body.text}
        if texts.subject is not None:
            entry["subject"] = texts.subject.text
        data.setdefault(kind, {})[str(channel)] = entry
    return data


def _table(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInput(Text("expected a table"), field=where or None, text=repr(value)[:80])
    return value


def _only(table: Mapping[str, Any], keys: set[str], where: str) -> None:
    extra = sorted(set(table) - keys)
    if extra:
        raise InvalidInput(
            Text(
                "unknown keys: {keys} (expected {expected})",
                keys=", ".join(extra),
                expected=", ".join(sorted(keys)),
            ),
            field=where or None,
            text=extra[0],
        )


def _kind(kinds: KindRegistry, key: object, where: str) -> EventKind:
    if not isinstance(key, str) or key not in kinds:
        known = ", ".join(sorted(kind.key for kind in kinds))
        raise InvalidInput(
            Text("unknown notification kind; known: {known}", known=known),
            field=where,
            text=str(key),
        )
    return kinds.get(key)


def _channel(value: object, where: str) -> NotificationChannel:
    if not isinstance(value, str):
        raise InvalidInput(
            Text("expected mail, sms or none as a channel, not {type}", type=toml_type(value)),
            field=where,
            text=shown_value(value),
        )
    try:
        return NotificationChannel(value)
    except ValueError:
        raise InvalidInput(
            Text("expected mail, sms or none as a channel"), field=where, text=shown_value(value)
        ) from None


def _read_channels(value: object, kinds: KindRegistry, where: str) -> ChannelTable:
    table: dict[str, frozenset[NotificationChannel]] = {}
    for key, channels in _table(value, where).items():
        path = f"{where}.{key}"
        _kind(kinds, key, path)
        if isinstance(channels, str) or not isinstance(channels, list):
            raise InvalidInput(
                Text('expected a list of channels such as ["mail", "sms"]'),
                field=path,
                text=repr(channels),
            )
        chosen = [] if channels == ["none"] else channels
        table[key] = frozenset(_channel(c, f"{path}[{i}]") for i, c in enumerate(chosen))
    return table


def _read_texts(value: object, kinds: KindRegistry, where: str) -> TextTable:
    table: dict[tuple[str, NotificationChannel], Texts] = {}
    for key, per_channel in _table(value, where).items():
        kind = _kind(kinds, key, f"{where}.{key}")
        for name, entry in _table(per_channel, f"{where}.{key}").items():
            path = f"{where}.{key}.{name}"
            channel = _channel(name, path)
            texts = _table(entry, path)
            _only(texts, {"subject", "body"}, path)
            body, subject = texts.get("body"), texts.get("subject")
            if not isinstance(body, str):
                raise InvalidInput(
                    Text("expected the body as text"), field=f"{path}.body", text=repr(body)
                )
            if subject is not None and not isinstance(subject, str):
                raise InvalidInput(
                    Text("expected text"), field=f"{path}.subject", text=repr(subject)
                )
            table[(key, channel)] = Texts.parse(kind, channel, body, subject, where=path)
    return table


def _read_type(value: object, kinds: KindRegistry, where: str) -> TypeNotifications:
    table = _table(value, where)
    _only(table, {"channels", "texts"}, where)
    return TypeNotifications(
        channels=_read_channels(table.get("channels", {}), kinds, f"{where}.channels"),
        texts=_read_texts(table.get("texts", {}), kinds, f"{where}.texts"),
    )
