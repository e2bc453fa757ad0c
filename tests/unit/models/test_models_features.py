"""The pair features and the alignment on tiny hand-made pairs, and the scikit-learn estimator rules."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from models import classifier
from models.alignment import Prepared, align, align_prepared, prepare
from models.features import PAIR_FEATURES, PairFeaturizer, ResidualVocabulary
from models.pairs import LABELS, PAIR_CLASSES, to_label
from models.text import distinct, ngram_hashes, tfidf_rows, view

ARTICLE = (
    "The city council approved a new budget on Monday after a long debate about school funding.\n\n"
    "Councillors voted eleven to four in favour of the plan, which raises spending on libraries and parks.\n\n"
    "The mayor said the decision showed that the council could still agree on difficult questions.\n\n"
    "Opposition members argued that the tax increase would hurt small businesses in the old town.\n\n"
    "A final review of the spending plan is expected in the spring, officials said on Tuesday."
)
OTHER = (
    "A rare bird was spotted near the harbour at dawn, drawing dozens of watchers with cameras.\n\n"
    "Experts believe the storm last week pushed it far from its usual migration route over the sea."
)
ELABORATION = (
    "After hours of heated argument over how much the schools should get, the city council finally passed "
    "its new budget on Monday evening.\n\n"
    "The vote, eleven councillors to four, backs a plan that puts more money into libraries and parks across "
    "every district.\n\n"
    "Speaking to reporters outside, the mayor said the result proved the council can still reach agreement "
    "when questions are difficult.\n\n"
    "Members of the opposition warned that small businesses in the old town would suffer from the tax "
    "increase.\n\n"
    "Officials said on Tuesday that the spending plan will get one final review in the spring."
)
WRAPPER_HEAD = "Sponsor: QWIKET\nLog in\nSubscribe now for unlimited access"
WRAPPER_TAIL = "Already a subscriber? Log in.\nWe use cookies. Accept all"


def _featurizer() -> PairFeaturizer:
    return PairFeaturizer(min_df=1).fit([(ARTICLE, OTHER), (OTHER, ARTICLE)])


def _features(f: PairFeaturizer, source: str, copy: str) -> dict[str, float]:
    rows, _ = f.analyse([(source, copy)])
    return dict(zip(PAIR_FEATURES, rows[0, : len(PAIR_FEATURES)], strict=True))


def test_classes_and_labels() -> None:
    assert {to_label(c) for c in PAIR_CLASSES} == set(LABELS)
    assert to_label("independent") == to_label("full-copy") == "original"
    assert to_label("spam-wrapped") == "spam-wrapped"
    with pytest.raises(ValueError):
        to_label("copy")


def test_units_keep_offsets_into_the_given_text() -> None:
    text = "Mr. Smith met Vladimir V. Putin. They talked.\n\nSales rose 2%.For the year, profit fell."
    v = view(text)
    assert v.unit_texts() == [
        "Mr. Smith met Vladimir V. Putin.",
        "They talked.",
        "Sales rose 2%.",
        "For the year, profit fell.",
    ]
    assert all(text[a:b] == u for a, b, u in zip(v.unit_start, v.unit_end, v.unit_texts(), strict=True))


def test_a_prepared_text_keeps_only_what_aligning_reads_and_aligns_as_the_whole_view() -> None:
    """A call holds every text it prepares: no token strings, hashes at every position only for the
    aligner's n. Aligned, they give what the full view with every n's hashes gives."""
    vec = _featurizer().word_vectorizer_
    voc, idf = vec.vocabulary_, vec.idf_

    def whole(text: str) -> Prepared:
        v = view(text)
        hashes = {n: ngram_hashes(v.tok_hash, n) for n in (1, 2, 4, 8)}
        return Prepared(v, tfidf_rows(v, voc, idf), hashes, {n: distinct(h) for n, h in hashes.items()})

    source, copy = ARTICLE, f"{WRAPPER_HEAD}\n{ARTICLE.split(chr(10) * 2)[1]}\n{WRAPPER_TAIL}"
    kept = prepare(source, voc, idf, (1, 8))
    assert kept.view.tokens == [] and sorted(kept.hashes) == [2, 4] and sorted(kept.grams) == [1, 2, 4, 8]
    reference = whole(source)
    assert all((kept.grams[n] == reference.grams[n]).all() for n in (1, 2, 4, 8))
    for s, c in ((source, copy), (copy, source)):
        assert align_prepared(prepare(s, voc, idf), prepare(c, voc, idf)) == align_prepared(whole(s), whole(c))


def test_unit_rows_are_the_vectorizers_rows_of_each_unit() -> None:
    """The units' TF-IDF, kept by its non-zero entries, made dense over a wider vocabulary, is what
    the fitted vectorizer gives each unit's text (the vectorizer l2-normalises, as tfidf_rows does)."""
    vec = _featurizer().word_vectorizer_
    text = f"{WRAPPER_HEAD}\n{ARTICLE}\nzzzunknown words only."
    v = view(text)
    rows = tfidf_rows(v, vec.vocabulary_, vec.idf_)
    everything = np.arange(len(vec.idf_))
    expected = vec.transform(v.unit_texts()).toarray()
    assert rows.n_units == len(v.unit_start) and len(rows.unit_weight) == np.count_nonzero(expected)
    np.testing.assert_allclose(rows.unit_matrix(everything), expected, rtol=1e-5, atol=1e-6)
    assert not rows.unit_matrix(everything)[-1].any()  # a unit of unknown words has no weights
    np.testing.assert_array_equal(rows.unit_matrix(rows.ids), rows.unit_matrix(everything)[:, rows.ids])


