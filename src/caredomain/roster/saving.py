"""Saving a :class:`~caredomain.roster.state.RosterChange` through the unit of work, and
committing it with its events: the last step of every roster use case."""

from __future__ import annotations

from caredomain.events import Event
from caredomain.ports import UnitOfWork
from caredomain.roster.state import RosterChange
from caredomain.services.context import ServiceContext

__all__ = ["commit_change", "save_change"]


def save_change(uow: UnitOfWork, change: RosterChange) -> None:
    """Write what ``change`` changed, and only that."""
    repository = uow.roster
    if change.agents:
        repository.save_agents(change.agents)
    if change.plannings:
        repository.save_plannings(change.plannings)
    if change.posts:
        repository.save_posts(change.posts)
    if change.days:
        repository.save_agent_days(change.days)
    if change.confirmed and change.confirmed_at is not None:
        repository.confirm_agent_days(change.confirmed, change.confirmed_at)
    if change.edits or change.cleared_edits:
        repository.save_local_edits(change.edits, change.cleared_edits)


def commit_change(context: ServiceContext, uow: UnitOfWork, change: RosterChange) -> list[Event]:
    """Save ``change``, then commit it with its events (which are returned)."""
    save_change(uow, change)
    events = change.events(context.new_id, context.clock.now())
    context.commit(uow, events)
    return events
