"""Direction as its own decision (models.direction) and the specifics it reads (models.specifics)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from models import direction, specifics
from models.classifier import VerbatimFloor
from models.direction import Side, orient, orient_texts
from models.style import log_odds

SOURCE = (
    "Mayor Helen Ortiz said on Tuesday that the Riverside bridge will close for 14 weeks from 3 March. "
    "The repairs will cost 2.4 million euros, according to the city engineer Paul Brandt. "
    '"We cannot keep patching a structure that was built in 1962," Ortiz told the council. '
    "Buses 12 and 40 will be diverted over the Kessler viaduct while the work goes on."
)
REWRITE = (
    "Officials announced that the bridge will be shut for several months for repairs. "
    "The mayor explained that the old structure could no longer be patched. "
    "Some bus routes will take a different way while the work is carried out."
)
INDEPENDENT = (
    "Commuters in Riverside reacted with frustration to news of the closure. Shop owner Dana Weiss, 52, "
    "said trade on Quay Street fell by 30% during the last closure in 2019. "
    '"People simply stop coming over the river," said Weiss, who has run her bakery since 2004. '
    "The Chamber of Commerce will ask Ortiz for a rates holiday at its meeting on 9 February."
)
DERIVED = {"independent": 0.1, "rewrite": 0.9, "excerpt": 0.0, "full-copy": 0.0, "spam-wrapped": 0.0}


def test_specifics_read_names_numbers_and_quotes_not_sentence_openers():
    facts = specifics.specifics(SOURCE)
    assert {"helen", "ortiz", "riverside", "paul", "brandt", "kessler", "#14", "#2.4", "#1962"} <= facts.fact_set
    assert "the" not in facts.fact_set and "buses" not in facts.fact_set  # sentence openers
    assert len(facts.quotes) == 1


def test_a_rewrite_brings_no_facts_of_its_own_and_independent_coverage_does():
    s, r, i = (specifics.specifics(t) for t in (SOURCE, REWRITE, INDEPENDENT))
    assert specifics.own_share(r, s) == 0.0  # the rewrite adds nothing
    assert specifics.own_share(s, r) > 0.8  # it drops the source's specifics
    assert specifics.own_share(i, s) > 0.7  # independent coverage brings its own
    assert specifics.own_quote_share(i, s) == 1.0 and specifics.own_quote_share(s, s) == 0.0


def test_order_of_shared_facts():
    forward = specifics.specifics("We met Alice, then Bob, then Carol and at last Dave.")
    backward = specifics.specifics("We met Dave, then Carol, then Bob and at last Alice.")
    assert specifics.order_kept(forward, forward) == 1.0
    assert specifics.order_kept(forward, backward) == 0.0


def test_publication_dates_beat_fetch_times_and_the_text():
    day = datetime(2025, 3, 1, tzinfo=UTC)
    # The rewrite is dated earlier: the dates decide, and the text's contrary evidence is flagged.
    early_rewrite = Side(REWRITE, published_at=day, fetched_at=day + timedelta(days=3))
    late_source = Side(SOURCE, published_at=day + timedelta(days=1), fetched_at=day)
    way = orient(early_rewrite, late_source)
    assert (way.source, way.decided_by) == (0, "published")
    assert way.evidence["contradicted_by"] == "specifics"
    # Without publication dates the fetch times decide.
    way = orient(Side(SOURCE, fetched_at=day + timedelta(hours=2)), Side(REWRITE, fetched_at=day))
    assert (way.source, way.decided_by) == (1, "fetched")


def test_without_dates_machine_style_then_specifics_then_fullness():
    # Machine style decides whenever the scores differ, whichever text is longer; a narrow gap is
    # recorded as a narrow margin, and the specifics are in the evidence either way.
    for first, second in ((0.1, 0.9), (0.5, 0.55)):
        way = orient(Side(REWRITE, machine_score=first), Side(SOURCE, machine_score=second), DERIVED, DERIVED)
        assert (way.source, way.decided_by) == (0, "style")
        assert "specifics" in way.to_dict()
    assert orient(Side(REWRITE, machine_score=0.5), Side(SOURCE, machine_score=0.55), DERIVED, DERIVED).margin < (
        direction.STYLE_MARGIN
    )
    # Equal style, or no style model: the side holding the facts the other lacks, in either order.
    for a, b, expected in ((SOURCE, REWRITE, 0), (REWRITE, SOURCE, 1)):
        for score in (0.5, None):
            way = orient(Side(a, machine_score=score), Side(b, machine_score=score), DERIVED, DERIVED)
            assert (way.source, way.decided_by) == (expected, "specifics")
    # Nothing to tell them apart: the fuller text.
    way = orient_texts("word " * 50, "word " * 60, DERIVED, DERIVED)
    assert (way.source, way.decided_by) == (1, "fullness")


def test_fullness_counts_what_a_reflow_does_not_add():
    text = "Sounds good. When and where shall we meet?\nHow about 6:30 at the gate of the club?\nFine, see you then."
    reflowed = text.replace("\n", " \n\n \n").replace(". ", ".  ")
    cut = reflowed[len("Sounds ") :]
    assert len(cut) > len(text)  # longer in characters, yet it lost a word
    for a, b, expected in ((text, cut, 0), (cut, text, 1)):
        way = orient_texts(a, b, DERIVED, DERIVED)
        assert (way.source, way.decided_by) == (expected, "fullness")
    # The same words in another layout: nothing tells them apart, so the one seen first is the source.
    for a, b in ((text, reflowed), (reflowed, text)):
        way = orient_texts(a, b, DERIVED, DERIVED)
        assert (way.source, way.decided_by, way.margin) == (0, "fullness", 0.0)


def test_style_does_not_vote_between_copies_of_the_same_words():
    full = {"independent": 0.0, "rewrite": 0.02, "excerpt": 0.0, "full-copy": 0.98, "spam-wrapped": 0.0}
    reflowed = SOURCE.replace(". ", ".\n\n")
    # A copy that dropped the last sentence, read as a shade more machine-written than its source.
    copy = reflowed[: reflowed.rindex(".\n\n") + 1]
    way = orient_texts(copy, SOURCE, full, full, machine_scores=(0.30, 0.31), verbatim=(1.0, 0.95))
    assert (way.source, way.decided_by) == (1, "specifics")  # the dropped sentence held facts
    assert "style" not in way.evidence
    # As verbatim, but the classifier reads a light rewrite: style is what orients it.
    way = orient_texts(copy, SOURCE, DERIVED, DERIVED, machine_scores=(0.30, 0.31), verbatim=(1.0, 0.95))
    assert (way.source, way.decided_by) == (0, "style")
    # A full copy by the classifier that is not verbatim both ways: style still reads it.
    way = orient_texts(copy, SOURCE, full, full, machine_scores=(0.30, 0.31), verbatim=(1.0, 0.6))
    assert way.decided_by == "style"


def test_a_verbatim_relation_is_oriented_by_the_classifier_before_style():
    excerpt_way = {"independent": 0.05, "excerpt": 0.95, "rewrite": 0.0, "full-copy": 0.0, "spam-wrapped": 0.0}
    reverse = {"independent": 0.9, "excerpt": 0.1, "rewrite": 0.0, "full-copy": 0.0, "spam-wrapped": 0.0}
    way = orient(Side(SOURCE, machine_score=0.9), Side(SOURCE[:120], machine_score=0.1), excerpt_way, reverse)
    assert (way.source, way.decided_by) == (0, "classifier")
    assert way.to_dict()["classifier"]["source"] == 0


class _Fixed:
    """An estimator whose probabilities are the first columns of X (for the rule layer's test)."""

    classes_ = np.array(["excerpt", "independent", "rewrite"])

    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        return np.asarray(X[:, :3], dtype=float)

    def get_params(self, deep=True):
        return {}


@pytest.mark.parametrize(
    "verbatim, wrapper, expected", [(0.95, 0.1, "excerpt"), (0.95, 0.9, "independent"), (0.5, 0.1, "independent")]
)
def test_a_verbatim_copy_is_never_independent_unless_its_source_is_a_wrapper_page(verbatim, wrapper, expected):
    X = np.array([[0.2, 0.7, 0.1, verbatim, wrapper]])
    floor = VerbatimFloor(_Fixed(), verbatim_column=3, wrapper_column=4).fit(X, ["independent"])
    proba = floor.predict_proba(X)
    assert floor.predict(X)[0] == expected
    assert proba.sum() == pytest.approx(1.0)
    if expected == "excerpt":
        assert proba[0].tolist() == pytest.approx([2 / 3, 0.0, 1 / 3])


@pytest.mark.parametrize(
    "verbatim, coverage, expected",
    [
        (0.6, 0.3, "excerpt"),  # a few of the source's sentences pasted beside other text
        (0.6, 1.0, "independent"),  # the "source" lies wholly inside the copy: the reverse of an excerpt
        (0.3, 0.3, "independent"),  # too little of the copy is the source's to say
    ],
)
def test_a_partial_cut_and_paste_is_never_independent(verbatim, coverage, expected):
    X = np.array([[0.2, 0.7, 0.1, verbatim, 0.1, coverage]])
    floor = VerbatimFloor(_Fixed(), verbatim_column=3, wrapper_column=4, coverage_column=5).fit(X, ["independent"])
    assert floor.predict(X)[0] == expected


@pytest.mark.parametrize(
    "wrapper, topic, expected",
    [
        (0.9, 0.01, "independent"),  # the source's leftover is page furniture, off the copy's topic
        (0.9, 0.30, "excerpt"),  # the leftover reads like furniture but is about the copy: its own headline
        (0.1, 0.01, "excerpt"),  # nothing in the source reads like furniture
    ],
)
def test_only_a_leftover_off_the_copys_topic_makes_the_source_a_wrapper_page(wrapper, topic, expected):
    X = np.array([[0.2, 0.7, 0.1, 0.95, wrapper, 0.9, topic]])
    floor = VerbatimFloor(
        _Fixed(), verbatim_column=3, wrapper_column=4, coverage_column=5, topic_column=6, topic=0.05
    ).fit(X, ["independent"])
    assert floor.predict(X)[0] == expected


def test_style_decides_on_log_odds_not_raw_probability_gaps():
    # 0.01 vs 0.1 is a wide gap in log-odds, 0.45 vs 0.55 a narrow one.
    wide = direction.style_vote(Side("a", machine_score=0.01), Side("b", machine_score=0.1))
    narrow = direction.style_vote(Side("a", machine_score=0.45), Side("b", machine_score=0.55))
    assert wide[1] > direction.STYLE_MARGIN > narrow[1]


def test_with_page_furniture_on_a_side_style_also_reads_past_it():
    # A scraper page: sponsor lines (reading human) around a machine rewrite of the source. On the whole
    # page the gap is narrow and makes the page the source; read on the part of the page the source
    # matches, the page is the rewrite. The source carries no furniture and is read whole both times.
    page = Side("page", machine_score=0.40, matched_score=0.95)
    source = Side("source", machine_score=0.45)
    whole = direction.style_vote(replace(page, matched_score=None), source)
    assert whole[0] == 0
    first, margin = direction.style_vote(page, source)
    gaps = (log_odds(0.45) - log_odds(0.40), log_odds(0.45) - log_odds(0.95))
    assert first == 1 and margin == pytest.approx(abs(sum(gaps)) / 2)
    way = orient(page, source, DERIVED, DERIVED)
    assert (way.source, way.decided_by) == (1, "style")
    assert way.evidence["style"] == {"machine_first": 0.4, "machine_second": 0.45, "matched_first": 0.95}
    # Furniture on both sides: each is read on its matched part.
    both = direction.style_vote(page, replace(source, matched_score=0.10))
    gaps = (log_odds(0.45) - log_odds(0.40), log_odds(0.10) - log_odds(0.95))
    assert both == (1, pytest.approx(abs(sum(gaps)) / 2))


def test_page_furniture_on_a_copy_and_the_matched_text():
    assert direction.carries_furniture({"copy_leftover_wrapper_max": 0.7})
    assert direction.carries_furniture({"copy_leftover_wrapper_max": 0.5})
    assert not direction.carries_furniture({"copy_leftover_wrapper_max": 0.49})
    assert not direction.carries_furniture(None)
    assert direction.matched_text("Subscribe now. The bridge closes. Log in.", [(15, 33)]) == "The bridge closes."
    assert direction.matched_text("abcdefghij", [(0, 3), (5, 7)]) == "abc\nfg"


def test_a_verbatim_derivation_only_against_the_dates_overrules_them():
    day = datetime(2025, 3, 1, tzinfo=UTC)
    page, excerpt = Side(SOURCE, published_at=day + timedelta(days=400)), Side(SOURCE[:150], published_at=day)
    along = {"independent": 0.9, "excerpt": 0.1, "rewrite": 0.0, "full-copy": 0.0, "spam-wrapped": 0.0}
    against = {"independent": 0.03, "excerpt": 0.97, "rewrite": 0.0, "full-copy": 0.0, "spam-wrapped": 0.0}
    way = orient(page, excerpt, against, along)  # (page → excerpt) is the derivation; the dates say otherwise
    assert (way.source, way.decided_by, way.evidence["overruled"]) == (0, "classifier", "published")
    # A rewrite against the dates does not overrule them: paraphrase says nothing about direction.
    rewrite = {"independent": 0.03, "rewrite": 0.97, "excerpt": 0.0, "full-copy": 0.0, "spam-wrapped": 0.0}
    assert orient(page, excerpt, rewrite, along).decided_by == "published"


def test_a_sure_style_reading_keeps_a_derivation_the_classifier_found_the_other_way_round():
    # The classifier finds the elaborating rewrite only as (rewrite → source); style says the other way.
    along = {"independent": 0.8, "excerpt": 0.0, "rewrite": 0.2, "full-copy": 0.0, "spam-wrapped": 0.0}
    against = {"independent": 0.1, "excerpt": 0.0, "rewrite": 0.9, "full-copy": 0.0, "spam-wrapped": 0.0}
    sure = orient(Side(SOURCE, machine_score=0.02), Side(REWRITE, machine_score=0.98), along, against)
    assert (sure.source, sure.decided_by) == (0, "style") and sure.margin >= direction.STYLE_MARGIN
    assert direction.derived_along(sure, along, against) == pytest.approx(0.9)
    # Below the sure margin, or decided by another signal, only the chosen direction counts.
    narrow = orient(Side(SOURCE, machine_score=0.5), Side(REWRITE, machine_score=0.52), along, against)
    assert narrow.decided_by == "style" and narrow.margin < direction.STYLE_MARGIN
    assert direction.derived_along(narrow, along, against) == pytest.approx(0.2)
    by_facts = orient(Side(SOURCE), Side(REWRITE), along, against)
    assert by_facts.decided_by == "specifics"
    assert direction.derived_along(by_facts, along, against) == pytest.approx(0.2)
    assert direction.derived_along(sure, along) == pytest.approx(0.2)