def test_verbatim_excerpt_is_fully_matched_and_its_reverse_is_not() -> None:
    f = _featurizer()
    excerpt = "\n".join(ARTICLE.split("\n\n")[:2])  # re-flowed whitespace
    forward = _features(f, ARTICLE, excerpt)
    reverse = _features(f, excerpt, ARTICLE)
    assert forward["copy_matched_share"] == pytest.approx(1.0)
    assert forward["copy_verbatim_share"] == pytest.approx(1.0)
    assert forward["source_verbatim_coverage"] < 0.6
    assert reverse["copy_verbatim_share"] < 0.6
    assert reverse["source_verbatim_coverage"] == pytest.approx(1.0)


def test_wrapper_segments_are_the_injected_lines() -> None:
    f = _featurizer()
    copy = f"{WRAPPER_HEAD}\n\n{ARTICLE}\n\n{WRAPPER_TAIL}"
    al = align(ARTICLE, copy, f.word_vectorizer_)
    texts = [s.text for s in al.wrapper_segments]
    assert texts == [WRAPPER_HEAD, WRAPPER_TAIL]
    for seg in al.wrapper_segments:
        assert copy[seg.start : seg.end] == seg.text
    assert al.source_coverage == pytest.approx(1.0)
    assert all(s.kind == "verbatim" for s in al.spans)
    span = al.spans[0]
    assert ARTICLE[span.source_start : span.source_end] == copy[span.copy_start : span.copy_end]


def test_unrelated_and_repeated_text() -> None:
    f = _featurizer()
    unrelated = _features(f, ARTICLE, OTHER)
    assert unrelated["copy_matched_share"] < 0.2
    paras = ARTICLE.split("\n\n")
    repeated = _features(f, ARTICLE, "\n\n".join(paras + paras[1:3]))
    assert repeated["repeated_unit_share"] > 0.2


