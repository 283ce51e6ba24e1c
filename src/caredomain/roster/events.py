"""The roster's domain events, in the past tense. Each is journaled with the change that
caused it and handed to the plugins' ``caredomain_on_event`` hook once committed."""

from __future__ import annotations

from datetime import date, datetime

from attrs import frozen

from caredomain.events import Event

__all__ = [
    "AgentAssigned",
    "AgentReassigned",
    "AgentUnassigned",
    "DaysSwapped",
    "GttBatchApplied",
    "LocalCodeEdited",
    "LocalEditOverwritten",
    "PlanningPublished",
    "PostClosed",
    "PostVacated",
]


@frozen(kw_only=True)
class AgentUnassigned(Event):
    """An agent was taken off a post: ``reason`` says why (``absence``: the ``code`` that
    landed on the day)."""

    agent_id: str
    post_id: str
    planning_id: str
    day: date
    reason: str
    code: str | None = None


@frozen(kw_only=True)
class PostVacated(Event):
    """A post of a published planning lost an agent and now shows ``fill`` (``0/1``)."""

    post_id: str
    planning_id: str
    unit: str
    day: date
    start: datetime
    end: datetime
    fill: str


@frozen(kw_only=True)
class AgentReassigned(Event):
    """An agent stood down by an absence came back to her post: the absence was withdrawn
    (``code`` is what she holds now) before the manager handled the vacancy."""

    agent_id: str
    post_id: str
    planning_id: str
    day: date
    code: str | None
    fill: str


@frozen(kw_only=True)
class AgentAssigned(Event):
    """A manager posted an agent."""

    agent_id: str
    post_id: str
    planning_id: str
    day: date
    fill: str
    by: str


@frozen(kw_only=True)
class PostClosed(Event):
    """A manager closed a post: its vacant positions are no longer to be filled."""

    post_id: str
    planning_id: str
    day: date
    fill: str
    by: str


@frozen(kw_only=True)
class DaysSwapped(Event):
    """Two agents exchanged their days: codes (as local edits) and posts, as one change."""

    agent_a: str
    agent_b: str
    days: tuple[date, ...]
    posts: tuple[str, ...]
    by: str


@frozen(kw_only=True)
class LocalCodeEdited(Event):
    """A code was changed in the scheduling tool ("Gestion Desiderata"). Not sent to the
    GTT: the next feed confirms or overwrites it."""

    agent_id: str
    day: date
    code: str
    previous: str | None
    by: str


@frozen(kw_only=True)
class LocalEditOverwritten(Event):
    """A newer GTT row differed from a pending local edit and replaced it: the edit is lost."""

    agent_id: str
    day: date
    local_code: str
    gtt_code: str
    edited_by: str
    edited_at: datetime
    extracted_at: datetime


@frozen(kw_only=True)
class PlanningPublished(Event):
    planning_id: str
    unit: str
    by: str


@frozen(kw_only=True)
class GttBatchApplied(Event):
    """A GTT batch was applied: the counts of its report."""

    source: str
    extracted_at: datetime
    read: int
    applied: int
    unchanged: int
    stale: int
    rejected: int
    merged: int
    overwritten: int
    unassigned: int
    vacated: int
