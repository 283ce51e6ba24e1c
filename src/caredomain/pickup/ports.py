"""The pickups' ports: what a store keeps of a daycare inside one unit of work
(``uow.pickup`` of a :class:`PickupUnitOfWork`), and the HopHop platform the daycare talks
to (:class:`HopHopPlatform`, which the ``caredomain_hophop`` adapter will implement).

Nothing here is specific to SQLite. Pickups are read by what a use case needs — the open
ones of an installation or of a parent — never every pickup a daycare ever had.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, cast

from attrs import frozen

from caredomain.pickup.model import (
    Child,
    ChildId,
    Group,
    HopHopAccount,
    Installation,
    InstallationId,
    LinkProblem,
    Parent,
    ParentId,
)
from caredomain.pickup.pickups import Pickup
from caredomain.pickup.sync import SyncDiff, SyncedChild, SyncedParent
from caredomain.ports import Store, UnitOfWork, holding
from caredomain.secret import Secret
from caredomain.services.context import ServiceContext

__all__ = [
    "HopHopPlatform",
    "PickupPlatformSpec",
    "PickupRepository",
    "PickupUnitOfWork",
    "pickup_unit_of_work",
]


class PickupRepository(Protocol):
    """A daycare's files, accounts, what was last synced, and its pickups. Writes replace
    what has the same key."""

    def installations(self, organisation_id: str) -> list[Installation]: ...

    def save_installation(self, organisation_id: str, installation: Installation) -> None: ...

    def groups(self, organisation_id: str) -> list[Group]: ...

    def save_group(self, organisation_id: str, group: Group) -> None: ...

    def children(self, organisation_id: str) -> list[Child]: ...

    def child(self, organisation_id: str, child_id: ChildId) -> Child:
        """The child, or :class:`~caredomain.errors.NotFound`."""
        ...

    def save_child(self, organisation_id: str, child: Child) -> None: ...

    def parents(self, organisation_id: str) -> list[Parent]: ...

    def save_parent(self, organisation_id: str, parent: Parent) -> None: ...

    def account(
        self, organisation_id: str, installation: InstallationId
    ) -> HopHopAccount | None: ...

    def save_account(self, organisation_id: str, account: HopHopAccount) -> None: ...

    def sent(self, organisation_id: str, installation: InstallationId) -> dict[str, SyncedChild]:
        """What the installation's HopHop account holds, as it was last sent, by reference."""
        ...

    def save_sent(
        self,
        organisation_id: str,
        installation: InstallationId,
        records: Mapping[str, SyncedChild],
    ) -> None:
        """Replace what the installation's account holds, once a sync went through."""
        ...

    def pickup(self, organisation_id: str, pickup_id: str) -> Pickup:
        """The pickup, or :class:`~caredomain.errors.NotFound`."""
        ...

    def open_pickups(
        self,
        organisation_id: str,
        *,
        installation: InstallationId | None = None,
        parent: ParentId | None = None,
    ) -> list[Pickup]:
        """The pickups not yet ended, of one installation or one parent if given."""
        ...

    def save_pickup(self, organisation_id: str, pickup: Pickup) -> None: ...

    def remember(self, organisation_id: str, inbound_id: str, digest: str) -> str | None:
        """Record that the inbound message ``inbound_id`` (a webhook's event id), whose
        content has ``digest``, is applied, and return ``None``; or, if an inbound message
        was applied under that id already, change nothing and return the digest it was
        recorded with (``""`` if recorded without one)."""
        ...


class PickupUnitOfWork(UnitOfWork, Protocol):
    """A unit of work of a store that keeps daycare pickups."""

    @property
    def pickup(self) -> PickupRepository: ...


def pickup_unit_of_work(store: Store, *, write: bool = True) -> PickupUnitOfWork:
    """A new unit of work of ``store``, which must keep daycare pickups
    (:func:`caredomain.ports.holding`)."""
    return cast(PickupUnitOfWork, holding(store, "pickup", write=write))


class HopHopPlatform(Protocol):
    """HopHop, as the daycare talks to it. Its calls may fail with
    :class:`~caredomain.errors.Conflict` (try again later),
    :class:`~caredomain.errors.NotFound` (HopHop no longer links the account: its password
    was changed on HopHop's side) or :class:`~caredomain.errors.InvalidInput` (HopHop
    answered something unreadable)."""

    def link(self, account: HopHopAccount, password: Secret, *, create: bool) -> LinkProblem | None:
        """Link ``account`` — with the credentials HopHop gave (``create=False``: "J'ai déjà
        un compte") or by creating it (``create=True``); ``None`` when the link is green,
        else why it is red."""
        ...

    def push(self, account: HopHopAccount, diff: SyncDiff) -> None:
        """Send HopHop what changed since the last sync of the account's installation."""
        ...

    def tell_ready(self, account: HopHopAccount, pickup: Pickup) -> None:
        """Tell the parent her child is ready ("Prêt")."""
        ...

    def resend_activation(self, account: HopHopAccount, parent: SyncedParent) -> None:
        """Send the parent HopHop's activation e-mail again."""
        ...


@frozen
class PickupPlatformSpec:
    """A kind of pickup platform a plugin offers: ``create(settings)`` builds a client from
    settings such as a base URL and a token (``token_env`` names an environment variable).
    ``receiver(context, settings, environ)``, when the platform sends webhooks, builds the
    ASGI application that receives them (``caredomain pickup serve`` runs it), mounted at
    ``receiver_path`` (``{organisation}`` stands for the organisation's id)."""

    name: str
    create: Callable[[Mapping[str, str]], HopHopPlatform]
    description: str = ""
    receiver: Callable[[ServiceContext, Mapping[str, str], Mapping[str, str]], Any] | None = None
    receiver_path: str = ""
