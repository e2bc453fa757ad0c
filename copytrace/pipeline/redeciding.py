"""Re-deciding stories: when stored copies give up their source, their stories are worked out again
from what holds now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from copytrace.attribution.stories import story_pieces
from copytrace.repo import classifications, documents, stories

if TYPE_CHECKING:  # the scorer is handed in: the classifier (scikit-learn) stays out of these imports
    from copytrace.runtime.scoring import Scorer


def redecide_stories(session, gave_up: list[int], scorer: Scorer, story_cosine: float) -> int:
    """Work out again the stories of stored copies that gave up their source for another, from their
    documents' current derivations and similar pairs (``attribution.stories.story_pieces``): a piece no
    longer joined to the rest becomes a story of its own. The number of stories started.

    The rule: a story is what the current derivations and the similar pairs join, not every
    derivation ever made. Why: a copy met before its own source is credited to the best stand-in
    its batch holds (another article's wrapped copy, an article of its beat), and that derivation
    joined their stories; when the source comes the copy is re-rooted, and as a batch only merges
    stories, the two would otherwise stay one. Which stand-in a copy meets depends on how the
    landing folder was cut into batches; what holds once its source has come does not."""
    members = stories.story_members(session, gave_up)
    if not members:
        return 0
    ids = sorted({i for group in members.values() for i in group})
    docs = {d.id: d for d in documents.documents_by_id(session, ids)}
    derived_from = {i: c.derived_from_id for i, c in classifications.current_classifications(session, ids).items()}
    started = 0
    for _, group in sorted(members.items()):
        similar = scorer.similar_pairs([docs[i].text for i in group], story_cosine)
        pieces = story_pieces(group, derived_from, [(group[a], group[b]) for a, b in similar])
        if len(pieces) < 2:
            continue
        titles = [docs[piece[0]].title or headline(docs[piece[0]].text) for piece in pieces[1:]]
        new_ids = stories.new_stories(session, titles)
        stories.set_stories(session, {i: s for piece, s in zip(pieces[1:], new_ids, strict=True) for i in piece})
        started += len(new_ids)
    return started


def headline(text: str) -> str:
    """A new story's title when its first document has none (``writing`` starts stories too)."""
    return text.strip().split("\n", 1)[0][:200]
