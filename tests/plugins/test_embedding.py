"""open_context: the one call an application makes, with plugins and notifications on."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from caredomain import Actor, Event, FixedClock, Forbidden, hookimpl
from caredomain.cli.demo_run import sample_configuration
from caredomain.embedding import open_context
from caredomain.notifications import OutboxStatus
from caredomain.organisation import ConfigurationId
from caredomain.plugins import load_plugins
from caredomain.services import ServiceContext, configure_organisation
from caredomain.slots import Beneficiary, Channel, TypeId
from caredomain.slots.services import book_slot, configure_slots
from caredomain.slots.services import free_slots as list_free_slots

PARIS = ZoneInfo("Europe/Paris")
ADMIN = Actor.administrator(
    "admin", "Administratrice", configuration=ConfigurationId("sarreguemines")
)
CAMILLE = Beneficiary("camille", "Camille Martin", email="camille@example.org")


class Recorder:
    def __init__(self) -> None:
        self.kinds: list[str] = []

    @hookimpl
    def caredomain_on_event(self, event: Event) -> None:
        self.kinds.append(event.kind)


def _book_one(context: ServiceContext) -> None:
    configuration = sample_configuration()
    town = configuration.organisation.id
    configure_organisation(context, ADMIN, configuration.organisation)
    configure_slots(context, ADMIN, town, configuration.slots)
    slot = list_free_slots(context, ADMIN, town, TypeId("pieces-identite"), days=7)[0]
    book_slot(
        context,
        ADMIN,
        town,
        counter_id=slot.counter_id,
        start=slot.start,
        beneficiary=CAMILLE,
        channel=Channel.BACK_OFFICE,
        option="CNI",
    )


def _pending(context: ServiceContext) -> int:
    with context.store.unit_of_work(write=False) as uow:
        return uow.notifications.counts().get(OutboxStatus.PENDING, 0)


CLOCK = FixedClock(datetime(2026, 4, 27, 9, 0, tzinfo=PARIS))


def test_events_reach_the_plugins_and_changes_queue_their_notifications(tmp_path: Path) -> None:
    recorder = Recorder()
    plugins = load_plugins({}, extra=[("recorder", recorder)])
    url = f"sqlite:///{tmp_path / 'care.db'}"
    with open_context(url, clock=CLOCK, plugins=plugins) as context:
        _book_one(context)
        assert _pending(context) >= 1  # the confirmation, queued with the booking
    assert recorder.kinds == ["OrganisationConfigured", "AppointmentBooked"]


def test_without_notify_nothing_is_queued(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'care.db'}"
    with open_context(url, clock=CLOCK, plugins=load_plugins({}), notify=False) as context:
        _book_one(context)
        assert _pending(context) == 0


def test_by_default_the_installed_plugins_open_the_store(tmp_path: Path) -> None:
    # Nothing passed but the URL and an empty environment: the sqlite:// scheme is served by
    # the caredomain_sqlite entry point, found like any installed plugin.
    with open_context(f"sqlite:///{tmp_path / 'care.db'}", environ={}) as context:
        assert context.store.url.startswith("sqlite:///")
        assert context.notifier is not None


def test_the_store_is_closed_on_leaving_the_block(tmp_path: Path) -> None:
    with open_context(f"sqlite:///{tmp_path / 'care.db'}", environ={}) as context:
        pass
    with pytest.raises(Forbidden, match="closed"), context.store.unit_of_work():
        pass


def test_a_failing_event_plugin_is_logged_once_with_its_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        @hookimpl
        def caredomain_on_event(self, event: Event) -> None:
            raise RuntimeError("webhook down")

    plugins = load_plugins({}, extra=[("broken", Broken())])
    url = f"sqlite:///{tmp_path / 'care.db'}"
    with (
        caplog.at_level(logging.WARNING, logger="caredomain.plugins"),
        open_context(url, clock=CLOCK, plugins=plugins) as context,
    ):
        configure_organisation(context, ADMIN, sample_configuration().organisation)
    failures = [r for r in caplog.records if "webhook down" in r.getMessage()]
    assert len(failures) == 1
    assert "plugin broken failed on OrganisationConfigured" in failures[0].getMessage()
    assert failures[0].exc_info is not None
    assert "RuntimeError: webhook down" in caplog.text  # the traceback's last line
