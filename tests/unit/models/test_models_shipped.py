"""The shipped model on the user's seed copies, the explain() evidence shape, and text_vectors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from models import classifier, registry
from models.pairs import PAIR_CLASSES
from tests.paths import REPO

SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def pipeline():
    return registry.load_default()


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.mark.parametrize(
    ("source", "copy", "expected"),
    [
        ("000", "001", "rewrite"),
        ("000", "002", "spam-wrapped"),
        ("002", "003", "rewrite"),
        ("000", "003", "rewrite"),
        ("000", "004", "original"),
        ("004", "000", "original"),
        ("002", "000", "original"),  # the reverse of a wrapped excerpt is not derived
        ("003", "000", "original"),
    ],
)
def test_seed_pairs(pipeline, seeds, source: str, copy: str, expected: str) -> None:
    ev = classifier.explain(pipeline, seeds[source], seeds[copy])
    assert ev["label"] == expected, ev["probabilities"]
    if expected == "original":
        assert ev["pair_class"] == "independent"


def test_explain_shape(pipeline, seeds) -> None:
    ev = classifier.explain(pipeline, seeds["000"], seeds["002"])
    json.dumps(ev)
    assert set(ev) == {
        "pair_class",
        "label",
        "confidence",
        "probabilities",
        "features",
        "reasons",
        "spans",
        "wrapper_segments",
    }
    assert set(ev["probabilities"]) == set(PAIR_CLASSES)
    assert ev["confidence"] == max(ev["probabilities"].values())
    assert ev["reasons"] and all(isinstance(r, str) for r in ev["reasons"])
    assert "copy_matched_share" in ev["features"]
    copy = seeds["002"]
    assert any("Sponsor" in s["text"] for s in ev["wrapper_segments"])
    for s in ev["wrapper_segments"]:
        assert copy[s["start"] : s["end"]] == s["text"]
    for s in ev["spans"]:
        assert s["kind"] in ("verbatim", "paraphrase") and 0 <= s["copy_start"] < s["copy_end"] <= len(copy)


def test_predict_proba_matches_classes(pipeline, seeds) -> None:
    pairs = [(seeds["000"], seeds[k]) for k in ("001", "002", "004")]
    proba = classifier.predict_proba(pipeline, pairs)
    assert proba.shape == (3, len(PAIR_CLASSES))
    assert set(pipeline.classes_) == set(PAIR_CLASSES)
    assert classifier.predict(pipeline, pairs) == [pipeline.classes_[i] for i in proba.argmax(axis=1)]


def test_text_vectors_group_a_story(pipeline, seeds) -> None:
    v = classifier.text_vectors(
        pipeline, [seeds["000"], seeds["004"], "Shares in the chip maker fell after weak sales of phones and laptops."]
    )
    norms = np.sqrt(np.asarray(v.multiply(v).sum(axis=1)).ravel())
    assert np.allclose(norms, 1.0, atol=1e-5)
    sims = (v @ v.T).toarray()
    assert sims[0, 1] > 0.3 > sims[0, 2]


def _threads_seen(monkeypatch, owner, name: str) -> list[int]:
    """``owner.name`` wrapped to note the native thread pools' sizes each time it is called."""
    from threadpoolctl import threadpool_info

    seen: list[int] = []
    wrapped = getattr(owner, name)

    def counting(*args):
        seen.extend(lib["num_threads"] for lib in threadpool_info())
        return wrapped(*args)

    monkeypatch.setattr(owner, name, counting)
    return seen


def test_explain_many_runs_native_code_on_one_thread(pipeline, seeds, monkeypatch) -> None:
    """The alignments' unit products included: a BLAS thread left spinning after them took a third
    of a core from the run's other processes."""
    seen = _threads_seen(monkeypatch, pipeline.named_steps["pairs"], "analyse")
    texts = [seeds[k] for k in ("000", "002")]
    assert classifier.explain_many(pipeline, [tuple(texts)])[0]["label"]
    assert seen and set(seen) == {1}


def test_similarities_are_the_vectors_cosines_on_one_thread(pipeline, seeds, monkeypatch) -> None:
    from models import cosine

    texts = [seeds["000"], seeds["004"], seeds["002"], "Shares in the chip maker fell after weak sales."]
    seen = _threads_seen(monkeypatch, cosine, "cross_similarities")
    v = classifier.text_vectors(pipeline, texts)
    np.testing.assert_allclose(classifier.similarities(pipeline, texts), (v @ v.T).toarray(), atol=1e-6)
    # the next call computes only the rows of the texts the last one lacked
    more = [*texts[1:], "The chip maker's shares recovered on Tuesday."]
    w = classifier.text_vectors(pipeline, more)
    np.testing.assert_allclose(classifier.similarities(pipeline, more), (w @ w.T).toarray(), atol=1e-6)
    assert seen and set(seen) == {1}


def test_the_shipped_pair_model_reads_the_shipped_style_model(pipeline, seeds) -> None:
    """The style model frozen inside the pair model is the one shipped beside it (same sha256 recorded
    at training, same scores), and the pipeline's scorer orients with that one copy."""
    from copytrace.runtime.scoring import Scorer

    meta = registry.read_metadata(registry.default_model_path())
    assert meta["training_data"]["style_model_sha256"] == registry.sha256_of(registry.style_model_path())
    embedded = classifier.style_model(pipeline)
    shipped = registry.load_model(registry.style_model_path())
    texts = [seeds["000"], seeds["001"], seeds["004"]]
    np.testing.assert_array_equal(embedded.decision_function(texts), shipped.decision_function(texts))
    scorer = Scorer(registry.default_model_path())
    assert scorer.style is classifier.style_model(scorer.pipeline)
    ev = classifier.explain(pipeline, seeds["000"], seeds["001"])  # 001: an LLM-style rewrite of 000
    assert ev["features"]["machine_log_odds_gap"] == pytest.approx(
        float(np.diff(np.clip(embedded.decision_function([seeds["000"], seeds["001"]]), -9.21, 9.21))[0]), abs=1e-4
    )  # the evidence is rounded to four places
    assert any("reads as machine-written" in r for r in ev["reasons"])
    independent = classifier.explain(pipeline, seeds["000"], seeds["004"])
    assert not any("machine-written" in r for r in independent["reasons"])  # said of rewrites only
