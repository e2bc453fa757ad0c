"""The generalisation report: folds hold their group out, ECE, the containment baseline, compare(),
the pairs' group fields, and the report end to end at a tiny scale (when ../shared/data is there)."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from models import baseline, promotion
from models.corpora import LLMS, WRAPPER_FAMILIES
from models.generalisation import cli
from models.generalisation.folds import Fold, group_of, make_folds
from models.generalisation.metrics import decided_classes, expected_calibration_error, fold_metrics
from models.generalisation.retrain import _reversed_features
from models.pairs import PAIR_CLASSES
from models.synth.labelled import SAME_TOPIC_KINDS, WRAPPED_REWRITE_KINDS, LabelledPair
from tests.paths import DATA

needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data is not here")

ARTICLE = (
    "The city council approved a new budget on Monday after a long debate about school funding. "
    "Councillors voted eleven to four in favour of the plan, which raises spending on libraries and parks. "
    "The mayor said the decision showed that the council could still agree on difficult questions."
)
REWRITE = (
    "On Monday, following lengthy arguments over funding for schools, the council passed a fresh budget. "
    "By eleven votes to four, members backed the scheme, which lifts spending on parks and libraries. "
    "According to the mayor, the vote proved the council can still find common ground on hard issues."
)
OTHER = (
    "A rare bird was spotted near the harbour at dawn, drawing dozens of watchers with cameras. "
    "Experts believe the storm last week pushed it far from its usual migration route over the sea."
)


def _synthetic(n: int = 400, seed: int = 0) -> list[LabelledPair]:
    rng = random.Random(seed)
    domains = ["l2r:ArtCulture", "l2r:Finance", "l2r:MedicalText", "l2r:Religious", "bbc:sport", "webis"]
    out = []
    for i in range(n):
        domain = rng.choice(domains)
        llm = rng.choice(["", *LLMS]) if domain.startswith("l2r:") else ""
        site = rng.choice(["", "", *WRAPPER_FAMILIES])
        out.append(
            LabelledPair(
                f"s{i}",
                f"c{i}",
                rng.choice(PAIR_CLASSES),
                rng.choice(["news:excerpt", "l2r:single", "news:neighbour"]),
                f"g{i}",
                "test" if rng.random() < 0.3 else "train",
                llm=llm,
                domain=domain,
                wrapper_site=site,
                copy_words=rng.randint(20, 900),
            )
        )
    return out


def _assert_held_out(pairs: list[LabelledPair], folds: list[Fold]) -> None:
    for fold in folds:
        inside = group_of(fold.family, fold.name.partition(":")[2])
        assert fold.test, fold.name
        assert all(pairs[i].split == "train" for i in fold.train), fold.name
        assert all(pairs[i].split == "test" and inside(pairs[i]) for i in fold.test), fold.name
        if fold.family != "split":
            assert not any(inside(pairs[i]) for i in fold.train), f"{fold.name} leaks into its training"
        assert not {pairs[i].group for i in fold.train} & {pairs[i].group for i in fold.test}


def test_folds_hold_their_group_out() -> None:
    pairs = _synthetic()
    folds = make_folds(pairs)
    names = [f.name for f in folds]
    assert names[0] == "split" and names[-1] == "short"
    assert {f"llm:{m}" for m in LLMS} <= set(names) and {f"wrapper:{w}" for w in WRAPPER_FAMILIES} <= set(names)
    assert sum(n.startswith("domain:") for n in names) == 4
    _assert_held_out(pairs, folds)
    llm = next(f for f in folds if f.name == "llm:GPT-4o")
    assert all(pairs[i].llm != "GPT-4o" for i in llm.train) and all(pairs[i].llm == "GPT-4o" for i in llm.test)
    short = next(f for f in folds if f.name == "short")
    assert all(pairs[i].copy_words >= 300 for i in short.train) and all(pairs[i].copy_words < 300 for i in short.test)
    one = make_folds(pairs, ["domain:encyclopedic"])
    assert [f.name for f in one] == ["domain:encyclopedic"]
    assert {pairs[i].domain for i in one[0].test} <= {"l2r:ArtCulture"}  # Business, Sports... not in the sample


def test_a_fold_sample_is_seeded_and_noted() -> None:
    pairs = _synthetic()
    a = make_folds(pairs, ["llm"], max_train=50, seed=1)
    b = make_folds(pairs, ["llm"], max_train=50, seed=1)
    assert [f.train for f in a] == [f.train for f in b]
    assert all(len(f.train) == 50 and "sampled" in f.note for f in a)
    _assert_held_out(pairs, a)
    with pytest.raises(ValueError, match="unknown fold family"):
        make_folds(pairs, ["rewriter"])


def test_expected_calibration_error_on_hand_made_probabilities() -> None:
    ece = expected_calibration_error
    assert ece([0.9] * 10, [True] * 9 + [False]) == pytest.approx(0.0)
    assert ece([1.0] * 4, [True, True, False, False]) == pytest.approx(0.5)
    # two bins: (0.6, 0.6) with 1 of 2 right → |0.5 - 0.6| ; (0.95) right → |1 - 0.95|
    assert ece([0.6, 0.6, 0.95], [True, False, True]) == pytest.approx(2 / 3 * 0.1 + 1 / 3 * 0.05)
    # a confidence on a bin edge (2/15) belongs to the lower bin, 0 to the first
    assert ece([2 / 15, 0.0], [False, False]) == pytest.approx((2 / 15 + 0.0) / 2)
    assert np.isnan(ece([], []))


def test_lcs_matches_the_table_and_the_baseline_fits_and_predicts() -> None:
    rng = random.Random(0)

    def table(a, b):
        m = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i, x in enumerate(a):
            for j, y in enumerate(b):
                m[i + 1][j + 1] = m[i][j] + 1 if x == y else max(m[i][j + 1], m[i + 1][j])
        return m[-1][-1]

    for _ in range(200):
        a = [rng.choice("abcd") for _ in range(rng.randint(0, 25))]
        b = [rng.choice("abcde") for _ in range(rng.randint(0, 25))]
        assert baseline.lcs_length(a, b) == table(a, b)
    copy = ARTICLE.split(". ")[0] + "."
    f = dict(zip(baseline.FEATURES, baseline.pair_features(ARTICLE, copy), strict=True))
    assert f["copy_in_source_8gram"] == 1.0 and f["lcs_over_copy"] == 1.0 and f["source_in_copy_1gram"] < 0.6
    pairs = [(ARTICLE, ARTICLE), (ARTICLE, copy), (ARTICLE, REWRITE), (ARTICLE, OTHER), (OTHER, ARTICLE)] * 4
    y = ["full-copy", "excerpt", "rewrite", "independent", "independent"] * 4
    model = baseline.build_baseline().fit(pairs, y)
    assert model.predict([(ARTICLE, ARTICLE), (ARTICLE, OTHER)]).tolist() == ["full-copy", "independent"]
    assert model.predict_proba(pairs[:3]).shape == (3, 4)
    x = baseline.ContainmentFeatures().transform(pairs[:3])
    swapped = baseline.ContainmentFeatures().transform([(c, s) for s, c in pairs[:3]])
    assert np.allclose(_reversed_features(x), swapped)


class _Fixed:
    """A stand-in fitted pipeline: the true class with probability ``p`` (else "independent")."""

    def __init__(self, truth: dict[tuple[str, str], str], p: float):
        self.truth, self.p = truth, p
        self.classes_ = np.array(PAIR_CLASSES)

    def predict_proba(self, pairs):
        out = np.full((len(pairs), len(PAIR_CLASSES)), (1 - self.p) / (len(PAIR_CLASSES) - 1))
        for r, pair in enumerate(pairs):
            out[r, PAIR_CLASSES.index(self.truth.get(pair, "independent"))] = self.p
        return out


def test_compare_says_which_pipeline_is_not_worse() -> None:
    excerpt = ARTICLE.split(". ")[0] + "."
    made = [
        (ARTICLE, REWRITE, "rewrite", "l2r:single", "GPT-4o"),
        (ARTICLE, excerpt, "excerpt", "news:excerpt", ""),
        (ARTICLE, OTHER, "independent", "news:neighbour", ""),
        (OTHER, ARTICLE, "independent", "news:unrelated", ""),
    ]
    pairs = [
        LabelledPair(s, c, cls, kind, f"g{i}", "test", llm=llm, domain="bbc:tech", copy_words=len(c.split()))
        for i, (s, c, cls, kind, llm) in enumerate(made)
    ] * 20
    assert "news:neighbour" in SAME_TOPIC_KINDS
    truth = {(p.source, p.copy): p.pair_class for p in pairs}
    good, bad = _Fixed(truth, 0.9), _Fixed({}, 0.9)
    result = promotion.compare(good, bad, pairs)
    assert result["not_worse"] and result["eval_pairs"] == 80
    assert result["metrics"]["macro_f1"]["candidate"] == 1.0 > result["metrics"]["macro_f1"]["active"]
    assert "llm:GPT-4o" in result["candidate"]["slices"] and "short" in result["candidate"]["slices"]
    json.dumps(result)
    worse = promotion.compare(bad, good, pairs)
    assert not worse["not_worse"] and any(r.startswith("macro_f1") for r in worse["reasons"])
    assert promotion.compare(good, None, pairs)["not_worse"]
    assert promotion.fingerprint(pairs) == result["eval_fingerprint"]


@pytest.fixture(scope="module")
def tiny_pairs() -> list[LabelledPair]:
    from models.synth.pairs import build_pairs

    return build_pairs(DATA, seed=0, scale=0.03)


@needs_data
def test_pairs_carry_their_groups_and_folds_on_real_pairs_hold_out(tiny_pairs) -> None:
    from models.synth.surface import word_count

    pairs = tiny_pairs
    assert {p.split for p in pairs} == {"train", "test"}
    assert {p.llm for p in pairs} <= {"", *LLMS} and {p.llm for p in pairs} - {""}
    assert {p.wrapper_site for p in pairs} <= {"", *WRAPPER_FAMILIES}
    assert all(p.domain.split(":")[0] in ("bbc", "l2r", "webis") for p in pairs)
    assert all(p.wrapper_site for p in pairs if p.kind in ("news:wrapped", "l2r:wrapped", "l2r:of_wrapped"))
    assert all(p.llm for p in pairs if p.kind in ("l2r:single", "l2r:stitched", "l2r:creative", "l2r:cross"))
    assert all(p.copy_words == word_count(p.copy) for p in pairs)
    assert all(p.pair_class == "independent" for p in pairs if p.kind in SAME_TOPIC_KINDS)
    sides: dict[str, set[str]] = {}
    for p in pairs:
        sides.setdefault(p.group, set()).add(p.split)
    assert all(len(s) == 1 for s in sides.values())
    folds = [f for f in make_folds(pairs) if f.test]
    assert len(folds) >= 8
    _assert_held_out(pairs, folds)


@needs_data
def test_the_frozen_set_is_fixed_and_never_meets_the_training_documents(tiny_pairs) -> None:
    frozen = promotion.frozen_eval_pairs(DATA, scale=0.03)
    assert frozen and all(p.split == "test" for p in frozen)
    assert not {p.group for p in frozen} & {p.group for p in tiny_pairs if p.split == "train"}
    assert [p.copy for p in frozen] != [p.copy for p in tiny_pairs if p.split == "test"]  # its own pairs


@needs_data
def test_the_report_runs_end_to_end(tmp_path) -> None:
    out = tmp_path / "g.md"
    report = cli.main(
        [
            "--data",
            str(DATA),
            "--scale",
            "0.02",
            "--folds",
            "llm:Gemini-1.5-Pro,short",
            "--jobs",
            "1",
            "--out",
            str(out),
        ]
    )
    assert [r["fold"] for r in report["folds"]] == ["llm:Gemini-1.5-Pro", "short"]
    saved = json.loads(out.with_suffix(".json").read_text())
    assert saved["folds"][0]["fold"] == "llm:Gemini-1.5-Pro" and saved["meta"]["scale"] == 0.02
    text = out.read_text()
    assert "| llm:Gemini-1.5-Pro |" in text and "| short |" in text and "Baseline" in text
    for r in report["folds"]:
        if "skipped" in r:
            continue
        for model in ("pipeline", "baseline"):
            m = r[model]
            assert m["macro_f1"] is None or 0.0 <= m["macro_f1"] <= 1.0
            assert m["ece"] is None or 0.0 <= m["ece"] <= 1.0
            for key in ("verbatim_as_independent", "wrapped_rewrite_as_independent"):
                assert m[key]["count"] <= m[key]["of"]
        decided = r["pipeline"].get("as_decided")
        assert decided is not None and (decided["macro_f1"] is None or 0.0 <= decided["macro_f1"] <= 1.0)
        full = decided["full_copy_source_right"]
        truth = r["pipeline"]["confusion_pair_classes"].get("full-copy", {})
        assert full["of"] == sum(truth.values()) and full["count"] <= full["of"]


def test_decided_classes_follow_the_pipeline_rule() -> None:
    classes = ["excerpt", "independent", "rewrite"]
    source = "Officials in Rotterdam said on Monday that 4,000 homes lost power after the storm."
    rewrite = "After the storm, thousands of homes were left without electricity, authorities said."
    pairs = [LabelledPair(source, rewrite, "rewrite", "l2r:single", "g", "test")] * 4
    # 0: derived along; 1: derived only against, style sure → rewrite; 2: the same without style →
    # independent; 3: neither way derived.
    proba = np.array([[0.0, 0.1, 0.9], [0.0, 0.8, 0.2], [0.0, 0.8, 0.2], [0.0, 0.9, 0.1]])
    reverse = np.array([[0.0, 0.6, 0.4], [0.0, 0.1, 0.9], [0.0, 0.1, 0.9], [0.0, 0.9, 0.1]])
    machine = np.array([[0.02, 0.98]] * 4)
    got = decided_classes(pairs[:2], proba[:2], reverse[:2], classes, machine[:2])
    assert got == ["rewrite", "rewrite"]
    assert decided_classes(pairs[2:], proba[2:], reverse[2:], classes, None) == ["independent", "independent"]
    # The style model says the copy is the source: the edge goes the other way, so this pair is independent.
    assert decided_classes(pairs[:1], proba[:1], reverse[:1], classes, np.array([[0.98, 0.02]])) == ["independent"]


def test_a_wrapped_rewrite_is_counted_apart_from_verbatim_copies() -> None:
    classes = ["excerpt", "independent", "rewrite", "spam-wrapped"]
    (wrapped_kind,) = WRAPPED_REWRITE_KINDS
    pairs = [
        LabelledPair("s", "c", "spam-wrapped", "news:wrapped", "g", "test"),  # a verbatim core: right
        LabelledPair("s", "c", "excerpt", "news:excerpt", "g", "test"),  # called independent
        LabelledPair("s", "c", "spam-wrapped", wrapped_kind, "g", "test"),  # a rewrite inside a page: missed
        LabelledPair("s", "c", "spam-wrapped", wrapped_kind, "g", "test"),  # right
    ]
    proba = np.array([[0, 0, 0, 1], [0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]], dtype=float)
    m = fold_metrics(pairs, proba, classes)
    assert m["verbatim_as_independent"] == {"count": 1, "of": 2}
    assert m["wrapped_rewrite_as_independent"] == {"count": 1, "of": 2}
    assert m["wrapped_rewrite_as_independent_rate"] == 0.5
