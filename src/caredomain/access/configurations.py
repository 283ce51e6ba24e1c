"""Configurations, their bases, their administrator and their users (seed 002).

"Si plusieurs bases sont présentes dans la même configuration, cet identifiant administrateur
est commun à toutes les bases." — "ce sera à l'administrateur de créer les utilisateurs au
sein du configurateur." — "les trigrammes précédemment utilisés disparaitront pour ne laisser
que le nom de l'utilisateur."

* A :class:`Configuration` is one customer's tenancy. Its bases are the organisations whose
  ``configuration`` is its id (:func:`bases_of`); it has at most one designated
  administrator, common to every base, and two password hashes: the console password of
  the vendor's technicians and the administrator's own. Only hashes are kept, and neither
  shows in a repr (:class:`~caredomain.access.passwords.PasswordHash`).
* A :class:`User` belongs to one configuration and is shown by her full name, never by a
  trigram (:func:`display_name` reads the legacy ``"JFK (Jean-François KERSERHO)"`` labels).
  :meth:`User.actor` is the :class:`~caredomain.access.Actor` she acts as, scoped to her
  configuration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import NewType

from attrs import evolve, field, frozen

from caredomain.access.actors import Actor, ActorId, Role
from caredomain.access.passwords import PasswordHash
from caredomain.arguments import checked_fields
from caredomain.errors import Conflict, InvalidInput
from caredomain.organisation import ConfigurationId, Organisation
from caredomain.text import Text
from caredomain.validation import identifier, members_of, non_blank

__all__ = [
    "Configuration",
    "ConfigurationId",
    "User",
    "UserId",
    "bases_of",
    "display_name",
]

UserId = NewType("UserId", str)

# A legacy label: a trigram of capitals, then the name in brackets ("JFK (Jean-François
# KERSERHO)", "EIG (Administrateur)").
_LEGACY = re.compile(r"^\s*[A-Z0-9]{2,4}\s*\((?P<name>[^()]*\S[^()]*)\)\s*$")


def display_name(label: str) -> str:
    """How a person is shown: her name, never a trigram. A legacy label ``"TRI (Name)"``
    gives ``"Name"``; any other label is shown as it is, trimmed."""
    match = _LEGACY.match(label)
    return (match.group("name") if match else label).strip()


def _full_name(value: str) -> str:
    return display_name(value)


def _roles(values: Iterable[object]) -> frozenset[Role]:
    roles = members_of(Role, values, "roles")
    if Role.TECHNICIAN in roles:
        raise InvalidInput(
            Text("a user of a configuration is one of the customer's people, not a technician"),
            field="roles",
            text=Role.TECHNICIAN.value,
        )
    return roles


def _services(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


@frozen(field_transformer=checked_fields)
class User:
    """A person of a configuration, created by its administrator in the configurator.

    ``full_name`` is what every screen shows; a legacy label given there is read by
    :func:`display_name` (``"JFK (Jean-François KERSERHO)"`` is stored as
    ``"Jean-François KERSERHO"``)."""

    id: UserId = field(validator=identifier)
    configuration: ConfigurationId = field(validator=identifier)
    full_name: str = field(converter=_full_name, validator=non_blank)
    roles: frozenset[Role] = field(factory=frozenset, converter=_roles)
    services: frozenset[str] = field(factory=frozenset, converter=_services)

    def actor(self) -> Actor:
        """The actor this user acts as: her roles and services, in her configuration."""
        return Actor(
            ActorId(self.id),
            self.roles,
            services=self.services,
            name=self.full_name,
            configuration=self.configuration,
        )


@frozen(field_transformer=checked_fields)
class Configuration:
    """One customer's configuration ("configurateur"): its name, its administrator if one is
    designated (with the date of the designation), and its password hashes.

    The hashes are never shown: the repr says only whether each is set."""

    id: ConfigurationId = field(validator=identifier)
    name: str = field(validator=non_blank)
    administrator: UserId | None = None
    designated_on: date | None = None
    console_password: PasswordHash | None = field(default=None, repr=False)
    administrator_password: PasswordHash | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        held = [
            name
            for name, value in (
                ("console_password", self.console_password),
                ("administrator_password", self.administrator_password),
            )
            if value is not None
        ]
        return (
            f"Configuration(id={self.id!r}, name={self.name!r}, "
            f"administrator={self.administrator!r}, designated_on={self.designated_on!r}, "
            f"passwords set={held!r})"
        )

    def designated(self, user: UserId, on: date) -> Configuration:
        """The same configuration with ``user`` as its administrator from ``on``. A new
        administrator does not inherit the former one's password: she sets her own."""
        if user == self.administrator:
            return self
        return evolve(self, administrator=user, designated_on=on, administrator_password=None)

    def with_console_password(self, hashed: PasswordHash) -> Configuration:
        return evolve(self, console_password=hashed)

    def with_administrator_password(self, hashed: PasswordHash) -> Configuration:
        if self.administrator is None:
            raise Conflict(
                Text("configuration {id} has no administrator to set a password", id=self.id)
            )
        return evolve(self, administrator_password=hashed)


def bases_of(configuration: ConfigurationId, organisations: Iterable[Organisation]) -> list[str]:
    """The ids of the bases of ``configuration`` among ``organisations``, sorted."""
    return sorted(o.id for o in organisations if o.configuration == configuration)
