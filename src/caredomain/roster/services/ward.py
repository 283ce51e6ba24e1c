"""The ward's configuration: its code catalogue, its agents, plannings and posts."""

from __future__ import annotations

from caredomain.access import Action, Actor, Resource, authorize
from caredomain.arguments import checked
from caredomain.roster.codes import CodeCatalogue
from caredomain.roster.plannings import set_up
from caredomain.roster.ports import roster_unit_of_work
from caredomain.roster.services.loading import commit_change, load_roster
from caredomain.roster.state import RosterChange
from caredomain.roster.ward import Ward
from caredomain.services.context import ServiceContext

__all__ = ["configure_catalogue", "set_up_ward"]

# -- configuration ----------------------------------------------------------------------


@checked
def configure_catalogue(context: ServiceContext, actor: Actor, catalogue: CodeCatalogue) -> None:
    """Save the code catalogue; codes already known keep their meaning (see
    :meth:`~caredomain.roster.codes.CodeCatalogue.replaced_by`)."""
    authorize(actor, Action.ROSTER_CONFIGURE, Resource("roster"))
    with roster_unit_of_work(context.store) as uow:
        current = uow.roster.catalogue()
        uow.roster.save_catalogue(current.replaced_by(catalogue) if current else catalogue)
        uow.commit()


@checked
def set_up_ward(
    context: ServiceContext, actor: Actor, ward: Ward, *, source: str | None = None
) -> RosterChange:
    """Save a ward file's settings, catalogue, agents, plannings and posts (checked: see
    :func:`~caredomain.roster.plannings.set_up`)."""
    authorize(actor, Action.ROSTER_CONFIGURE, Resource("roster"))
    with roster_unit_of_work(context.store) as uow:
        if ward.catalogue is not None:
            current = uow.roster.catalogue()
            catalogue = current.replaced_by(ward.catalogue) if current else ward.catalogue
            uow.roster.save_catalogue(catalogue)
        uow.roster.save_settings(ward.settings)
        roster = load_roster(uow)
        change = set_up(
            roster, agents=ward.agents, plannings=ward.plannings, posts=ward.posts, source=source
        )
        commit_change(context, uow, change)
    return change
