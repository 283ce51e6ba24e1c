"""The access use cases (seed 002): each authorizes first, loads through the unit of work,
calls the domain, journals what it did in the configuration's audit journal, commits.

* :mod:`~caredomain.access.services.configuring`: the vendor sets up configurations and
  their bases, records the designated administrator, lists the configurations;
* :mod:`~caredomain.access.services.administering`: entering a mode, the administrator's
  users and password;
* :mod:`~caredomain.access.services.breakglass`: break-glass interventions and the actions
  in their window;
* :mod:`~caredomain.access.services.auditing`: the audit journal, read and verified.
"""

from caredomain.access.services.administering import (
    add_user,
    change_administrator_password,
    enter,
    users,
)
from caredomain.access.services.auditing import audit_journal, verify_audit
from caredomain.access.services.breakglass import (
    accept_breakglass,
    act_in_window,
    breakglasses,
    close_breakglass,
    quote_breakglass,
    request_breakglass,
    schedule_breakglass,
)
from caredomain.access.services.common import AccessSettings
from caredomain.access.services.configuring import (
    ConfigurationView,
    configurations_overview,
    configure_configuration,
    designate_administrator,
)

__all__ = [
    "AccessSettings",
    "ConfigurationView",
    "accept_breakglass",
    "act_in_window",
    "add_user",
    "audit_journal",
    "breakglasses",
    "change_administrator_password",
    "close_breakglass",
    "configurations_overview",
    "configure_configuration",
    "designate_administrator",
    "enter",
    "quote_breakglass",
    "request_breakglass",
    "schedule_breakglass",
    "users",
    "verify_audit",
]
