"""The default French texts of the notifications: the seven appointment kinds, and the
home-care alarm and caregiver messages.

Each kind has a mail (subject and body) and a short SMS. The SMS keep to the GSM-7
alphabet where French allows it (no ê, ç, «…»), so that a reminder fits one or two
segments; a date in août still needs UCS-2. Administrators replace any of them in the
settings (:class:`~caredomain.notifications.settings.NotificationSettings`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

from attrs import frozen

from caredomain.arguments import checked_fields
from caredomain.errors import InvalidInput
from caredomain.notifications.kinds import EventKind
from caredomain.notifications.templates import Template
from caredomain.text import Text

__all__ = ["DEFAULT_TEXTS", "Texts", "default_texts"]


@frozen(field_transformer=checked_fields)
class Texts:
    """What one kind says on one channel: a subject (mail only) and a body."""

    body: Template
    subject: Template | None = None

    @classmethod
    def parse(
        cls, kind: EventKind, channel: str, body: str, subject: str | None = None, *, where: str
    ) -> Texts:
        """Check the texts against ``kind``'s fields; a mail needs a one-line subject."""
        if channel == "mail" and subject is None:
            raise InvalidInput(Text("a mail needs a subject"), field=f"{where}.subject")
        if channel != "mail" and subject is not None:
            raise InvalidInput(
                Text("a {channel} message has no subject", channel=channel),
                field=f"{where}.subject",
            )
        return cls(
            Template.parse(body, kind.numbers, where=f"{where}.body"),
            None
            if subject is None
            else Template.parse(subject, kind.numbers, where=f"{where}.subject", one_line=True),
        )


_SIGNATURE = "\n\nCordialement,\nLe service des rendez-vous"
_PLACE = "\n\nGuichet : {2}\nLieu : {3}, {4}"

# kind -> channel -> (subject, body)
DEFAULT_TEXTS: Mapping[str, Mapping[str, tuple[str | None, str]]] = MappingProxyType(
    {
        "appointment.created": {
            "mail": (
                "Confirmation de votre rendez-vous du {1}",
                "Bonjour {0},\n\nVotre rendez-vous « {5} » est confirmé pour le {1} "
                "(durée : {6})." + _PLACE + "\n\nEn cas d'empêchement, merci de l'annuler "
                "sur le portail ou de nous prévenir." + _SIGNATURE,
            ),
            "sms": (None, "RDV {5} confirmé le {1}. {3}, {4}."),
        },
        "appointment.reminder": {
            "mail": (
                "Rappel : votre rendez-vous du {1}",
                "Bonjour {0},\n\nNous vous rappelons votre rendez-vous « {5} » le {1} "
                "(durée : {6})." + _PLACE + "\n\nEn cas d'empêchement, merci de nous "
                "prévenir." + _SIGNATURE,
            ),
            "sms": (None, "Rappel : RDV {5} le {1}. {3}, {4}."),
        },
        "appointment.date_changed": {
            "mail": (
                "Nouvelle date pour votre rendez-vous : {1}",
                "Bonjour {0},\n\nVotre rendez-vous « {5} » prévu le {7} est déplacé au {1} "
                "(durée : {6})." + _PLACE + _SIGNATURE,
            ),
            "sms": (None, "Votre RDV {5} du {7} est déplacé au {1}. {3}, {4}."),
        },
        "appointment.no_show": {
            "mail": (
                "Rendez-vous manqué du {1}",
                "Bonjour {0},\n\nVous ne vous êtes pas présenté(e) à votre rendez-vous "
                "« {5} » du {1} ({2}, {3}).\n\nPour en prendre un nouveau, rendez-vous sur "
                "le portail ou contactez-nous." + _SIGNATURE,
            ),
            "sms": (None, "Vous avez manqué votre RDV {5} du {1}. Reprenez RDV sur le portail."),
        },
        "appointment.deprogrammed": {
            "mail": (
                "Votre rendez-vous du {1} ne peut pas être maintenu",
                "Bonjour {0},\n\nÀ la suite d'une modification du planning, votre "
                "rendez-vous « {5} » du {1} ({2}, {3}) ne peut pas être maintenu.\n\n"
                "Merci de choisir un nouveau créneau sur le portail ou de nous contacter. "
                "Nous vous prions de nous excuser pour ce désagrément." + _SIGNATURE,
            ),
            "sms": (
                None,
                "Votre RDV {5} du {1} est déprogrammé (changement de planning). "
                "Merci de choisir un autre créneau.",
            ),
        },
        "appointment.cancelled_by_citizen": {
            "mail": (
                "Annulation de votre rendez-vous du {1}",
                "Bonjour {0},\n\nNous avons bien enregistré l'annulation de votre rendez-vous "
                "« {5} » du {1} ({2}, {3})." + _SIGNATURE,
            ),
            "sms": (None, "Votre RDV {5} du {1} est bien annulé."),
        },
        "appointment.cancelled_by_agent": {
            "mail": (
                "Annulation de votre rendez-vous du {1}",
                "Bonjour {0},\n\nVotre rendez-vous « {5} » du {1} ({2}, {3}) a été annulé "
                "par nos services.\n\nPour en prendre un nouveau, rendez-vous sur le portail "
                "ou contactez-nous." + _SIGNATURE,
            ),
            "sms": (
                None,
                "Votre RDV {5} du {1} a été annulé par nos services. "
                "Contactez-nous pour un autre créneau.",
            ),
        },
        # Home care (seed 004): the alarm's texts are the domain's (alarm_email).
        "intervention.alarm_fired": {
            "mail": ("{2}", "{3}"),
            "sms": (None, "Alerte DATI : {0} a déclenché l'alarme le {1}."),
        },
        "intervention.caregiver_message": {
            "mail": (
                "Messagerie : message de {0}",
                "Bonjour,\n\n{0} vous a écrit le {1} :\n\n{2}\n\n"
                "Répondez-lui depuis la messagerie des intervenants.",
            ),
            "sms": (None, "Message de {0} le {1} : {2}"),
        },
    }
)

_GENERIC: Mapping[str, tuple[str | None, str]] = MappingProxyType(
    {"mail": ("{label}", "{label}"), "sms": (None, "{label}")}
)


@functools.lru_cache(maxsize=256)
def default_texts(kind: EventKind, channel: str) -> Texts:
    """The default texts of ``kind`` on ``channel``; a kind registered without texts of
    its own gets its label, so that it never fails to render. Parsed once per kind and
    channel (both immutable): every message queued without saved texts asked for them
    again, three times a booking."""
    texts = DEFAULT_TEXTS.get(kind.key, {}).get(channel)
    if texts is None:
        subject, body = _GENERIC.get(channel, (None, "{label}"))
        label = kind.label.replace("{", "{{").replace("}", "}}")
        texts = (None if subject is None else label, body.replace("{label}", label))
    subject, body = texts
    return Texts.parse(kind, channel, body, subject, where=f"defaults.{kind.key}.{channel}")