def test_every_source_sentence_has_a_counterpart_in_an_elaboration() -> None:
    f = PairFeaturizer(min_df=1).fit([(ARTICLE, OTHER), (OTHER, ARTICLE), (ELABORATION, ARTICLE)])
    elaborated = _features(f, ARTICLE, ELABORATION)
    unrelated = _features(f, ARTICLE, OTHER)
    # Each source sentence has a longer counterpart of the copy's own wording; an unrelated text has none.
    assert elaborated["source_mean_best_cosine"] > 0.4
    assert unrelated["source_mean_best_cosine"] < 0.15
    # Half the source left out: half the source's sentences have no counterpart.
    half = _features(f, ARTICLE, "\n\n".join(ELABORATION.split("\n\n")[:2]))
    assert half["source_mean_best_cosine"] < 0.6 * elaborated["source_mean_best_cosine"]
    # The counterparts come in the source's order; the copy's paragraphs reversed, they come backwards.
    assert elaborated["source_order_kept"] == pytest.approx(1.0)
    backwards = _features(f, ARTICLE, "\n\n".join(reversed(ELABORATION.split("\n\n"))))
    assert backwards["source_order_kept"] < 0.5
    assert backwards["source_mean_best_cosine"] == pytest.approx(elaborated["source_mean_best_cosine"])


def test_empty_texts_do_not_break_the_features() -> None:
    f = _featurizer()
    rows, alignments = f.analyse([("", ARTICLE), (ARTICLE, ""), ("", "")])
    assert rows.shape == (3, len(PAIR_FEATURES) + 2)
    assert np.isfinite(rows[:, : len(PAIR_FEATURES)].astype(float)).all()
    assert alignments[2].spans == []


def test_estimator_rules() -> None:
    pipeline = classifier.build_pipeline(pairs__max_vocabulary=500)
    params = pipeline.get_params()
    cloned = clone(pipeline)
    assert cloned.get_params()["pairs__max_vocabulary"] == 500
    assert set(cloned.get_params()) == set(params)
    f = PairFeaturizer()
    assert f.fit([(ARTICLE, OTHER)]) is f
    assert not any(k.endswith("_") for k in vars(PairFeaturizer()))


def _tiny_training_set() -> tuple[list[tuple[str, str]], list[str]]:
    paras = ARTICLE.split("\n\n")
    pairs, y = [], []
    for i in range(8):
        tag = f"Item {i} of the morning edition."
        src = "\n\n".join([tag, *paras])
        pairs += [
            (src, src),
            (src, "\n\n".join([tag, *paras[: 2 + i % 2]])),
            (src, f"{WRAPPER_HEAD}\n{src}\n{WRAPPER_TAIL} {i}"),
            (src, OTHER + f" Report {i}."),
            (src, src.replace("approved", "passed").replace("debate", "argument").replace("raises", "lifts")),
        ]
        y += ["full-copy", "excerpt", "spam-wrapped", "independent", "rewrite"]
    return pairs, y


def test_pipeline_fits_and_explains() -> None:
    pairs, y = _tiny_training_set()
    pipeline = classifier.build_pipeline(
        pairs__min_df=1, features__residual__min_df=1, features__residual__cv=2, classify__estimator__estimator__cv=2
    )
    assert pipeline.fit(pairs, y) is pipeline
    proba = classifier.predict_proba(pipeline, pairs[:3])
    assert proba.shape == (3, 5)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert set(classifier.predict(pipeline, pairs[:3])) <= set(PAIR_CLASSES)
    residual = ResidualVocabulary(min_df=1, cv=2)
    leftovers = np.array([[p[1], ""] for p in pairs], dtype=object)
    assert residual.fit(leftovers, y) is residual
    assert residual.fit_transform(leftovers, y).shape == residual.transform(leftovers).shape == (len(pairs), 4)


def _small_style():
    from models.style import MachineStyle

    human = [
        "the council said it would look at the bins again next week but nobody believes them",
        "got the bus home, it was late again, third time this week and nobody said sorry",
        "police said the man was arrested on tuesday and will appear in court on friday",
    ]
    machine = [
        "Furthermore, it is important to note that the comprehensive initiative fosters meaningful engagement.",
        "Additionally, it is crucial to underscore the pivotal role of collaboration in this endeavor.",
        "In conclusion, this comprehensive overview highlights the significance of ongoing innovation.",
    ]
    params = {"word_min_df": 1, "char_min_df": 1, "word_max_features": 500, "char_max_features": 2000}
    return MachineStyle(**params).fit(human + machine, [0, 0, 0, 1, 1, 1])


