"""What is sent to HopHop (seed 001, "Les données envoyées à HopHop sont"), whatever the
records hold: the seed's fields only, for the children with "HopHop est activé" only, and a
sync that is a diff — applied, it gives what should be held; twice, it sends nothing; and,
sent over what another sync's push may have left, it still gives what should be held."""

from __future__ import annotations

from collections.abc import Mapping
from random import Random

import attrs
from hypothesis import given
from hypothesis import strategies as st

from caredomain.pickup import (
    Child,
    ChildId,
    GroupId,
    Installation,
    InstallationId,
    Parent,
    ParentId,
    SyncDiff,
    SyncedChild,
    SyncedParent,
    diff,
    payload,
)

SEED_PARENT_FIELDS = {"last_name", "first_name", "email"}  # nom, prénom et courriel
SEED_CHILD_FIELDS = {  # nom, prénom, service de garde, installation, entente de service active
    "last_name",
    "first_name",
    "daycare",
    "installation",
    "agreement_active",
}
"""The seed's list; a child's record also carries her parents' records, and ``reference``."""

NAMES = st.text(min_size=1, max_size=12).filter(str.strip)
BARE = st.text(min_size=1, max_size=8).filter(lambda s: not any(c.isspace() for c in s))
IDS = st.one_of(st.sampled_from(["c0", "c1", "c2", "c3", "p0", "p1", "p2"]), BARE)
ASCII = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
EMAILS = st.builds(  # addresses the notifications' check accepts, as a parent's must
    lambda local, host, tld: f"{local}@{host}.{tld}",
    st.from_regex(r"[A-Za-z0-9._%+-]{1,8}", fullmatch=True).filter(
        lambda s: not s.startswith(".") and not s.endswith(".") and ".." not in s
    ),
    ASCII,
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=6),
)
SITES = (InstallationId("site-1"), InstallationId("site-2"))
INSTALLATIONS = st.fixed_dictionaries(
    {site: st.builds(Installation, st.just(site), NAMES, NAMES) for site in SITES}
)
PARENTS = st.lists(
    st.builds(Parent, IDS, NAMES, NAMES, EMAILS, st.booleans()),
    max_size=6,
    unique_by=lambda parent: parent.id,
).map(lambda parents: {ParentId(parent.id): parent for parent in parents})
CHILDREN = st.lists(
    st.builds(
        Child,
        IDS,
        NAMES,
        NAMES,
        st.sampled_from(SITES),
        BARE,
        parents=st.frozensets(IDS, max_size=3),  # some not known to the daycare
        agreement_active=st.booleans(),
        hophop_enabled=st.booleans(),
        awaiting_approval=st.frozensets(IDS, max_size=2),
    ),
    max_size=8,
    unique_by=lambda child: child.id,
)
WORLDS = st.tuples(NAMES, INSTALLATIONS, CHILDREN, PARENTS)

World = tuple[str, dict[InstallationId, Installation], list[Child], dict[ParentId, Parent]]


def apply(held: Mapping[str, SyncedChild], sync: SyncDiff) -> dict[str, SyncedChild]:
    """What HopHop holds once it received ``sync``: each record added where there was none,
    replaced where there was one, withdrawn where there was one."""
    result = dict(held)
    for record in sync.added:
        assert record.reference not in result
        result[record.reference] = record
    for record in sync.changed:
        assert record.reference in result
        result[record.reference] = record
    for reference in sync.removed:
        assert reference in result
        del result[reference]
    return result


def test_the_records_have_exactly_the_seeds_fields() -> None:
    assert {f.name for f in attrs.fields(SyncedParent)} == SEED_PARENT_FIELDS
    assert {f.name for f in attrs.fields(SyncedChild)} == SEED_CHILD_FIELDS | {
        "parents",
        "reference",
    }


