"""What a synchronisation with the mobile platform did: what it pushed, what it pulled and
applied, what a rule refused; :meth:`SyncReport.lines` says it for people.
"""

from __future__ import annotations

from attrs import frozen

from caredomain.text import Text

__all__ = ["SyncReport"]


@frozen(kw_only=True)
class SyncReport:
    """What a synchronisation did. ``refused`` lists the items a rule refused (a punch a
    rule refuses is logged all the same, and counted in ``punches``); ``duplicates`` the
    items pulled again and recognised."""

    platform: str
    blocked: int = 0
    withdrawn: int = 0
    caregivers: int = 0
    clients: int = 0
    plannings: int = 0
    alerts: int = 0
    messages_pushed: int = 0
    emergency_numbers: int = 0
    pulls: int = 0
    punches: int = 0
    entries: int = 0
    messages: int = 0
    acknowledgements: int = 0
    alarm_signals: int = 0
    requests: int = 0
    fired: int = 0
    duplicates: int = 0
    refused: tuple[str, ...] = ()
    cursor: str | None = None

    def lines(self) -> list[str]:
        """The report for people."""
        lines: list[str] = [
            Text(
                "{platform}: pushed {caregivers} caregiver(s), {clients} client(s), "
                "{plannings} planning(s) ({alerts} with an alert), {messages} message(s), "
                "{numbers} emergency number(s); {blocked} phone(s) blocked, "
                "{withdrawn} record(s) withdrawn",
                platform=self.platform,
                caregivers=self.caregivers,
                clients=self.clients,
                plannings=self.plannings,
                alerts=self.alerts,
                messages=self.messages_pushed,
                numbers=self.emergency_numbers,
                blocked=self.blocked,
                withdrawn=self.withdrawn,
            ),
            Text(
                "pulled {pulls} time(s): {punches} punch(es), {entries} visit entr(ies), "
                "{messages} message(s), {acknowledgements} acknowledgement(s), "
                "{alarms} alarm signal(s), {requests} request(s); "
                "{duplicates} already applied; {fired} alarm(s) fired",
                pulls=self.pulls,
                punches=self.punches,
                entries=self.entries,
                messages=self.messages,
                acknowledgements=self.acknowledgements,
                alarms=self.alarm_signals,
                requests=self.requests,
                duplicates=self.duplicates,
                fired=self.fired,
            ),
        ]
        lines += [Text("  refused: {reason}", reason=reason) for reason in self.refused]
        return lines
