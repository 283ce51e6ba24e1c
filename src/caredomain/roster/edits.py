"""Local edits — "Gestion Desiderata" in the seed.

Seed 000, FAQ 2: with a one-way feed, a code can still be changed in the scheduling tool, but
the change is **never sent to the GTT**. It stays pending until the feed brings the GTT's
word on that agent-day: the same code (the manager made the change in the GTT too) and the two
merge; another code (the GTT was not changed) and the local edit is overwritten, and the
feed's report says so. :meth:`~caredomain.roster.state.Roster.pending_edits` lists what the
next feed may overwrite.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

from caredomain.errors import InvalidInput
from caredomain.roster.absences import Postings, absence_unassigns
from caredomain.roster.days import LocalEdit
from caredomain.roster.events import LocalCodeEdited
from caredomain.roster.state import Roster, RosterChange
from caredomain.text import Text

__all__ = ["NOT_SENT_UPSTREAM", "edit_code"]

NOT_SENT_UPSTREAM = Text(
    "local edits are not sent to the GTT: make the same change in the GTT, "
    "or the next feed will overwrite it"
)


def edit_code(
    roster: Roster, agent_id: str, day: date, code: str, *, by: str, at: datetime
) -> RosterChange:
    """Change an agent's code on a day in the scheduling tool (see :data:`NOT_SENT_UPSTREAM`).

    Setting back the code the GTT holds withdraws the pending edit. An absence code on a day
    the agent is posted unassigns her, as a GTT row would; withdrawing it brings her back
    while the manager has not handled the vacancy. An edit that changes nothing changes
    nothing (the change is empty).
    """
    agent = roster.agent(agent_id).id
    if code not in roster.catalogue:
        raise InvalidInput(Text("unknown code (codes are never guessed)"), field="code", text=code)
    ordinal = day.toordinal()
    record = roster.gtt_days(agent)
    gtt_code = record.code_at(ordinal) if record else None
    before = roster.effective_code(agent, ordinal)
    if code == before:
        return RosterChange()
    postings = Postings(roster)
    absence_unassigns(postings, agent, ordinal, before, code)
    if code == gtt_code:
        edits: list[LocalEdit] = []
        cleared = [(agent, day)]
    else:
        edits = [LocalEdit(agent, day, code, at, by, before)]
        cleared = []
    draft = partial(LocalCodeEdited, agent_id=agent, day=day, code=code, previous=before, by=by)
    return RosterChange(
        edits=edits,
        cleared_edits=cleared,
        posts=postings.posts.values(),
        drafts=[draft, *postings.drafts()],
    )
