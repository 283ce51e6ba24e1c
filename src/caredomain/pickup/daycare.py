"""A daycare's file (TOML): the organisation, its installations — each with its HopHop
account's e-mail and settings —, groups, parents and children. See
``src/caredomain/data/sample_daycare.toml``.

::

    [organisation]
    id = "cpe-soleil"
    name = "CPE Soleil"
    zone = "America/Toronto"

    [[installations]]
    id = "rosemont"
    name = "Installation Rosemont"
    display_name = "CPE Soleil Rosemont"      # what parents see in HopHop (default: name)

    [installations.hophop]                    # the installation's HopHop account
    email = "soleil.rosemont@hophop.ca"
    preparation_minutes = 5                   # default 5
    call_window = "15h30-18h00"               # default 15h30-18h00

    [[groups]]
    id = "poussins"
    installation = "rosemont"
    name = "Les Poussins"

    [[parents]]
    id = "marie-tremblay"
    first_name = "Marie"
    last_name = "Tremblay"
    email = "marie.tremblay@example.ca"
    activated = true                          # her HopHop account is activated (default false)

    [[children]]
    id = "lea-tremblay"
    first_name = "Léa"
    last_name = "Tremblay"
    installation = "rosemont"
    group = "poussins"
    parents = ["marie-tremblay"]
    agreement_active = true                   # default true
    hophop_enabled = true                     # "HopHop est activé" (default true)

Errors are :class:`~caredomain.errors.InvalidInput` naming the file and the path at fault
(``children[2].group``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta

from attrs import field, frozen

from caredomain.errors import InvalidInput
from caredomain.hours import TimeRange
from caredomain.organisation import Organisation
from caredomain.pickup.model import (
    DEFAULT_CALL_WINDOW,
    DEFAULT_PREPARATION,
    AccountSettings,
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
from caredomain.serialization import load_toml
from caredomain.text import Text

__all__ = ["Daycare", "load_daycare"]


@frozen(kw_only=True)
class Daycare:
    """Everything a daycare's file holds, checked. ``accounts`` are the installations'
    HopHop accounts as the file names them, not yet linked."""

    organisation: Organisation
    installations: tuple[Installation, ...] = ()
    groups: tuple[Group, ...] = ()
    parents: tuple[Parent, ...] = ()
    children: tuple[Child, ...] = ()
    accounts: tuple[HopHopAccount, ...] = ()

    def account(self, installation: str) -> HopHopAccount | None:
        """The file's HopHop account of ``installation``, if it names one."""
        return next((a for a in self.accounts if a.installation == installation), None)


@frozen
class _HopHopRow:
    email: str
    preparation_minutes: int = int(DEFAULT_PREPARATION.total_seconds()) // 60
    call_window: TimeRange = DEFAULT_CALL_WINDOW


@frozen
class _InstallationRow:
    id: str
    name: str
    display_name: str | None = None
    hophop: _HopHopRow | None = None


@frozen
class _GroupRow:
    id: str
    installation: str
    name: str


@frozen
class _ParentRow:
    id: str
    first_name: str
    last_name: str
    email: str
    activated: bool = False


@frozen
class _ChildRow:
    id: str
    first_name: str
    last_name: str
    installation: str
    group: str
    parents: list[str] = field(factory=list)
    agreement_active: bool = True
    hophop_enabled: bool = True


@frozen
class _DaycareFile:
    organisation: Organisation
    installations: list[_InstallationRow] = field(factory=list)
    groups: list[_GroupRow] = field(factory=list)
    parents: list[_ParentRow] = field(factory=list)
    children: list[_ChildRow] = field(factory=list)


