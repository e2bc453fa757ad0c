"""Stories: a batch's story groups, and what they change in the stored stories (which merge, which
start, who moves).

A group is a set of documents about one event (``Attribution.stories``): what the batch's
derivations and similar pairs join (``story_groups``). Documents already in a story bring it along:
every stored story met in one group becomes one story, and stories met in different groups that
share a story are one too (the groups are joined through it). The merged story keeps the smallest
id. A group meeting no stored story starts a new one.

A batch only merges stories; ``story_pieces`` splits one again: when a stored copy gives up its
source for another, its story is worked out anew from its documents' current derivations and
similar pairs (``copytrace.pipeline.redeciding.redecide_stories``).

Working this out in one pass before writing lets the writes be a few statements for the whole
batch (one merge per joined set of stories, one insert for the new stories, one update for the
documents that move) instead of a few per group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from copytrace.attribution.disjoint import DisjointSets
from copytrace.attribution.types import Doc, Edge


def story_links(docs: Sequence[Doc], sims: np.ndarray, story_cosine: float) -> list[tuple[int, int]]:
    """Pairs with a new document in them similar enough to be about one event."""
    a, b = np.nonzero(np.triu(sims >= story_cosine, k=1))
    is_new = np.array([d.is_new for d in docs], dtype=bool)
    both_stored = ~is_new[a] & ~is_new[b]
    return list(zip(a[~both_stored].tolist(), b[~both_stored].tolist(), strict=True))


def story_groups(docs, parents: dict[int, Edge], links: list[tuple[int, int]]) -> list[set[int]]:
    """Connected groups: derivations plus underived pairs about the same event."""
    linked: DisjointSets[int] = DisjointSets()
    for copy, edge in parents.items():
        linked.union(copy, edge.source)
    for a, b in links:
        linked.union(a, b)
    first_of_story: dict[int, int] = {}
    for i, d in enumerate(docs):  # stored documents already sharing a story stay together
        if d.story_id is not None:
            linked.union(i, first_of_story.setdefault(d.story_id, i))
    groups: dict[int, set[int]] = {}
    for i, d in enumerate(docs):
        groups.setdefault(linked.find(i), set()).add(d.id)
    return list(groups.values())


@dataclass
class StoryChanges:
    merges: dict[int, list[int]] = field(default_factory=dict)  # kept story -> stories merged into it
    joins: dict[int, int] = field(default_factory=dict)  # document without a story -> stored story it joins
    new: list[list[int]] = field(default_factory=list)  # groups starting a story, documents sorted


def story_changes(groups: Iterable[Iterable[int]], story_of: Mapping[int, int | None]) -> StoryChanges:
    """The changes for these groups, given each document's current story (None: none yet)."""
    joined: DisjointSets[int] = DisjointSets()
    groups = [sorted(g) for g in groups]
    for group in groups:
        stories = sorted({s for i in group if (s := story_of.get(i)) is not None})
        for s in stories[1:]:
            joined.union(stories[0], s)

    out = StoryChanges()
    for s in sorted(joined):
        if (keep := joined.find(s)) != s:
            out.merges.setdefault(keep, []).append(s)
    for group in groups:
        stories = [s for i in group if (s := story_of.get(i)) is not None]
        if not stories:
            out.new.append(group)
            continue
        keep = joined.find(stories[0])
        out.joins.update((i, keep) for i in group if story_of.get(i) is None)
    return out


def story_pieces(
    members: Sequence[int], derived_from: Mapping[int, int | None], similar: Iterable[tuple[int, int]]
) -> list[list[int]]:
    """The groups one story's documents form when joined only by what holds now: each document's
    current derivation (``derived_from``) and the ``similar`` pairs (document ids) among them.
    Each group sorted; the group holding the smallest document first (it keeps the story's id).

    A derivation given up (a wrapped copy credited to another article's wrapped copy before its own
    source came) no longer holds the story together: which derivations a run makes and gives up
    depends on which documents each batch held, the ones that hold at the end do not."""
    linked: DisjointSets[int] = DisjointSets()
    inside = set(members)
    for i in members:
        linked.find(i)
        if (source := derived_from.get(i)) is not None and source in inside:
            linked.union(i, source)
    for a, b in similar:
        linked.union(a, b)
    groups: dict[int, list[int]] = {}
    for i in sorted(inside):
        groups.setdefault(linked.find(i), []).append(i)
    return sorted(groups.values())
