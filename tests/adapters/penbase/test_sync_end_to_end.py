"""The office's synchronisation through the real Penbase client and reference server: what
the transmission plan says reaches the phone, and what the phone sends comes back once."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import pytest

from caredomain import Actor, FixedClock
from caredomain.interventions import CaregiverId, InterventionId, PhoneMessage, Punch, PunchId
from caredomain.interventions import services as care
from caredomain.interventions.agency import load_agency
from caredomain.interventions.services.sync import sync_with_platform
from caredomain.organisation import ConfigurationId, OrganisationId
from caredomain.services import ServiceContext
from caredomain_penbase import PenbaseClient, PenbaseSettings, Secret
from caredomain_penbase.reference import PenbaseServer
from caredomain_sqlite import SqliteStore

SAMPLE = Path(__file__).parents[3] / "src" / "caredomain" / "data" / "sample_agency.toml"
DAY = date(2026, 3, 2)
MARIE = CaregiverId("cg-marie")
LEON = InterventionId("iv-0302-leon")
LEON_TAG = "04A1B2C3D4"
OFFICE_TOKEN = "office-token-Zq8xW2vR"
PHONE_TOKEN = "marie-phone-token-0001"
ADMIN = Actor.administrator("office", configuration=ConfigurationId("sarreguemines"))


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[ServiceContext, OrganisationId, PenbaseServer]]:
    agency = load_agency(SAMPLE.read_text("utf-8"), source=SAMPLE.name)
    clock = FixedClock(datetime.combine(DAY, time(7), tzinfo=agency.organisation.zone))
    counter = itertools.count()
    with (
        SqliteStore(tmp_path / "care.db") as store,
        PenbaseServer(office_token=OFFICE_TOKEN, clock=clock) as server,
    ):
        context = ServiceContext(store=store, clock=clock, new_id=lambda: f"e{next(counter)}")
        care.set_up_agency(context, ADMIN, agency)
        server.enrol("phone-marie", MARIE, token=PHONE_TOKEN)
        yield context, agency.organisation.id, server


def _client(server: PenbaseServer) -> PenbaseClient:
    settings = PenbaseSettings(url=server.url, token=Secret(OFFICE_TOKEN), backoff=0.01)
    return PenbaseClient(settings, sleep=lambda _: None)


def test_the_phone_gets_its_planning_and_its_punch_comes_back_once(
    office: tuple[ServiceContext, OrganisationId, PenbaseServer],
) -> None:
    context, organisation, server = office
    with _client(server) as platform:
        first = sync_with_platform(context, platform, organisation)
        assert first.caregivers == 2  # Sophie is not flagged "transmit"
        assert first.plannings >= 1

        phone = server.phone(PHONE_TOKEN)
        shown = phone.planning()
        assert LEON in {visit.id for visit in shown.planning.interventions}
        arrived = datetime.combine(DAY, time(8, 2), tzinfo=context.clock.now().tzinfo)
        punch = Punch(
            id=PunchId("marie-p1"),
            caregiver_id=MARIE,
            intervention_id=LEON,
            kind="in",
            method="badge-nfc",
            device_time=arrived,
            received_at=arrived,
            badge=LEON_TAG,
        )
        assert phone.punch(punch) is True
        assert phone.punch(punch) is False  # sent again: the platform keeps one

        second = sync_with_platform(context, platform, organisation)
        assert second.punches == 1
        again = sync_with_platform(context, platform, organisation)
        assert (again.punches, again.cursor) == (0, second.cursor)

    log = care.visit_log(context, ADMIN, organisation, MARIE, DAY)
    (leon,) = [record for record in log.records if record.intervention.id == LEON]
    assert leon.visit is not None
    assert (leon.visit.start, leon.visit.end) == (arrived, None)
    assert [entry.punch.id for entry in leon.punches] == ["marie-p1"]


def test_a_pull_cut_by_the_page_bound_is_resumed_and_nothing_comes_twice(
    office: tuple[ServiceContext, OrganisationId, PenbaseServer],
) -> None:
    context, organisation, server = office
    sent = datetime.combine(DAY, time(8, 30), tzinfo=context.clock.now().tzinfo)
    phone = server.phone(PHONE_TOKEN)
    for n in range(5):
        phone.send(PhoneMessage(f"pm-{n}", MARIE, f"message {n}", sent))
    settings = PenbaseSettings(
        url=server.url, token=Secret(OFFICE_TOKEN), page_size=1, max_pages=2, backoff=0.01
    )
    with PenbaseClient(settings, sleep=lambda _: None) as platform:
        first = sync_with_platform(context, platform, organisation)
        # two pages, two pages, one page, then an empty pull that ends the loop
        assert (first.messages, first.pulls, first.cursor) == (5, 4, "5")
        again = sync_with_platform(context, platform, organisation)
        assert (again.messages, again.duplicates, again.cursor) == (0, 0, "5")
