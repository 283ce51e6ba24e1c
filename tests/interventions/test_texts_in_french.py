"""The texts the home-care core builds for people (refusals, anomalies, the sync report,
errors) are :class:`~caredomain.text.Text`: English as before, French where the command line
shows them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from caredomain.cli import i18n
from caredomain.errors import InvalidInput, NotFound, RuleViolation
from caredomain.interventions.devices import Device, DeviceId, PhoneAction, Platform
from caredomain.interventions.model import CaregiverId
from caredomain.interventions.phonebook import EmergencyNumber, EmergencyNumbers, parse_phone
from caredomain.interventions.services.sync_report import SyncReport
from caredomain.interventions.staff_requests import (
    RequestId,
    RequestKind,
    RequestStatus,
    StaffRequest,
)
from caredomain.interventions.transmission import NotTransmittedReason, TransmissionStatus
from caredomain.interventions.transmission import TransmissionState as State
from caredomain.text import Text

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def french() -> None:
    i18n.use("fr")


def test_the_sync_report_in_french(french: None) -> None:
    report = SyncReport(platform="penbase", caregivers=2, pulls=1, punches=3, refused=("x",))
    lines = report.lines()
    assert lines[0].startswith("penbase: pushed 2 caregiver(s), 0 client(s)")
    assert [i18n.shown(line) for line in lines] == [
        "penbase : envoyé 2 intervenant(s), 0 bénéficiaire(s), 0 planning(s) (0 avec une "
        "alerte), 0 message(s), 0 numéro(s) d'urgence ; 0 téléphone(s) bloqué(s), "
        "0 fiche(s) retirée(s)",
        "récupéré 1 fois : 3 pointage(s), 0 saisie(s) d'intervention, 0 message(s), "
        "0 confirmation(s) de lecture, 0 signal(aux) d'alarme, 0 demande(s) ; "
        "0 déjà appliqué(s) ; 0 alarme(s) déclenchée(s)",
        "  refusé : x",
    ]


def test_a_rule_and_an_invalid_value_in_french(french: None) -> None:
    iphone = Device(id=DeviceId("d1"), caregiver_id=CaregiverId("cg-1"), platform=Platform.IOS)
    with pytest.raises(RuleViolation) as refused:
        iphone.require(PhoneAction.MESSAGE)
    assert str(refused.value) == (
        "[device.not_supported_on_ios] the iOS app can only view the planning and clock in "
        "and out, not message"
    )
    assert i18n.shown(str(refused.value)) == (
        "[device.not_supported_on_ios] l'application iOS sait seulement consulter le planning "
        "et pointer l'arrivée et le départ, pas message"
    )
    with pytest.raises(InvalidInput) as invalid:
        parse_phone("12", "FR", what="phone")
    assert i18n.shown(str(invalid.value)) == (
        "phone : ni un numéro de téléphone valide, ni un numéro court valide en FR (reçu '12')"
    )


def test_composed_texts_translate_each_part(french: None) -> None:
    numbers = EmergencyNumbers((EmergencyNumber.parse("Samu", "15", "FR"),))
    with pytest.raises(NotFound) as missing:
        numbers.remove("Pompiers")
    assert i18n.shown(str(missing.value)) == "aucun numéro d'urgence au libellé 'Pompiers'"
    status = TransmissionStatus(
        State.NOT_TRANSMITTED,
        [NotTransmittedReason.NOT_FLAGGED, NotTransmittedReason.NO_PLANNED_INTERVENTION],
    )
    assert str(status) == "not-transmitted (not flagged 'transmit', no planned intervention)"
    assert isinstance(str(status), Text)
    assert i18n.shown(str(status)) == (
        "not-transmitted (case « transmettre » non cochée, aucune intervention planifiée)"
    )


def test_a_decided_request_names_its_decision_in_french(french: None) -> None:
    request, _ = StaffRequest.submit(
        RequestId("rq-1"),
        CaregiverId("cg-1"),
        RequestKind.ABSENCE,
        AT.date(),
        reason="rendez-vous médical",
        at=AT,
        new_id=lambda: "e1",
    )
    approved, _ = request.decide(RequestStatus.APPROVED, by="mgr", at=AT, new_id=lambda: "e2")
    with pytest.raises(RuleViolation) as again:
        approved.decide(RequestStatus.REFUSED, by="mgr", at=AT, new_id=lambda: "e3", reason="x")
    assert str(again.value) == "[request.already_decided] the request 'rq-1' is already approved"
    assert i18n.shown(str(again.value)) == (
        "[request.already_decided] la demande 'rq-1' est déjà approuvée"
    )
