"""Daycare pickups in the store (:class:`~caredomain.pickup.ports.PickupRepository`): the
files and HopHop accounts as JSON documents written by the one converter, what each account
was last sent, the pickups — open ones indexed by installation and by parent — and the ids of
the inbound messages already applied, each with the digest of its content.

A write unit that reads anything of a daycare holds the daycare until it ends
(:meth:`~caredomain_sql.statements.Statements.serialise`): a tap in the centre, a parent's
position and the minute's tick each read pickups and write back their next status, so that
another one waits, then reads what this one committed (statuses never step back)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from caredomain.errors import NotFound
from caredomain.pickup.model import (
    Child,
    ChildId,
    Group,
    HopHopAccount,
    Installation,
    InstallationId,
    Parent,
    ParentId,
)
from caredomain.pickup.pickups import Pickup
from caredomain.pickup.sync import SyncedChild
from caredomain.text import Text
from caredomain_sql.documents import as_json, loaded
from caredomain_sql.statements import Statements

__all__ = ["SqlPickup"]

T = TypeVar("T")


class SqlPickup:
    """:class:`~caredomain.pickup.ports.PickupRepository` over the ``pickup_*`` tables."""

    def __init__(self, unit: Statements) -> None:
        self._unit = unit

    def _query(self, organisation_id: str, sql: str, params: tuple[Any, ...]) -> list[Any]:
        """Rows of a read of one daycare, held first in a write unit."""
        self._unit.serialise([f"pickup {organisation_id}"])
        return self._unit.query(sql, params)

    # -- the daycare's files ----------------------------------------------------------

    def _files(self, organisation_id: str, kind: type[T], name: str) -> list[T]:
        rows = self._query(
            organisation_id,
            "SELECT document FROM pickup_files WHERE organisation = ? AND kind = ? ORDER BY id",
            (organisation_id, name),
        )
        return [loaded(document, kind, f"pickup {name}") for (document,) in rows]

    def _save_file(self, organisation_id: str, name: str, key: str, value: object) -> None:
        self._unit.change(
            "INSERT INTO pickup_files (organisation, kind, id, document) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (organisation, kind, id) DO UPDATE SET document = excluded.document",
            (organisation_id, name, key, as_json(value)),
        )

    def installations(self, organisation_id: str) -> list[Installation]:
        return self._files(organisation_id, Installation, "installation")

    def save_installation(self, organisation_id: str, installation: Installation) -> None:
        self._save_file(organisation_id, "installation", installation.id, installation)

    def groups(self, organisation_id: str) -> list[Group]:
        return self._files(organisation_id, Group, "group")

    def save_group(self, organisation_id: str, group: Group) -> None:
        self._save_file(organisation_id, "group", group.id, group)

    def children(self, organisation_id: str) -> list[Child]:
        return self._files(organisation_id, Child, "child")

    def child(self, organisation_id: str, child_id: ChildId) -> Child:
        rows = self._query(
            organisation_id,
            "SELECT document FROM pickup_files "
            "WHERE organisation = ? AND kind = 'child' AND id = ?",
            (organisation_id, child_id),
        )
        if not rows:
            raise NotFound(Text("no child {child}", child=child_id))
        return loaded(rows[0][0], Child, "pickup child")

    def save_child(self, organisation_id: str, child: Child) -> None:
        self._save_file(organisation_id, "child", child.id, child)

    def parents(self, organisation_id: str) -> list[Parent]:
        return self._files(organisation_id, Parent, "parent")

    def save_parent(self, organisation_id: str, parent: Parent) -> None:
        self._save_file(organisation_id, "parent", parent.id, parent)

    # -- HopHop accounts and what they were sent ----------------------------------------

    def account(self, organisation_id: str, installation: InstallationId) -> HopHopAccount | None:
        rows = self._query(
            organisation_id,
            "SELECT document FROM pickup_accounts WHERE organisation = ? AND installation = ?",
            (organisation_id, installation),
        )
        return loaded(rows[0][0], HopHopAccount, "pickup account") if rows else None

    def save_account(self, organisation_id: str, account: HopHopAccount) -> None:
        self._unit.change(
            "INSERT INTO pickup_accounts (organisation, installation, document) "
            "VALUES (?, ?, ?) ON CONFLICT (organisation, installation) "
            "DO UPDATE SET document = excluded.document",
            (organisation_id, account.installation, as_json(account)),
        )

    def sent(self, organisation_id: str, installation: InstallationId) -> dict[str, SyncedChild]:
        rows = self._query(
            organisation_id,
            "SELECT reference, document FROM pickup_sent "
            "WHERE organisation = ? AND installation = ? ORDER BY reference",
            (organisation_id, installation),
        )
        return {ref: loaded(document, SyncedChild, "pickup sync") for ref, document in rows}

    def save_sent(
        self,
        organisation_id: str,
        installation: InstallationId,
        records: Mapping[str, SyncedChild],
    ) -> None:
        self._unit.change(
            "DELETE FROM pickup_sent WHERE organisation = ? AND installation = ?",
            (organisation_id, installation),
        )
        self._unit.change_many(
            "INSERT INTO pickup_sent (organisation, installation, reference, document) "
            "VALUES (?, ?, ?, ?)",
            [(organisation_id, installation, ref, as_json(r)) for ref, r in records.items()],
        )

    # -- pickups ------------------------------------------------------------------------

    def pickup(self, organisation_id: str, pickup_id: str) -> Pickup:
        rows = self._query(
            organisation_id,
            "SELECT document FROM pickup_pickups WHERE organisation = ? AND id = ?",
            (organisation_id, pickup_id),
        )
        if not rows:
            raise NotFound(Text("no pickup {pickup}", pickup=pickup_id))
        return loaded(rows[0][0], Pickup, "pickup")

    def open_pickups(
        self,
        organisation_id: str,
        *,
        installation: InstallationId | None = None,
        parent: ParentId | None = None,
    ) -> list[Pickup]:
        sql = "SELECT document FROM pickup_pickups WHERE organisation = ? AND open"
        params: list[Any] = [organisation_id]
        if installation is not None:
            sql += " AND installation = ?"
            params.append(installation)
        if parent is not None:
            sql += " AND parent = ?"
            params.append(parent)
        rows = self._query(organisation_id, sql + " ORDER BY id", tuple(params))
        return [loaded(document, Pickup, "pickup") for (document,) in rows]

    def save_pickup(self, organisation_id: str, pickup: Pickup) -> None:
        self._unit.change(
            "INSERT INTO pickup_pickups "
            "(organisation, id, installation, parent, open, document) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (organisation, id) DO UPDATE SET "
            "open = excluded.open, document = excluded.document",
            (
                organisation_id,
                pickup.id,
                pickup.installation,
                pickup.parent,
                pickup.is_open,
                as_json(pickup),
            ),
        )

    def remember(self, organisation_id: str, inbound_id: str, digest: str) -> str | None:
        if self._unit.change(
            "INSERT INTO pickup_inbound (organisation, id, digest) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (organisation_id, inbound_id, digest),
        ):
            return None
        ((before,),) = self._unit.query(
            "SELECT digest FROM pickup_inbound WHERE organisation = ? AND id = ?",
            (organisation_id, inbound_id),
        )
        return str(before)
