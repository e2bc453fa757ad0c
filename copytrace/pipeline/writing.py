"""Write a batch's decisions: classifications, the chains re-rooted under them, story groups, and the
stories of copies that gave up their source worked out again (``redeciding``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from copytrace.attribution.stories import story_changes
from copytrace.attribution.types import Attribution, Doc
from copytrace.pipeline.redeciding import headline, redecide_stories
from copytrace.pipeline.results import FINDING_LABELS, ClassifyResult
from copytrace.repo import classifications, stories
from copytrace.reports.titles import display_title

if TYPE_CHECKING:  # the scorer is handed in: the classifier (scikit-learn) stays out of these imports
    from copytrace.runtime.scoring import Scorer


@dataclass
class Plan:
    """A batch's decisions worked out on one snapshot of the store, waiting to be written."""

    marker: int | None  # the latest classification id the snapshot saw
    new_docs: list
    stored_docs: list
    docs: list[Doc]
    outcome: Attribution
    story_cosine: float


def write(session, plan: Plan, scorer: Scorer, flow_run_id: str | None) -> ClassifyResult:
    """Store a plan's decisions, re-rooted chains and story groups."""
    model_version_id = scorer.register(session)
    result = ClassifyResult(pairs_scored=plan.outcome.pair_count)
    by_id = {d.id: d for d in plan.docs}
    stored = [*plan.new_docs, *plan.stored_docs]
    locator = {d.id: d.locator for d in stored}
    site = {d.id: d.site for d in stored}
    title = {d.id: d.title for d in stored}
    classifications.add_classifications(
        session,
        plan.outcome.decisions,
        model_version_id=model_version_id,
        flow_run_id=flow_run_id,
    )
    for dec in plan.outcome.decisions:
        result.final[dec.document_id] = dec.label
        if by_id[dec.document_id].is_new:
            result.classified += 1
            result.new_ids.add(dec.document_id)
        else:
            result.redecided_ids.add(dec.document_id)
            result.redecided_ids.update(_reroot_descendants(session, dec.document_id, dec.root_id))
        if dec.label in FINDING_LABELS:
            result.finding_of[dec.document_id] = {
                "document_id": int(dec.document_id),
                "locator": locator[dec.document_id],
                "site": site[dec.document_id],
                "title": display_title(
                    title[dec.document_id],
                    by_id[dec.document_id].text,
                    [(int(span["copy_start"]), int(span["copy_end"])) for span in dec.evidence.get("spans", [])],
                ),
                "label": dec.label,
                "confidence": round(dec.confidence, 3),
                "source": locator.get(dec.derived_from_id, ""),
                "reasons": list(dec.evidence.get("reasons", []))[:3],
            }
        else:
            result.finding_of.pop(dec.document_id, None)

    changes = story_changes(plan.outcome.stories, {d.id: d.story_id for d in plan.docs})
    for keep, merged in changes.merges.items():
        stories.merge_stories(session, keep, merged)
    titles = [by_id[group[0]].title or headline(by_id[group[0]].text) for group in changes.new]
    started = stories.new_stories(session, titles)
    moves = changes.joins | {i: story for group, story in zip(changes.new, started, strict=True) for i in group}
    stories.set_stories(session, moves)
    result.new_stories += len(started)
    gave_up = [
        dec.document_id
        for dec in plan.outcome.decisions
        if (doc := by_id[dec.document_id]).parent_id is not None and dec.derived_from_id != doc.parent_id
    ]
    result.new_stories += redecide_stories(session, gave_up, scorer, plan.story_cosine)
    return result


def _reroot_descendants(session, document_id: int, new_root: int | None) -> list[int]:
    """Copies whose chain runs through a re-rooted document take its new root; their ids."""
    descendants, frontier = [], [document_id]
    while frontier:
        frontier = [
            c for c in classifications.children_of(session, frontier) if c not in descendants and c != document_id
        ]
        descendants.extend(frontier)
    classifications.set_root(session, descendants, new_root)
    return descendants
