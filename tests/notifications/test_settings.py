"""Channel settings: global, and replaced for an appointment type that has its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caredomain import Organisation, OrganisationId
from caredomain.access import ActorId
from caredomain.errors import Forbidden, InvalidInput
from caredomain.notifications import (
    KINDS,
    NotificationSettings,
    Notifier,
    Texts,
    TypeNotifications,
)
from caredomain.notifications.services import configure_notifications, notification_settings
from caredomain.notifications.settings import NotificationChannel
from caredomain.notifications.templates import Template
from caredomain.slots import AppointmentBooked, Beneficiary, Channel, CounterId, PlaceId, TypeId
from caredomain.slots.model import AppointmentId
from caredomain.slots.services import book_slot

PARIS = ZoneInfo("Europe/Paris")
TUESDAY_1430 = datetime(2026, 2, 3, 14, 30, tzinfo=PARIS)
ORGANISATION = Organisation(OrganisationId("o"), "Mairie")
KIND_KEYS = sorted(kind.key for kind in KINDS)
TYPES = ["id-card", "passport", "wedding"]

channel_sets = st.frozensets(st.sampled_from(["mail", "sms"]))
tables = st.dictionaries(st.sampled_from(KIND_KEYS), channel_sets)


@given(
    tables,
    st.dictionaries(st.sampled_from(TYPES), tables),
    st.sampled_from(KIND_KEYS),
    st.sampled_from([*TYPES, None]),
)
def test_a_types_own_table_replaces_the_global_one(
    global_table: dict[str, frozenset[str]],
    own: dict[str, dict[str, frozenset[str]]],
    key: str,
    scope: str | None,
) -> None:
    kind = KINDS.get(key)
    settings = NotificationSettings(
        channels=global_table,
        types={type_id: TypeNotifications(channels=table) for type_id, table in own.items()},
    )
    chosen = settings.channels_for(kind, scope)
    if scope in own:
        assert chosen == own[scope].get(key, frozenset())
        # The global table is never used for that type: any other global table, same answer.
        other = NotificationSettings(
            channels={k: frozenset() for k in KIND_KEYS}, types=settings.types
        )
        assert other.channels_for(kind, scope) == chosen
    else:
        assert chosen == global_table.get(key, kind.default_channels)


def _booked(type_id: str) -> AppointmentBooked:
    return AppointmentBooked(
        event_id="e1",
        occurred_at=datetime(2026, 2, 2, 8, tzinfo=PARIS),
        organisation_id="o",
        appointment_id=AppointmentId("a1"),
        type_id=TypeId(type_id),
        counter_id=CounterId("g1"),
        place_id=PlaceId("hall"),
        beneficiary=Beneficiary("c", "Marie", email="marie@example.org", phone="+33612345678"),
        start=TUESDAY_1430,
        duration_minutes=20,
        counter_name="Guichet 1",
        place_name="Hôtel de ville",
        place_address="1 place de la Mairie",
        type_label="Pièces d'identité",
        channel=Channel.PORTAL,
        booked_by=ActorId("c"),
    )


@given(channel_sets, st.one_of(st.none(), channel_sets), st.sampled_from(TYPES))
def test_the_notifier_queues_on_the_channels_the_settings_choose(
    global_channels: frozenset[str], own_channels: frozenset[str] | None, type_id: str
) -> None:
    types = {}
    if own_channels is not None:
        types[type_id] = TypeNotifications(channels={"appointment.created": own_channels})
    settings = NotificationSettings(channels={"appointment.created": global_channels}, types=types)
    queued = Notifier().plan([_booked(type_id)], lambda _: (ORGANISATION, settings))
    created = {m.channel for m in queued.messages if m.kind == "appointment.created"}
    assert created == (global_channels if own_channels is None else own_channels)


SAMPLE = """
[channels]
"appointment.created" = ["mail", "sms"]
"appointment.no_show" = ["none"]

[texts."appointment.created".sms]
body = "RDV {5} le {1} ({{confirmé}})"

[types."id-card".channels]
"appointment.created" = ["sms"]

