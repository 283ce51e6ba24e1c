"""A home-care agency's file (TOML): the organisation, its ``[interventions]`` settings,
services with their tasks, caregivers, clients with their badges, a planning, the
emergency numbers and the shared directory. See ``src/caredomain/data/sample_agency.toml``.

::

    [organisation]
    id = "ccas-sarreguemines"
    name = "CCAS de Sarreguemines, aide à domicile"
    zone = "Europe/Paris"

    [interventions]                      # see caredomain.interventions.configuration
    office_email = "astreinte@example.org"

    [[services]]
    id = "aide-toilette"
    label = "Aide à la toilette"
    tasks = [{ code = "toilette", label = "Toilette" }]

    [[caregivers]]
    id = "cg-marie"
    name = "Marie Dupont"
    manager = "mgr-claire"
    manager_email = "claire.martin@example.org"
    transmit = true

    [[clients]]
    id = "cl-leon"
    name = "Léon Bernard"
    address = "12 rue des Lilas, 57200 Sarreguemines"
    location = { latitude = 49.1102, longitude = 7.0687 }
    badges = [{ kind = "nfc", value = "04A1B2C3" }]

    [[planning]]                         # times on the organisation's wall clock
    id = "iv-001"
    caregiver = "cg-marie"
    client = "cl-leon"
    service = "aide-toilette"
    day = 2026-03-02
    hours = "08h00-09h00"

    [[emergency_numbers]]                # five at most
    label = "Samu"
    number = "15"

    [[directory]]
    id = "dir-standard"
    name = "Standard de l'agence"
    role = "Accueil"
    phone = "03 87 98 93 01"

Errors are :class:`~caredomain.errors.InvalidInput` naming the file and the path at fault
(``planning[2].client``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from attrs import field, frozen

from caredomain.errors import InvalidInput, RuleViolation
from caredomain.hours import TimeRange
from caredomain.interventions.configuration import InterventionsConfiguration
from caredomain.interventions.model import (
    Caregiver,
    CaregiverId,
    Client,
    ClientId,
    InterventionId,
    PlannedIntervention,
    Service,
    ServiceId,
)
from caredomain.interventions.phonebook import (
    Directory,
    DirectoryEntry,
    DirectoryEntryId,
    EmergencyNumber,
    EmergencyNumbers,
    parse_phone,
)
from caredomain.interventions.ports import AgencySettings
from caredomain.organisation import Organisation
from caredomain.serialization import load_toml
from caredomain.text import Text

__all__ = ["Agency", "load_agency"]


@frozen(kw_only=True)
class Agency:
    """Everything an agency's file holds, checked."""

    organisation: Organisation
    settings: AgencySettings = field(factory=AgencySettings)
    services: tuple[Service, ...] = ()
    caregivers: tuple[Caregiver, ...] = ()
    clients: tuple[Client, ...] = ()
    interventions: tuple[PlannedIntervention, ...] = ()
    emergency_numbers: EmergencyNumbers = field(factory=EmergencyNumbers)
    directory: Directory = field(factory=Directory)


@frozen
class _PlannedRow:
    id: str
    caregiver: str
    client: str
    service: str
    day: date
    hours: TimeRange


@frozen
class _NumberRow:
    label: str
    number: str


@frozen
class _DirectoryRow:
    id: str
    name: str
    phone: str
    role: str = ""


@frozen
class _AgencyFile:
    organisation: Organisation
    interventions: InterventionsConfiguration = field(factory=InterventionsConfiguration)
    services: list[Service] = field(factory=list)
    caregivers: list[Caregiver] = field(factory=list)
    clients: list[Client] = field(factory=list)
    planning: list[_PlannedRow] = field(factory=list)
    emergency_numbers: list[_NumberRow] = field(factory=list)
    directory: list[_DirectoryRow] = field(factory=list)
    co_caregivers_in_directory: bool = True


def load_agency(text: str | bytes, *, source: str | None = None) -> Agency:
    """Read an agency file's content (bytes or text); errors name the file and the path at
    fault."""
    document = load_toml(text, _AgencyFile, source=source)
    region = document.organisation.country
    try:
        _unique(document.services, "services")
        _unique(document.caregivers, "caregivers")
        _unique(document.clients, "clients")
        return Agency(
            organisation=document.organisation,
            settings=document.interventions.settings(region),
            services=tuple(document.services),
            caregivers=tuple(document.caregivers),
            clients=tuple(document.clients),
            interventions=_planning(document),
            emergency_numbers=_numbers(document.emergency_numbers, region),
            directory=_directory(document, region),
        )
    except InvalidInput as error:
        raise error.located(source=source) from None


def _unique(records: Sequence[Service | Caregiver | Client], where: str) -> None:
    seen: set[str] = set()
    for index, record in enumerate(records):
        if record.id in seen:
            raise InvalidInput(
                Text("the id is used twice"), field=f"{where}[{index}].id", text=record.id
            )
        seen.add(record.id)


def _known(value: str, ids: Iterable[str], where: str) -> None:
    if value not in set(ids):
        raise InvalidInput(Text("no such id in the file"), field=where, text=value)


def _planning(document: _AgencyFile) -> tuple[PlannedIntervention, ...]:
    zone = document.organisation.zone
    planned: list[PlannedIntervention] = []
    seen: set[str] = set()
    for index, row in enumerate(document.planning):
        where = f"planning[{index}]"
        if row.id in seen:
            raise InvalidInput(Text("the id is used twice"), field=f"{where}.id", text=row.id)
        seen.add(row.id)
        _known(row.caregiver, (c.id for c in document.caregivers), f"{where}.caregiver")
        _known(row.client, (c.id for c in document.clients), f"{where}.client")
        _known(row.service, (s.id for s in document.services), f"{where}.service")
        try:
            planned.append(
                PlannedIntervention(
                    id=InterventionId(row.id),
                    caregiver_id=CaregiverId(row.caregiver),
                    client_id=ClientId(row.client),
                    service_id=ServiceId(row.service),
                    start=_wall_clock(row.day, row.hours.start_minute, zone),
                    end=_wall_clock(row.day, row.hours.end_minute, zone),
                )
            )
        except InvalidInput as error:
            raise InvalidInput(
                error.message, field=f"{where}.{error.field}", text=error.text
            ) from None
    return tuple(planned)


def _wall_clock(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """``minute`` after midnight on ``day``'s wall clock (24:00 is the next midnight)."""
    if minute >= 24 * 60:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)


def _numbers(rows: Sequence[_NumberRow], region: str) -> EmergencyNumbers:
    numbers = []
    for index, row in enumerate(rows):
        try:
            numbers.append(EmergencyNumber.parse(row.label, row.number, region))
        except InvalidInput as error:
            field = f"emergency_numbers[{index}].{error.field or 'number'}"
            raise InvalidInput(error.message, field=field, text=error.text) from None
    try:
        return EmergencyNumbers(tuple(numbers))
    except RuleViolation as error:
        raise InvalidInput(error.message, field="emergency_numbers") from None


def _directory(document: _AgencyFile, region: str) -> Directory:
    entries = []
    for index, row in enumerate(document.directory):
        where = f"directory[{index}]"
        try:
            entries.append(
                DirectoryEntry(
                    DirectoryEntryId(row.id),
                    row.name,
                    row.role,
                    parse_phone(row.phone, region, what="phone"),
                )
            )
        except InvalidInput as error:
            raise InvalidInput(
                error.message, field=f"{where}.{error.field}", text=error.text
            ) from None
    return Directory(tuple(entries), include_co_caregivers=document.co_caregivers_in_directory)
