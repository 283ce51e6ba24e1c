"""The synchronisation with the mobile platform (seed 004): push what the phones must hold,
then pull what they sent and apply it through the same rules as the office's use cases.

Push, in one unit of work: first the blocks of phones declared lost since the last push
(so the platform drops their data before anything new goes out), then the withdrawals, the
caregivers and clients the transmission plan says (the platform's answer is what it now
holds: the transmitted ones), each caregiver's planning — ringing her phone when it
changed since the last push —, the office messages not yet delivered, and the emergency
numbers. Pushes state whole values, so a push repeated after a crash changes nothing.

Pull, one unit of work per pull: every item is applied (punches through the caregiver's
:class:`~caredomain.interventions.PunchLog`, visit data, messages, acknowledgements, alarm
signals, requests), the alarms now due fire, and the new cursor is saved in the same
transaction: a crash never half-applies a pull, and an item pulled twice is recognised by
its phone id and applied once.

The push is :mod:`~caredomain.interventions.services.sync_push`, the pull
:mod:`~caredomain.interventions.services.sync_pull`, and what both report
:class:`~caredomain.interventions.services.sync_report.SyncReport`.
"""

from __future__ import annotations

from caredomain.access import Action, Actor, authorize, authorize_action
from caredomain.interventions.platform import MobilePlatform
from caredomain.interventions.ports import interventions_unit_of_work
from caredomain.interventions.services.access import PLATFORM_SYNC_ACTOR, agency_resource
from caredomain.interventions.services.sync_pull import pull
from caredomain.interventions.services.sync_push import push
from caredomain.interventions.services.sync_report import SyncReport
from caredomain.organisation import OrganisationId
from caredomain.services.context import ServiceContext

__all__ = ["MAX_PULLS", "sync_with_platform"]

MAX_PULLS = 100
"""Pulls per synchronisation at most: what is left waits for the next one."""


def sync_with_platform(
    context: ServiceContext,
    platform: MobilePlatform,
    organisation_id: OrganisationId,
    *,
    actor: Actor = PLATFORM_SYNC_ACTOR,
) -> SyncReport:
    """Push to ``platform`` what the agency's phones must hold, then pull and apply what
    they sent (see the module's docstring)."""
    authorize_action(actor, Action.VISIT_RECORD)
    authorize_action(actor, Action.INTERVENTION_PLAN)
    with interventions_unit_of_work(context.store, write=False) as uow:
        agency = agency_resource(uow, organisation_id)
    authorize(actor, Action.VISIT_RECORD, agency)
    authorize(actor, Action.INTERVENTION_PLAN, agency)
    report = push(context, platform, organisation_id)
    for _ in range(MAX_PULLS):
        report, more = pull(context, platform, organisation_id, report)
        if not more:
            break
    return report
