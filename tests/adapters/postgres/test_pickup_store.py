"""Daycare pickups in the PostgreSQL store: files and accounts round-trip, open pickups are
selected on the boolean column, and an inbound message id is remembered once."""

from __future__ import annotations

from caredomain.pickup.model import (
    Child,
    ChildId,
    Group,
    GroupId,
    HopHopAccount,
    Installation,
    InstallationId,
    Parent,
    ParentId,
)
from caredomain_postgres.store import PostgresStore

DAYCARE = "cpe-soleil"
SITE = InstallationId("site-1")


def test_files_accounts_and_inbound_ids(pg_url: str) -> None:
    installation = Installation(SITE, "Installation 1")
    group = Group(GroupId("poussins"), SITE, "Poussins")
    parent = Parent(ParentId("marie"), "Marie", "Tremblay", "marie@example.ca")
    child = Child(ChildId("léa"), "Léa", "Tremblay", SITE, group.id, frozenset({parent.id}))
    account = HopHopAccount(SITE, "soleil@example.ca")
    with PostgresStore.from_url(pg_url) as store:
        with store.unit_of_work() as uow:
            uow.pickup.save_installation(DAYCARE, installation)
            uow.pickup.save_group(DAYCARE, group)
            uow.pickup.save_parent(DAYCARE, parent)
            uow.pickup.save_child(DAYCARE, child)
            uow.pickup.save_account(DAYCARE, account)
            assert uow.pickup.remember(DAYCARE, "inbound-1", "digest-1") is None
            assert uow.pickup.remember(DAYCARE, "inbound-1", "digest-2") == "digest-1"
            uow.commit()
        with store.unit_of_work(write=False) as uow:
            assert uow.pickup.installations(DAYCARE) == [installation]
            assert uow.pickup.groups(DAYCARE) == [group]
            assert uow.pickup.parents(DAYCARE) == [parent]
            assert uow.pickup.child(DAYCARE, child.id) == child
            assert uow.pickup.account(DAYCARE, SITE) == account
            assert uow.pickup.open_pickups(DAYCARE, installation=SITE) == []
            assert uow.pickup.children("another-daycare") == []