def test_style_columns_read_the_style_models_log_odds() -> None:
    from models.features import STYLE_LOG_ODDS_CLIP

    style = _small_style()
    copy = ELABORATION + "\n\nFurthermore, it is crucial to note this comprehensive and pivotal initiative."
    plain = _features(_featurizer(), ARTICLE, copy)
    assert plain["copy_machine_log_odds"] == plain["machine_log_odds_gap"] == 0.0  # no style model: no style
    with_style = classifier.with_style(classifier.build_pipeline(pairs__min_df=1), style).named_steps["pairs"]
    got = _features(with_style.fit([(ARTICLE, OTHER)]), ARTICLE, copy)
    source_lo, copy_lo = np.clip(style.decision_function([ARTICLE, copy]), -STYLE_LOG_ODDS_CLIP, STYLE_LOG_ODDS_CLIP)
    assert got["copy_machine_log_odds"] == pytest.approx(copy_lo)
    assert got["machine_log_odds_gap"] == pytest.approx(copy_lo - source_lo)
    assert got["machine_log_odds_gap"] > 0  # the copy reads more machine-made than the source
    reverse = _features(with_style, copy, ARTICLE)
    assert reverse["machine_log_odds_gap"] == pytest.approx(-got["machine_log_odds_gap"])
    # every other column is as without a style model
    rest = [name for name in PAIR_FEATURES if name not in ("copy_machine_log_odds", "machine_log_odds_gap")]
    assert [got[n] for n in rest] == [_features(_featurizer(), ARTICLE, copy)[n] for n in rest]


def test_the_style_model_is_frozen_in_the_pipeline(tmp_path) -> None:
    import joblib

    style = _small_style()
    pairs, y = _tiny_training_set()
    params = {"features__residual__min_df": 1, "features__residual__cv": 2, "classify__estimator__estimator__cv": 2}
    pipeline = classifier.with_style(classifier.build_pipeline(pairs__min_df=1, **params), style)
    before = style.decision_function([ARTICLE, OTHER])
    pipeline.fit(pairs, y)
    assert classifier.style_model(pipeline) is style  # fitting the pipeline did not refit it
    assert classifier.style_model(clone(pipeline)) is style
    np.testing.assert_array_equal(style.decision_function([ARTICLE, OTHER]), before)
    joblib.dump(pipeline, tmp_path / "m.joblib")
    loaded = joblib.load(tmp_path / "m.joblib")
    np.testing.assert_allclose(
        classifier.predict_proba(loaded, pairs[:5]), classifier.predict_proba(pipeline, pairs[:5])
    )
    np.testing.assert_array_equal(classifier.style_model(loaded).decision_function([ARTICLE, OTHER]), before)
    assert classifier.style_model(classifier.build_pipeline()) is None


