"""The machine-style estimator: scikit-learn conventions, ``orient`` margins, text normalisation,
the fast scoring path against the pipeline, and the shipped artifact on L2R pairs read from
../shared/data at test time (skipped without it). The shipped model was fitted on those pairs, so
that test checks the artifact loads and works, not how well it generalises: that is
``python -m models.fit_style --report``."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline

from models import registry
from models.corpora import read_text
from models.style import DEFAULT_MARGIN, MachineStyle, log_odds, normalise, orient
from tests.paths import DATA

L2R = DATA / "l2r-llm-rewrites"
ARTIFACT = registry.style_model_path()

_HUMAN = [
    "yeah so we went down the pub after and honestly it was grand, tom got the rounds in",
    "the council said it would look at the bins again next week but nobody believes them",
    "got the bus home, it was late again, third time this week and nobody said sorry",
    "my gran makes the best stew, no recipe, just a bit of this and a bit of that",
    "police said the man was arrested on tuesday and will appear in court on friday",
    "the match was called off at half time because the pitch was waterlogged again",
]
_MACHINE = [
    "Furthermore, it is important to note that the comprehensive initiative fosters meaningful engagement.",
    "In today's fast-paced world, this innovative approach delves into a multifaceted landscape.",
    "Overall, the event showcased a vibrant tapestry of experiences, fostering a sense of community.",
    "Additionally, it is crucial to underscore the pivotal role of collaboration in this endeavor.",
    "Moreover, the initiative seamlessly integrates diverse perspectives, enhancing overall outcomes.",
    "In conclusion, this comprehensive overview highlights the significance of ongoing innovation.",
]
_SMALL = {"word_min_df": 1, "char_min_df": 1, "word_max_features": 500, "char_max_features": 2000}


@pytest.fixture(scope="module")
def small() -> MachineStyle:
    return MachineStyle(**_SMALL).fit(_HUMAN + _MACHINE, [0] * len(_HUMAN) + [1] * len(_MACHINE))


def test_init_only_stores_params() -> None:
    m = MachineStyle(max_chars=500, C=2.0)
    assert vars(m) == m.get_params()
    assert m.get_params()["max_chars"] == 500 and m.get_params()["C"] == 2.0
    assert not [k for k in vars(m) if k.endswith("_")]


def test_fit_returns_self_and_learned_attributes_end_in_underscore() -> None:
    m = MachineStyle(**_SMALL)
    before = set(vars(m))
    assert m.fit(_HUMAN + _MACHINE, [0] * 6 + [1] * 6) is m
    learned = set(vars(m)) - before
    assert learned and all(k.endswith("_") for k in learned)
    assert isinstance(m.pipeline_, Pipeline)
    assert m.classes_.tolist() == [0, 1]


def test_clone_is_unfitted_with_the_same_params(small: MachineStyle) -> None:
    twin = clone(small)
    assert twin.get_params() == small.get_params()
    assert not hasattr(twin, "pipeline_")
    with pytest.raises(NotFittedError):
        twin.machine_score(["some text"])


def test_scores(small: MachineStyle) -> None:
    texts = ["Furthermore, this comprehensive approach fosters engagement.", "we went down the pub after the match"]
    proba = small.predict_proba(texts)
    assert proba.shape == (2, 2) and np.allclose(proba.sum(axis=1), 1.0)
    score = small.machine_score(texts)
    assert score.shape == (2,) and np.allclose(score, proba[:, 1])
    assert score[0] > score[1]
    assert small.predict(texts).tolist() == [1, 0]
    assert np.allclose(small.decision_function(texts), [log_odds(p) for p in score], atol=1e-6)
    assert small.orient_pair(texts[1], texts[0], margin=0.0) == 1
    with pytest.raises(TypeError):
        small.machine_score("a single string is not a list of texts")


def test_fast_scores_equal_the_pipeline(small: MachineStyle) -> None:
    """``decision_function`` skips scikit-learn's transform: it must give the pipeline's numbers."""
    texts = [
        *_HUMAN,
        *_MACHINE,
        "",
        "a",
        "I a I",
        "x  y\n\nz\t",
        "na\u00efve caf\u00e9 \u201cquoted\u201d \u2014 it\u2019s \ufb01ne",
        "emoji \U0001f600 and \U0001d518 outside the BMP",
        "nul\x00inside",
        " ".join(_HUMAN + _MACHINE) * 20,  # longer than max_chars
    ]
    fast = small.decision_function(texts)
    slow = small.pipeline_.decision_function(texts)
    assert np.allclose(fast, slow, atol=1e-4)
    model = MachineStyle(**{**_SMALL, "max_chars": None}).fit(_HUMAN + _MACHINE, [0] * 6 + [1] * 6)
    assert np.allclose(model.decision_function(texts), model.pipeline_.decision_function(texts), atol=1e-4)


def test_pickling_leaves_the_model_whole(tmp_path) -> None:
    """Pickled, the vocabularies travel packed; the model pickled keeps its own and scores as before,
    and the loaded copy scores the same."""
    model = MachineStyle(**_SMALL).fit(_HUMAN + _MACHINE, [0] * len(_HUMAN) + [1] * len(_MACHINE))
    texts = [*_HUMAN, *_MACHINE, "a text neither side wrote, furthermore"]
    before = model.decision_function(texts)
    path = tmp_path / "style.joblib"
    joblib.dump(model, path)
    for _, vectorizer in model.pipeline_.named_steps["features"].transformer_list:
        assert len(vectorizer.vocabulary_) == len(vectorizer.idf_)
    assert np.array_equal(model.decision_function(texts), before)
    assert np.array_equal(joblib.load(path).decision_function(texts), before)


def test_fit_needs_both_labels() -> None:
    with pytest.raises(ValueError, match="both labels"):
        MachineStyle(**_SMALL).fit(_HUMAN, [0] * len(_HUMAN))
    with pytest.raises(ValueError, match="labels"):
        MachineStyle(**_SMALL).fit(_HUMAN, [0, 1])


def test_orient_decides_only_beyond_the_margin() -> None:
    assert orient(0.9, 0.1) == 0  # A reads as the rewrite
    assert orient(0.1, 0.9) == 1
    assert orient(0.5, 0.5) is None and orient(0.5, 0.5, margin=0.0) is None
    gap = log_odds(0.6) - log_odds(0.5)
    assert orient(0.6, 0.5, margin=gap * 1.01) is None
    assert orient(0.6, 0.5, margin=gap * 0.99) == 0
    assert orient(0.5, 0.6, margin=gap * 0.99) == 1
    # a gap in log-odds counts the same at either end of the probability scale
    assert orient(0.999, 0.99, margin=2.0) == 0 and orient(0.999, 0.99, margin=2.5) is None
    assert orient(1.0, 0.0) == 0 and orient(0.0, 1.0) == 1  # clipped, not infinite
    with pytest.raises(ValueError):
        orient(0.9, 0.1, margin=-1.0)


def test_normalise_removes_storage_residue() -> None:
    assert normalise("cost $20 (\u00c2\u00a315)") == "cost $20 (\u00a315)"  # UTF-8 read as cp1252
    assert normalise("it\u00e2\u20ac\u2122s") == "it's"
    assert normalise("the group\x92s policy") == "the group's policy"  # cp1252 read as Latin-1
    assert normalise("\u201cquoted\u201d<br /><br />next   line\n\npara") == '"quoted" next line para'
    assert normalise("caf\u00e9 na\u00efve") == "caf\u00e9 na\u00efve"  # real accents untouched
    cut = normalise("word " * 100, max_chars=23)
    assert cut == "word word word word" and len(cut) <= 23


@pytest.mark.skipif(not ARTIFACT.exists(), reason="no shipped style model")
def test_shipped_artifact_metadata() -> None:
    meta = registry.read_metadata(ARTIFACT)
    assert meta["sha256"] == registry.sha256_of(ARTIFACT)
    assert meta["size_bytes"] <= 15 * 2**20
    assert meta["orient"]["default_margin"] == DEFAULT_MARGIN


def _l2r_pairs(domain: str, llm: str, n: int) -> list[tuple[str, str]]:
    human = json.loads(read_text(L2R / domain / "human.json"))
    rewrites = json.loads(read_text(L2R / domain / f"{llm}.json"))  # index i rewrites human[i] (not Gemini)
    pairs = [(h, r) for h, r in zip(human, rewrites, strict=False) if len(h.split()) >= 40]
    return pairs[:n]


@pytest.mark.skipif(not (L2R.is_dir() and ARTIFACT.exists()), reason="needs ../shared/data and the shipped model")
def test_shipped_artifact_orients_l2r_pairs() -> None:
    model = registry.load_model(ARTIFACT)  # sha256 checked against the sidecar before unpickling
    assert isinstance(model, MachineStyle)
    pairs = [p for d in ("Sports", "LegalDocument") for llm in ("GPT-4o", "Llama-3-70B") for p in _l2r_pairs(d, llm, 5)]
    assert len(pairs) == 20
    human = model.machine_score([h for h, _ in pairs])
    machine = model.machine_score([r for _, r in pairs])
    assert np.mean(machine > human) >= 0.9
    decisions = [orient(r, h) for h, r in zip(human.tolist(), machine.tolist(), strict=True)]
    assert decisions.count(0) >= 15 and decisions.count(1) <= 1
