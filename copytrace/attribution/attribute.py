"""``attribute``: a batch's documents (stored candidates included) → decisions and story groups, the
steps in order: pairs, the classifier's explanations, directed edges, parents, stories, decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from copytrace.attribution.chains import choose_parents, explained_share, verbatim_ranges
from copytrace.attribution.decisions import PRECEDENCE, Compared, decision, fill_roots, judge_against_ancestors, reroots
from copytrace.attribution.direction import TextSignals, decide, machine_scores, matched_scores
from copytrace.attribution.pairs import candidate_pairs, current_sources, explain, looks_derived
from copytrace.attribution.stories import story_groups, story_links
from copytrace.attribution.types import Attribution, Doc, PairScorer, Thresholds


def attribute(docs: Sequence[Doc], scorer: PairScorer, thresholds: Thresholds = Thresholds()) -> Attribution:
    """Decide the provenance of the new documents in ``docs`` (stored candidates included).

    Stored documents are re-decided only when a new document turns out to be their source, and
    re-judged when their chain gains an earlier text against which a stronger label applies.
    """
    if not docs:
        return Attribution([], [], 0)
    sims = scorer.similarities([d.text for d in docs])

    # One feature pass over every directed pair: its probabilities decide the edges, its alignment
    # measures how much of the copy the source explains, and the chosen parent's explanation is the
    # evidence stored with the copy's classification. A neighbour's verbatim relatives are compared
    # in a second pass, with the neighbours that look related.
    pairs, via = candidate_pairs(docs, sims, thresholds)
    explanations = explain(docs, pairs, scorer)
    related = sorted(
        {p for nb, extra in via.items() if looks_derived(explanations, nb) >= thresholds.related for p in extra}
        - set(pairs)
    )
    if related:
        related += current_sources(docs, related, {*pairs, *related})
        explanations |= explain(docs, related, scorer)
        pairs += related
    by_pair = {key: ex["probabilities"] for key, ex in explanations.items()}
    repeated = {key: float(ex.get("features", {}).get("repeated_unit_share", 0.0)) for key, ex in explanations.items()}
    verbatim = {key: float(ex.get("features", {}).get("copy_verbatim_share", 0.0)) for key, ex in explanations.items()}
    texts = TextSignals(
        machine_scores(docs, by_pair, scorer, thresholds),
        repeated,
        verbatim,
        matched=matched_scores(docs, explanations, scorer, thresholds),
    )

    edges = [
        replace(
            e,
            explained=explained_share(explanations[(e.source, e.copy)], len(docs[e.copy].text)),
            covers=float(explanations[(e.source, e.copy)].get("features", {}).get("source_coverage", 1.0)),
            verbatim=verbatim_ranges(explanations[(e.source, e.copy)]),
        )
        for a, b in pairs
        if (e := decide(docs, a, b, by_pair, texts, thresholds)) is not None
    ]
    parents, outranked = choose_parents(docs, edges)
    stories = story_groups(docs, parents, story_links(docs, sims, thresholds.story_cosine))

    compared = Compared.of(pairs, parents)
    decisions, kept = [], []
    for i, d in enumerate(docs):
        edge = parents.get(i)
        if not d.is_new and not reroots(docs, i, edge, parents, outranked, edges):
            if edge is not None and docs[edge.source].id == d.parent_id:
                kept.append(decision(docs, i, edge, by_pair, compared, scorer, explanations, "re-judged"))
            continue
        decisions.append(decision(docs, i, edge, by_pair, compared, scorer, explanations))
    fill_roots(docs, decisions + kept, parents)
    judge_against_ancestors(docs, decisions + kept, by_pair, scorer, thresholds)
    # A stored copy keeping its source is stored again only if the label it now gets is stronger.
    stored_class = {d.id: d.pair_class for d in docs}
    decisions += [
        dec for dec in kept if PRECEDENCE.get(dec.pair_class, 0) > PRECEDENCE.get(stored_class[dec.document_id], 0)
    ]
    return Attribution(decisions, stories, len(explanations))
