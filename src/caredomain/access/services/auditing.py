"""The configuration's audit journal, read and verified."""

from __future__ import annotations

from caredomain.access.actors import Actor
from caredomain.access.audit import AuditEntry, AuditHead, Verification, verify
from caredomain.access.policy import Action, authorize, authorize_action
from caredomain.access.ports import access_unit_of_work
from caredomain.access.services.common import configuration_resource, scoped
from caredomain.arguments import checked
from caredomain.organisation import ConfigurationId
from caredomain.services.context import ServiceContext

__all__ = ["audit_journal", "verify_audit"]


@checked
def audit_journal(
    context: ServiceContext, actor: Actor, configuration_id: ConfigurationId
) -> list[AuditEntry]:
    """The configuration's audit journal, in order."""
    authorize_action(actor, Action.ACCESS_AUDIT)
    scoped(actor, configuration_id)
    with access_unit_of_work(context.store, write=False) as uow:
        configuration = uow.access.configuration(configuration_id)
        authorize(
            actor, Action.ACCESS_AUDIT, configuration_resource(configuration_id, configuration)
        )
        return uow.access.audit(configuration_id)


@checked
def verify_audit(
    context: ServiceContext,
    actor: Actor,
    configuration_id: ConfigurationId,
    *,
    head: AuditHead | None = None,
) -> Verification:
    """Verify the configuration's audit journal (against ``head``, a previous
    verification's, if given)."""
    return verify(audit_journal(context, actor, configuration_id), head)