@given(WORLDS)
def test_only_enabled_children_are_sent_with_the_seeds_fields(world: World) -> None:
    daycare, installations, children, parents = world
    records = payload(daycare, installations, children, parents)
    enabled = {child.id: child for child in children if child.hophop_enabled}
    assert records.keys() == enabled.keys()
    for reference, record in records.items():
        child = enabled[ChildId(reference)]
        assert attrs.asdict(record, recurse=False).keys() == SEED_CHILD_FIELDS | {
            "parents",
            "reference",
        }
        assert attrs.asdict(record, recurse=False) == {
            "reference": child.id,
            "last_name": child.last_name,
            "first_name": child.first_name,
            "daycare": daycare,
            "installation": installations[child.installation].display_name,
            "agreement_active": child.agreement_active,
            "parents": record.parents,
        }
        known = [parents[p] for p in child.parents if p in parents]
        assert sorted(attrs.astuple(p) for p in record.parents) == sorted(
            (p.last_name, p.first_name, p.email) for p in known
        )
        for parent in record.parents:
            assert attrs.asdict(parent).keys() == SEED_PARENT_FIELDS


@given(WORLDS, WORLDS, st.randoms(use_true_random=False))
def test_a_sync_applied_gives_what_should_be_held_and_again_sends_nothing(
    before: World, after: World, rng: Random
) -> None:
    sent = payload(*before)
    daycare, installations, children, parents = after
    now = payload(daycare, installations, children, parents)
    assert apply(sent, diff(sent, now)) == now
    assert apply({}, diff({}, now)) == now
    assert diff(now, now).empty
    # The same data in another order gives the same records: nothing to send.
    shuffled = list(children)
    rng.shuffle(shuffled)
    assert diff(now, payload(daycare, installations, shuffled, parents)).empty


@given(WORLDS, st.data())
def test_a_change_to_a_field_not_sent_sends_nothing(world: World, data: st.DataObject) -> None:
    """A child's group, her parents' awaiting approval, a parent's activation: not sent,
    so changing them changes no record."""
    daycare, installations, children, parents = world
    now = payload(daycare, installations, children, parents)
    moved = [
        attrs.evolve(
            child,
            group=GroupId(data.draw(BARE)),
            awaiting_approval=data.draw(st.frozensets(IDS, max_size=2)),
        )
        for child in children
    ]
    activated = {key: attrs.evolve(p, activated=not p.activated) for key, p in parents.items()}
    assert diff(now, payload(daycare, installations, moved, activated)).empty


def held_by_hophop(held: Mapping[str, SyncedChild], sync: SyncDiff) -> dict[str, SyncedChild]:
    """What HopHop holds once it received ``sync``, as docs/hophop.md says it stores a push:
    each added or changed record under its reference, replacing what it held, and the
    removed references dropped (those it did not hold too)."""
    result = dict(held)
    for record in (*sync.added, *sync.changed):
        result[record.reference] = record
    for reference in sync.removed:
        result.pop(reference, None)
    return result


@given(WORLDS, WORLDS, WORLDS, st.frozensets(IDS, max_size=6), st.data())
def test_a_sync_over_uncertain_references_gives_what_should_be_held(
    before: World, after: World, other: World, extra: frozenset[str], data: st.DataObject
) -> None:
    """HopHop holds what was recorded as sent but for the ``uncertain`` references, which
    another sync's push may have left in any state: the sync still brings it to ``now``."""
    sent, now, elsewhere = payload(*before), payload(*after), payload(*other)
    references = sorted(sent.keys() | now.keys() | elsewhere.keys() | extra)
    uncertain = data.draw(st.frozensets(st.sampled_from(references))) if references else extra
    held = {r: record for r, record in sent.items() if r not in uncertain}
    held |= {r: record for r, record in elsewhere.items() if r in uncertain}
    sync = diff(sent, now, uncertain=uncertain)
    assert held_by_hophop(held, sync) == now
    assert sync.references >= uncertain
    assert apply(sent, diff(sent, now, uncertain=frozenset())) == now
