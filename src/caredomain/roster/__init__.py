"""Rosters fed one way by the GTT (seed 000): codes, agents, plannings and posts, the feed
application, local edits, vacancies, candidates and day swaps.

Start from :class:`Roster` (the state) and :func:`apply_feed` (a GTT batch applied to it);
every operation returns a :class:`RosterChange` that :meth:`Roster.apply` and the stores take.
The use cases with their access checks are in :mod:`caredomain.roster.services`.
"""

from caredomain.roster.absences import Reinstatement, Unassignment, absence_unassigns
from caredomain.roster.availability import FULL_REST, Candidate, Exclusion, obstacles
from caredomain.roster.codes import (
    AbsenceCategory,
    Code,
    CodeCatalogue,
    CodeKind,
    french_hospital_catalogue,
    load_catalogue,
)
from caredomain.roster.days import AgentDays, DayCode, LocalEdit, Provenance
from caredomain.roster.edits import NOT_SENT_UPSTREAM, edit_code
from caredomain.roster.events import (
    AgentAssigned,
    AgentReassigned,
    AgentUnassigned,
    DaysSwapped,
    GttBatchApplied,
    LocalCodeEdited,
    LocalEditOverwritten,
    PlanningPublished,
    PostClosed,
    PostVacated,
)
from caredomain.roster.feed import (
    EditResolution,
    FeedOutcome,
    FeedReport,
    apply_codes,
    apply_feed,
    settle_absences,
)
from caredomain.roster.feed_rows import CodeChanges
from caredomain.roster.feed_rules import (
    RowVerdict,
    gtt_merges_or_overwrites_local_edit,
    late_rows_never_regress,
    never_guessed,
)
from caredomain.roster.model import (
    DEFAULT_MINIMUM_REST,
    Agent,
    AgentId,
    Fill,
    Planning,
    PlanningId,
    PlanningStatus,
    Post,
    PostId,
    RosterSettings,
)
from caredomain.roster.plannings import publish_planning, set_up
from caredomain.roster.ports import AppliedBatch, FeedFolder, FolderReader, RosterRepository
from caredomain.roster.schedule import FeedSchedule
from caredomain.roster.state import IdFactory, Roster, RosterChange, RosterSnapshot
from caredomain.roster.vacancies import (
    CandidateList,
    SwapRefused,
    assign_agent,
    candidates,
    close_post,
    swap_days,
)
from caredomain.roster.ward import Ward, load_ward

__all__ = [
    "DEFAULT_MINIMUM_REST",
    "FULL_REST",
    "NOT_SENT_UPSTREAM",
    "AbsenceCategory",
    "Agent",
    "AgentAssigned",
    "AgentDays",
    "AgentId",
    "AgentReassigned",
    "AgentUnassigned",
    "AppliedBatch",
    "Candidate",
    "CandidateList",
    "Code",
    "CodeCatalogue",
    "CodeChanges",
    "CodeKind",
    "DayCode",
    "DaysSwapped",
    "EditResolution",
    "Exclusion",
    "FeedFolder",
    "FeedOutcome",
    "FeedReport",
    "FeedSchedule",
    "Fill",
    "FolderReader",
    "GttBatchApplied",
    "IdFactory",
    "LocalCodeEdited",
    "LocalEdit",
    "LocalEditOverwritten",
    "Planning",
    "PlanningId",
    "PlanningPublished",
    "PlanningStatus",
    "Post",
    "PostClosed",
    "PostId",
    "PostVacated",
    "Provenance",
    "Reinstatement",
    "Roster",
    "RosterChange",
    "RosterRepository",
    "RosterSettings",
    "RosterSnapshot",
    "RowVerdict",
    "SwapRefused",
    "Unassignment",
    "Ward",
    "absence_unassigns",
    "apply_codes",
    "apply_feed",
    "assign_agent",
    "candidates",
    "close_post",
    "edit_code",
    "french_hospital_catalogue",
    "gtt_merges_or_overwrites_local_edit",
    "late_rows_never_regress",
    "load_catalogue",
    "load_ward",
    "never_guessed",
    "obstacles",
    "publish_planning",
    "set_up",
    "settle_absences",
    "swap_days",
]