def load_daycare(text: str | bytes, *, source: str | None = None) -> Daycare:
    """Read a daycare file's content (bytes or text); errors name the file and the path at
    fault."""
    document = load_toml(text, _DaycareFile, source=source)
    try:
        for where, rows in (
            ("installations", document.installations),
            ("groups", document.groups),
            ("parents", document.parents),
            ("children", document.children),
        ):
            _unique([row.id for row in rows], where)
        installations, accounts = _installations(document.installations)
        groups = _groups(document)
        parents: list[Parent] = []
        for index, row in enumerate(document.parents):
            with _located(f"parents[{index}]"):
                parents.append(
                    Parent(
                        ParentId(row.id), row.first_name, row.last_name, row.email, row.activated
                    )
                )
        return Daycare(
            organisation=document.organisation,
            installations=installations,
            groups=groups,
            parents=tuple(parents),
            children=_children(document, groups),
            accounts=accounts,
        )
    except InvalidInput as error:
        raise error.located(source=source) from None


@contextmanager
def _located(where: str) -> Iterator[None]:
    """An error of the block, located at ``where``."""
    try:
        yield
    except InvalidInput as error:
        path = f"{where}.{error.field}" if error.field else where
        raise InvalidInput(error.message, field=path, text=error.text) from None


def _unique(ids: Sequence[str], where: str) -> None:
    seen: set[str] = set()
    for index, ident in enumerate(ids):
        if ident in seen:
            raise InvalidInput(
                Text("the id is used twice"), field=f"{where}[{index}].id", text=ident
            )
        seen.add(ident)


def _known(value: str, ids: Iterable[str], where: str) -> None:
    if value not in set(ids):
        raise InvalidInput(Text("no such id in the file"), field=where, text=value)


def _installations(
    rows: Sequence[_InstallationRow],
) -> tuple[tuple[Installation, ...], tuple[HopHopAccount, ...]]:
    installations: list[Installation] = []
    accounts: list[HopHopAccount] = []
    emails: set[str] = set()
    for index, row in enumerate(rows):
        where = f"installations[{index}]"
        ident = InstallationId(row.id)
        with _located(where):
            installations.append(Installation(ident, row.name, row.display_name or row.name))
        if row.hophop is None:
            continue
        hophop = row.hophop
        if hophop.email.casefold() in emails:
            raise InvalidInput(
                Text("another installation's HopHop account has this e-mail"),
                field=f"{where}.hophop.email",
                text=hophop.email,
            )
        emails.add(hophop.email.casefold())
        with _located(f"{where}.hophop"):
            settings = AccountSettings(_preparation(hophop.preparation_minutes), hophop.call_window)
            accounts.append(HopHopAccount(ident, hophop.email, settings=settings))
    return tuple(installations), tuple(accounts)


def _preparation(minutes: int) -> timedelta:
    """``minutes`` as a duration, which the account's settings bound; one no duration holds
    is refused as they refuse it."""
    try:
        return timedelta(minutes=minutes)
    except OverflowError:
        raise InvalidInput(
            Text("a preparation time is more than zero and at most two hours"),
            field="preparation",
            text=str(minutes),
        ) from None


def _groups(document: _DaycareFile) -> tuple[Group, ...]:
    ids = [row.id for row in document.installations]
    groups: list[Group] = []
    for index, row in enumerate(document.groups):
        where = f"groups[{index}]"
        _known(row.installation, ids, f"{where}.installation")
        with _located(where):
            groups.append(Group(GroupId(row.id), InstallationId(row.installation), row.name))
    return tuple(groups)


def _children(document: _DaycareFile, groups: Sequence[Group]) -> tuple[Child, ...]:
    installations = [row.id for row in document.installations]
    parents = [row.id for row in document.parents]
    children: list[Child] = []
    for index, row in enumerate(document.children):
        where = f"children[{index}]"
        _known(row.installation, installations, f"{where}.installation")
        here = [g.id for g in groups if g.installation == row.installation]
        _known(row.group, here, f"{where}.group")
        for number, parent in enumerate(row.parents):
            _known(parent, parents, f"{where}.parents[{number}]")
        with _located(where):
            children.append(
                Child(
                    ChildId(row.id),
                    row.first_name,
                    row.last_name,
                    InstallationId(row.installation),
                    GroupId(row.group),
                    frozenset(ParentId(p) for p in row.parents),
                    agreement_active=row.agreement_active,
                    hophop_enabled=row.hophop_enabled,
                )
            )
    return tuple(children)
