"""The ward's configuration: its code catalogue, its agents, plannings and posts."""

from __future__ import annotations

from caredomain.access import Action, Actor, Resource, authorize, authorize_action, authorize_base
from caredomain.arguments import checked
from caredomain.organisation import ConfigurationId
from caredomain.roster.codes import CodeCatalogue
from caredomain.roster.plannings import set_up
from caredomain.roster.ports import roster_unit_of_work
from caredomain.roster.services.loading import commit_change, load_roster, roster_scope
from caredomain.roster.state import RosterChange
from caredomain.roster.ward import Ward
from caredomain.services.context import ServiceContext

__all__ = ["configure_catalogue", "set_up_ward"]

# -- configuration ----------------------------------------------------------------------


@checked
def configure_catalogue(context: ServiceContext, actor: Actor, catalogue: CodeCatalogue) -> None:
    """Save the code catalogue; codes already known keep their meaning (see
    :meth:`~caredomain.roster.codes.CodeCatalogue.replaced_by`)."""
    authorize_action(actor, Action.ROSTER_CONFIGURE)
    with roster_unit_of_work(context.store) as uow:
        _authorize_roster(actor, roster_scope(actor, uow))
        current = uow.roster.catalogue()
        uow.roster.save_catalogue(current.replaced_by(catalogue) if current else catalogue)
        uow.commit()


@checked
def set_up_ward(
    context: ServiceContext, actor: Actor, ward: Ward, *, source: str | None = None
) -> RosterChange:
    """Save a ward file's settings, catalogue, agents, plannings and posts (checked: see
    :func:`~caredomain.roster.plannings.set_up`). The ward file's organisation must be a
    base of the actor's configuration, as must the roster's it replaces (seed 002)."""
    authorize_action(actor, Action.ROSTER_CONFIGURE)
    with roster_unit_of_work(context.store) as uow:
        if uow.roster.settings() is not None:
            _authorize_roster(actor, roster_scope(actor, uow))
        organisation = ward.settings.organisation
        configuration = None
        if organisation is not None:
            configuration = authorize_base(actor, uow, organisation, Action.ROSTER_CONFIGURE)
        _authorize_roster(actor, configuration)
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


def _authorize_roster(actor: Actor, configuration: ConfigurationId | None) -> None:
    authorize(actor, Action.ROSTER_CONFIGURE, Resource("roster", configuration=configuration))
