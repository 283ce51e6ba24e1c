"""A daycare's installations, groups, children and parents, and the HopHop account each
installation links to (seed 001).

A daycare ("service de garde") is an organisation; it runs installations, each with its
groups of children. Parents announce their arrival through HopHop, one account per
installation: the account's e-mail is unique across HopHop, its link is green (``OK``) or
red (``BROKEN``, with the reason), and it holds the preparation time and the call window.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import NewType

from attrs import Attribute, Factory, evolve, field, frozen

from caredomain.arguments import checked_fields
from caredomain.errors import InvalidInput
from caredomain.hours import TimeRange
from caredomain.notifications.recipients import mail_recipient
from caredomain.text import Text
from caredomain.validation import identifier, non_blank

__all__ = [
    "DEFAULT_CALL_WINDOW",
    "DEFAULT_PREPARATION",
    "AccountSettings",
    "Child",
    "ChildId",
    "Group",
    "GroupId",
    "HopHopAccount",
    "Installation",
    "InstallationId",
    "LinkProblem",
    "LinkStatus",
    "Parent",
    "ParentId",
]

InstallationId = NewType("InstallationId", str)
GroupId = NewType("GroupId", str)
ChildId = NewType("ChildId", str)
ParentId = NewType("ParentId", str)

DEFAULT_PREPARATION = timedelta(minutes=5)
"""The seed's "environ 5 minutes": how long before the parent arrives the centre is alerted."""
DEFAULT_CALL_WINDOW = TimeRange.parse("15h30-18h00")
"""The seed's example of a call window ("plage d'heure des appels")."""


def _email(instance: object, attribute: Attribute[str], value: str) -> None:
    if mail_recipient(value).address is None:  # the check every mail recipient passes
        raise InvalidInput(Text("expected an e-mail address"), field=attribute.name, text=value)


@frozen(field_transformer=checked_fields)
class Installation:
    """A site of the daycare. ``display_name`` is what parents see in HopHop: the seed
    advises renaming "Installation 1" to the daycare's name plus the site's."""

    id: InstallationId = field(validator=identifier)
    name: str = field(validator=non_blank)
    display_name: str = field(
        default=Factory(lambda installation: installation.name, takes_self=True),
        validator=non_blank,
    )

    def renamed(self, display_name: str) -> Installation:
        """The installation as parents will see it under ``display_name``."""
        return evolve(self, display_name=display_name)


@frozen(field_transformer=checked_fields)
class Group:
    """A group of children at one installation."""

    id: GroupId = field(validator=identifier)
    installation: InstallationId = field(validator=identifier)
    name: str = field(validator=non_blank)


@frozen(field_transformer=checked_fields)
class Parent:
    """A parent as the daycare knows her; ``activated`` once she activated her HopHop
    account."""

    id: ParentId = field(validator=identifier)
    first_name: str = field(validator=non_blank)
    last_name: str = field(validator=non_blank)
    email: str = field(validator=_email)
    activated: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@frozen(field_transformer=checked_fields)
class Child:
    """A child of the daycare: in one installation and, now, one group; sent to HopHop only
    while ``hophop_enabled`` (the seed's "HopHop est activé" flag of the child's file).
    ``awaiting_approval`` holds the parents whose photo change on her file waits for the
    centre (:mod:`caredomain.pickup.approvals`)."""

    id: ChildId = field(validator=identifier)
    first_name: str = field(validator=non_blank)
    last_name: str = field(validator=non_blank)
    installation: InstallationId = field(validator=identifier)
    group: GroupId = field(validator=identifier)
    parents: frozenset[ParentId] = frozenset()
    agreement_active: bool = True
    hophop_enabled: bool = True
    awaiting_approval: frozenset[ParentId] = frozenset()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def moved_to(self, group: GroupId) -> Child:
        """The child in another group: her alerts ring there from now on."""
        return evolve(self, group=group)


class LinkStatus(StrEnum):
    """The button beside an installation's account: green when linked, red when not."""

    OK = "ok"
    BROKEN = "broken"


class LinkProblem(StrEnum):
    """Why an account's link is red, as the seed lists the causes."""

    NOT_LINKED = "not-linked"  # "Activer" never clicked yet
    BAD_CREDENTIALS = "bad-credentials"
    EMAIL_TAKEN = "email-taken"
    PASSWORD_CHANGED = "password-changed"  # changed on app.hophop.ca: the bridge is cut


def _preparation(instance: object, attribute: object, value: timedelta) -> None:
    if not timedelta(0) < value <= timedelta(hours=2):
        raise InvalidInput(
            Text("a preparation time is more than zero and at most two hours"),
            field="preparation",
            text=str(value),
        )


@frozen(field_transformer=checked_fields)
class AccountSettings:
    """What the daycare sets in its HopHop profile: the preparation time (how long before the
    parent's arrival the centre is alerted) and the call window (arrivals HopHop is used
    for)."""

    preparation: timedelta = field(default=DEFAULT_PREPARATION, validator=_preparation)
    call_window: TimeRange = DEFAULT_CALL_WINDOW


@frozen(field_transformer=checked_fields)
class HopHopAccount:
    """An installation's HopHop account: its e-mail (unique across HopHop), its link and,
    when red, why."""

    installation: InstallationId = field(validator=identifier)
    email: str = field(validator=_email)
    link: LinkStatus = LinkStatus.BROKEN
    problem: LinkProblem | None = LinkProblem.NOT_LINKED
    settings: AccountSettings = AccountSettings()

    def __attrs_post_init__(self) -> None:
        if (self.link is LinkStatus.OK) != (self.problem is None):
            raise InvalidInput(
                Text("a green link has no problem, a red one names its problem"),
                field="problem",
                text=str(self.problem),
            )

    def linked(self) -> HopHopAccount:
        return evolve(self, link=LinkStatus.OK, problem=None)

    def broken(self, problem: LinkProblem) -> HopHopAccount:
        return evolve(self, link=LinkStatus.BROKEN, problem=problem)