[types."id-card".texts."appointment.created".mail]
subject = "Votre RDV du {1}"
body = "Bonjour {0}"
"""


def test_settings_read_from_toml_and_back() -> None:
    settings = NotificationSettings.from_toml(SAMPLE, source="notifications.toml")
    created, no_show = KINDS.get("appointment.created"), KINDS.get("appointment.no_show")
    assert settings.channels_for(created) == {"mail", "sms"}
    assert settings.channels_for(no_show) == set()
    assert settings.channels_for(created, "id-card") == {"sms"}
    assert settings.channels_for(no_show, "id-card") == set()
    assert settings.texts_for(created, "mail", "id-card").body.text == "Bonjour {0}"
    assert (
        settings.texts_for(created, "sms", "id-card").body.text == "RDV {5} le {1} ({{confirmé}})"
    )
    assert settings.texts_for(created, "mail").body.text.startswith("Bonjour {0},\n\nVotre")
    assert NotificationSettings.from_data(settings.to_data()) == settings


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (
            '[channels]\n"appointment.typo" = ["mail"]',
            "channels.appointment.typo",
            "unknown notification kind",
        ),
        (
            '[channels]\n"appointment.created" = ["fax"]',
            "channels.appointment.created[0]",
            "expected mail, sms or none",
        ),
        (
            '[channels]\n"appointment.created" = "mail"',
            "channels.appointment.created",
            "a list of channels",
        ),
        (
            '[texts."appointment.created".mail]\nsubject = "x"\nbody = "{0.__class__}"',
            "texts.appointment.created.mail.body",
            "attribute or index access",
        ),
        (
            '[texts."appointment.created".mail]\nbody = "x"',
            "texts.appointment.created.mail.subject",
            "needs a subject",
        ),
        (
            '[texts."appointment.created".sms]\nbody = "x"\nsubject = "y"',
            "texts.appointment.created.sms.subject",
            "has no subject",
        ),
        ('[types.t]\ncolour = "red"', "types.t", "unknown keys: colour"),
        ("oops = 1", None, "unknown keys: oops"),
    ],
)
def test_bad_settings_name_the_path_at_fault(text: str, field: str | None, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as refused:
        NotificationSettings.from_toml(text, source="n.toml")
    assert refused.value.field == field
    assert refused.value.source == "n.toml"


def test_administrators_save_the_settings_and_the_notifier_follows_them(town: Any) -> None:
    settings = NotificationSettings.from_toml(SAMPLE)
    configure_notifications(town.context, town.admin, town.organisation.id, settings)
    assert notification_settings(town.context, town.admin, town.organisation.id) == settings
    with pytest.raises(Forbidden):
        configure_notifications(town.context, town.agent, town.organisation.id, settings)
    book_slot(
        town.context,
        town.citizen,
        town.organisation.id,
        counter_id=town.counter,
        start=town.tuesday_1430,
        beneficiary=town.marie,
        channel=Channel.PORTAL,
    )
    with town.store.unit_of_work(write=False) as uow:
        created = [m for m in uow.notifications.messages() if m.kind == "appointment.created"]
    # id-card has its own table: SMS only, although the global one says mail and SMS.
    assert [(m.channel, m.recipient) for m in created] == [("sms", "+33612345678")]
    assert created[0].body == "RDV Pièces d'identité le mardi 3 février 2026 à 14 h 30 ({confirmé})"


def test_a_template_built_in_python_is_checked_when_saved(town: Any) -> None:
    """A Template made with its constructor skips parse(): saving checks it all the same."""
    forged = Texts(Template("RDV {0.__class__}", ("RDV ",)))
    settings = NotificationSettings(
        texts={("appointment.created", NotificationChannel.SMS): forged}
    )
    with pytest.raises(InvalidInput, match="attribute or index access") as refused:
        configure_notifications(town.context, town.admin, town.organisation.id, settings)
    assert refused.value.field == "texts.appointment.created.sms.body"
    book_slot(  # nothing was saved: bookings still queue their notifications
        town.context,
        town.citizen,
        town.organisation.id,
        counter_id=town.counter,
        start=town.tuesday_1430,
        beneficiary=town.marie,
        channel=Channel.PORTAL,
    )
