"""The home-care use cases (seed 004): authorize, load through the unit of work, call the
domain, save what changed with its events, commit, publish.

The office (administrators and managers) sets up the agency, plans, corrects visits,
writes to caregivers and blocks lost phones; a caregiver (an actor with the agent role
whose id is her caregiver id) acts in her own name from her phone; the mobile platform's
synchronisation (:func:`~caredomain.interventions.services.sync.sync_with_platform`) runs
as :data:`PLATFORM_SYNC_ACTOR` and the alarm clock (:func:`tick_alarms`) as
:data:`ALARM_CLOCK_ACTOR`, both system actors with the administrator role.

Everything is kept per organisation (the agency): each use case takes its id.

* :mod:`~caredomain.interventions.services.planning`: setting up the agency, planning, and
  the transmission plan;
* :mod:`~caredomain.interventions.services.visits`: punches, corrections, visit data, a
  caregiver's visit log and the reconciliation;
* :mod:`~caredomain.interventions.services.messages`: the phone's messages and the staff
  requests;
* :mod:`~caredomain.interventions.services.phonebook`: the emergency numbers and the
  directory;
* :mod:`~caredomain.interventions.services.alarm`: the lone-worker alarm;
* :mod:`~caredomain.interventions.services.devices`: the phones, and what is queued on them;
* :mod:`~caredomain.interventions.services.sync`: the synchronisation with the mobile
  platform (:mod:`~caredomain.interventions.services.sync_push` and
  :mod:`~caredomain.interventions.services.sync_pull`);
* :mod:`~caredomain.interventions.services.steps`: what the office's use cases and the
  synchronisation both do once access has been checked;
* :mod:`~caredomain.interventions.services.access`: the system actors and the resources
  the use cases authorize.
"""

from caredomain.interventions.services.access import ALARM_CLOCK_ACTOR, PLATFORM_SYNC_ACTOR
from caredomain.interventions.services.alarm import alarms, cancel_alarm, tick_alarms, trigger_alarm
from caredomain.interventions.services.devices import (
    authenticate_device,
    block_device,
    enrol_device,
)
from caredomain.interventions.services.messages import (
    acknowledge_message,
    blocking_messages_of,
    call_me_back,
    decide_staff_request,
    send_caregiver_message,
    send_office_message,
    set_alert_by_email,
    staff_requests,
    submit_staff_request,
)
from caredomain.interventions.services.phonebook import (
    add_emergency_number,
    caregiver_directory,
    put_directory_entry,
    remove_directory_entry,
    remove_emergency_number,
)
from caredomain.interventions.services.planning import (
    AgencySetUp,
    acknowledge_transmission,
    plan_interventions,
    set_up_agency,
    transmission_plan,
)
from caredomain.interventions.services.steps import load_punch_log
from caredomain.interventions.services.visits import (
    VisitLog,
    VisitRecord,
    add_visit_entry,
    correct_visit,
    reconcile_visits,
    record_punch,
    visit_log,
)

__all__ = [
    "ALARM_CLOCK_ACTOR",
    "PLATFORM_SYNC_ACTOR",
    "AgencySetUp",
    "VisitLog",
    "VisitRecord",
    "acknowledge_message",
    "acknowledge_transmission",
    "add_emergency_number",
    "add_visit_entry",
    "alarms",
    "authenticate_device",
    "block_device",
    "blocking_messages_of",
    "call_me_back",
    "cancel_alarm",
    "caregiver_directory",
    "correct_visit",
    "decide_staff_request",
    "enrol_device",
    "load_punch_log",
    "plan_interventions",
    "put_directory_entry",
    "reconcile_visits",
    "record_punch",
    "remove_directory_entry",
    "remove_emergency_number",
    "send_caregiver_message",
    "send_office_message",
    "set_alert_by_email",
    "set_up_agency",
    "staff_requests",
    "submit_staff_request",
    "tick_alarms",
    "transmission_plan",
    "trigger_alarm",
    "visit_log",
]
