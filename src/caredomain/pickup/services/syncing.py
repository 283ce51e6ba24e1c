"""The "Synchroniser les données avec HopHop" button (seed 001): each linked installation's
account is sent what changed since its last sync, and what was sent is recorded.

HopHop is asked outside any unit of work, so that no lock is held while it answers; two
syncs of one daycare may then run at once (two administrators, a click and the nightly
job). What each records as sent is checked, when it is recorded, against what it read: a
sync that finds another's record in between does not save over it (HopHop may hold either
push, whichever landed last). It sends again, over the other's record, what it had sent —
now as it stands — and records that (:func:`~caredomain.pickup.sync.diff` with
``uncertain``), so that what HopHop holds and what is recorded never part for good.
"""

from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen

from caredomain.access import Action, Actor, authorize, authorize_action, authorize_base
from caredomain.arguments import checked
from caredomain.errors import Conflict, NotFound
from caredomain.organisation import OrganisationId
from caredomain.pickup.model import HopHopAccount, InstallationId, LinkProblem
from caredomain.pickup.ports import HopHopPlatform, PickupUnitOfWork, pickup_unit_of_work
from caredomain.pickup.services.configuring import cut_bridge, daycare_resource
from caredomain.pickup.sync import SyncDiff, SyncedChild, diff, payload
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = ["SyncReport", "sync_hophop"]

Records = dict[str, SyncedChild]

_ROUNDS = 5
"""How many times a sync sends again over other syncs' records before it gives up."""


@frozen
class SyncReport:
    """What a sync sent to each installation's account, and the installations it skipped
    because their account's link is not green."""

    pushed: dict[InstallationId, SyncDiff]
    skipped: dict[InstallationId, LinkProblem]


@checked
def sync_hophop(
    context: ServiceContext, actor: Actor, organisation_id: str, platform: HopHopPlatform
) -> SyncReport:
    """The "Synchroniser les données avec HopHop" button: send each linked installation's
    account what changed since its last sync — new children, changed records, children no
    longer sent — and record it as sent. Running it again with nothing changed sends
    nothing. An installation whose link is red is skipped, with why; one whose account
    HopHop no longer links (its password was changed on HopHop's side: the seed's cut
    bridge) turns red, ``password-changed``, and is skipped. Another sync recording in
    between is sent over (see the module); :class:`Conflict` if others keep doing so."""
    authorize_action(actor, Action.PICKUP_CONFIGURE)
    with pickup_unit_of_work(context.store, write=False) as uow:
        configuration = authorize_base(actor, uow, OrganisationId(organisation_id))
        authorize(actor, Action.PICKUP_CONFIGURE, daycare_resource(organisation_id, configuration))
        accounts = {
            installation.id: uow.pickup.account(organisation_id, installation.id)
            for installation in uow.pickup.installations(organisation_id)
        }
        wanted = _records(uow, organisation_id, accounts)
    pushed: dict[InstallationId, SyncDiff] = {}
    skipped: dict[InstallationId, LinkProblem] = {}
    for installation_id, account in sorted(accounts.items()):
        if account is None:
            skipped[installation_id] = LinkProblem.NOT_LINKED
            continue
        if account.problem is not None:
            skipped[installation_id] = account.problem
            continue
        sent, now = wanted[installation_id]
        change = diff(sent, now)
        if not change.empty:
            try:
                _send(
                    context, platform, organisation_id, account, change=change, sent=sent, now=now
                )
            except NotFound:
                skipped[installation_id] = cut_bridge(context, organisation_id, account)
                continue
        pushed[installation_id] = change
    return SyncReport(pushed, skipped)


def _records(
    uow: PickupUnitOfWork, organisation_id: str, wanted: Iterable[InstallationId]
) -> dict[InstallationId, tuple[Records, Records]]:
    """For each ``wanted`` installation: what was last recorded as sent to its account,
    and what it should hold now."""
    repository = uow.pickup
    installations = {i.id: i for i in repository.installations(organisation_id)}
    children = repository.children(organisation_id)
    parents = {p.id: p for p in repository.parents(organisation_id)}
    daycare = uow.organisations.get(OrganisationId(organisation_id)).name
    return {
        installation: (
            repository.sent(organisation_id, installation),
            payload(
                daycare,
                installations,
                [c for c in children if c.installation == installation],
                parents,
            ),
        )
        for installation in wanted
    }


def _send(
    context: ServiceContext,
    platform: HopHopPlatform,
    organisation_id: str,
    account: HopHopAccount,
    *,
    change: SyncDiff,
    sent: Records,
    now: Records,
) -> None:
    """Push ``change`` (from ``sent`` to ``now``), then record ``now`` as sent, unless
    another sync recorded meanwhile: then send again over its record (see the module)."""
    installation = account.installation
    platform.push(account, change)
    for round_ in range(_ROUNDS):
        with pickup_unit_of_work(context.store) as uow:
            ((recorded, current),) = _records(uow, organisation_id, [installation]).values()
            if recorded == sent:
                uow.pickup.save_sent(organisation_id, installation, now)
                context.commit(uow, [])
                return
        if round_ + 1 == _ROUNDS:
            break
        # HopHop holds ``recorded``, but for what this sync pushed, which may have landed
        # after the other sync's push: that is sent again, as it stands now.
        change = diff(recorded, current, uncertain=change.references)
        sent, now = recorded, current
        platform.push(account, change)
    raise Conflict(
        Text(
            "other synchronisations of {installation} kept recording what they sent "
            "meanwhile; synchronise again",
            installation=installation,
        )
    )