def test_distinct_is_numpy_unique() -> None:
    from models.text import distinct

    rng = np.random.default_rng(0)
    for n in (0, 1, 2, 5, 400):
        values = rng.integers(0, 2**63, n, dtype=np.int64).view(np.uint64)
        values = np.concatenate([values, values[: n // 3]])  # some repeated
        got = distinct(values)
        np.testing.assert_array_equal(got, np.unique(values))
        assert got.dtype == np.uint64


@pytest.mark.parametrize(
    "text",
    ["", "...", "word", " a_b 12x-Y'z ", "Mr. Smith, 2%!\n\nNew_line\ttabs__ end", ARTICLE, WRAPPER_HEAD],
)
def test_ascii_tokens_are_the_regex_tokens(text: str) -> None:
    from models.text import _ascii_tokens, _tokens

    tokens, offsets = _ascii_tokens(text)
    expected_tokens, expected_offsets = _tokens(text)
    assert tokens == expected_tokens
    np.testing.assert_array_equal(offsets.reshape(-1, 2), expected_offsets.reshape(-1, 2))
    assert [text[a:b].lower() for a, b in offsets.tolist()] == tokens


def test_leftover_lines_are_scored_once_a_call_and_as_they_would_be_alone(monkeypatch) -> None:
    pairs, y = _tiny_training_set()
    leftovers = np.array([[p[1], p[0]] for p in pairs], dtype=object)
    residual = ResidualVocabulary(min_df=1, cv=2).fit(leftovers, y)
    scored: list[int] = []
    predict = residual.model_.predict_proba
    monkeypatch.setattr(residual.model_, "predict_proba", lambda m: scored.append(m.shape[0]) or predict(m))

    first = residual.transform(leftovers)
    lines = {line for text in leftovers.ravel() for line in str(text).split("\n") if line.strip()}
    # each distinct line once, however many pairs carry it, the copies' and the sources' in one call
    assert scored == [len(lines)]
    assert residual.transform(leftovers[::-1]).tolist() == first[::-1].tolist()

    alone = np.vstack([residual.transform(leftovers[i : i + 1]) for i in range(len(leftovers))])
    assert alone.tolist() == first.tolist()


def test_the_featurizer_prepares_each_distinct_text_of_a_call_once(monkeypatch) -> None:
    f = _featurizer()
    prepared: list[str] = []
    prepare_one = f._prepare
    monkeypatch.setattr(f, "_prepare", lambda text: prepared.append(text) or prepare_one(text))
    pairs = [(ARTICLE, OTHER), (OTHER, ARTICLE), (ARTICLE, ARTICLE), (ARTICLE, WRAPPER_HEAD)]

    rows, _ = f.analyse(pairs)
    assert sorted(prepared) == sorted({ARTICLE, OTHER, WRAPPER_HEAD})
    alone = np.vstack([f.analyse([pair])[0] for pair in pairs])
    assert alone.tolist() == rows.tolist()


def test_calibration_folds_hold_out_whole_groups() -> None:
    pairs, y = _tiny_training_set()
    groups = [f"site-{i // 5 % 4}" for i in range(len(pairs))]  # four "sites", two items each
    pipeline = classifier.build_pipeline(pairs__min_df=1, features__residual__min_df=1, features__residual__cv=2)
    assert classifier.fit(pipeline, pairs, y, groups=groups) is pipeline
    splits = pipeline.get_params()["classify__estimator__estimator__cv"]
    assert len(splits) == classifier.CALIBRATION_FOLDS
    held_out = np.concatenate([test for _, test in splits])
    assert sorted(held_out.tolist()) == list(range(len(pairs)))  # every pair calibrated on exactly once
    for train, test in splits:
        assert not {groups[i] for i in train} & {groups[i] for i in test}
    assert np.allclose(classifier.predict_proba(pipeline, pairs[:3]).sum(axis=1), 1.0)


def test_sample_weights_reach_the_trees_and_the_gate() -> None:
    pairs, y = _tiny_training_set()
    params = dict(pairs__min_df=1, features__residual__min_df=1, features__residual__cv=2)
    plain = classifier.fit(classifier.build_pipeline(**params), pairs, y)
    weights = [5.0 if label == "rewrite" else 1.0 for label in y]
    weighted = classifier.fit(classifier.build_pipeline(**params), pairs, y, sample_weight=weights)
    x = plain[:-1].transform(pairs)  # the same featurizer fit either way: the weights act after it
    for part in ("gate_", "estimator_"):
        unweighted = getattr(plain.named_steps["classify"].estimator_, part).predict_proba(x)
        reweighted = getattr(weighted.named_steps["classify"].estimator_, part).predict_proba(x)
        assert not np.allclose(unweighted, reweighted), part
    probe = [(pairs[4][0], pairs[3][1])]  # the source against an unrelated text
    assert not np.allclose(classifier.predict_proba(plain, probe), classifier.predict_proba(weighted, probe))
