"""Caption metrics against pycocoevalcap 1.2 on generated noisy corpora (many seeds), not one fixture.

With Java: the Python tokenizer must equal the Stanford PTBTokenizer line for line, and every
metric (BLEU-1..4, ROUGE-L, CIDEr-D) must equal pycocoevalcap's scorers to 1e-9, both on the same
tokens and end to end from raw text. The Java tokenizer is a subprocess, so all corpora go through
it in one call per side. METEOR is pycocoevalcap's own jar on both sides and is not repeated here.
"""

from __future__ import annotations

import importlib.util
import shutil

import pytest

from tests.eval.noisy_captions import caption_corpus
from vidrecap.eval.captions import evaluate_captions, python_tokenize, stanford_tokenize
from vidrecap.eval.captions.ngram_metrics import corpus_bleu, corpus_cider_d, corpus_rouge_l

HAS_STANFORD = shutil.which("java") is not None and importlib.util.find_spec("pycocoevalcap") is not None
needs_java = pytest.mark.skipif(not HAS_STANFORD, reason="needs java (default-jre-headless) + pycocoevalcap")
SEEDS = range(40)


@pytest.fixture(scope="session")
def corpora() -> dict[int, tuple[dict, dict]]:
    return {seed: caption_corpus(seed) for seed in SEEDS}


def _flatten(corpora: dict, side: int) -> dict[str, list[str]]:
    if side == 0:
        return {f"{seed}/{key}": [text] for seed, pair in corpora.items() for key, text in pair[0].items()}
    return {f"{seed}/{key}": list(refs) for seed, pair in corpora.items() for key, refs in pair[1].items()}


@pytest.fixture(scope="session")
def stanford_tokens(corpora) -> tuple[dict, dict]:
    """(candidates, references) of every seed through pycocoevalcap's PTBTokenizer, one call each."""
    return stanford_tokenize(_flatten(corpora, 0)), stanford_tokenize(_flatten(corpora, 1))


def _seed(tokens: dict, seed: int) -> dict:
    return {key.split("/", 1)[1]: value for key, value in tokens.items() if key.startswith(f"{seed}/")}


@needs_java
def test_python_tokenizer_equals_stanford_line_for_line(corpora, stanford_tokens):
    for side in (0, 1):
        texts = _flatten(corpora, side)
        ours, theirs = python_tokenize(texts), stanford_tokens[side]
        differing = [(texts[k], theirs[k], ours[k]) for k in texts if ours[k] != theirs[k]]
        assert not differing, differing[:5]
    lines = sum(len(v) for v in _flatten(corpora, 1).values())
    assert lines > 3000  # the corpora are not trivially small


@needs_java
def test_bleu_rouge_cider_equal_pycocoevalcap_on_the_same_tokens(stanford_tokens):
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.rouge.rouge import Rouge

    for seed in SEEDS:
        res, gts = _seed(stanford_tokens[0], seed), _seed(stanford_tokens[1], seed)
        bleu, _ = Bleu(4).compute_score(gts, res, verbose=0)
        assert corpus_bleu(res, gts) == pytest.approx(bleu, abs=1e-9, rel=0)
        assert corpus_rouge_l(res, gts)[0] == pytest.approx(Rouge().compute_score(gts, res)[0], abs=1e-9, rel=0)
        cider, per_id = Cider().compute_score(gts, res)
        ours, ours_per_id = corpus_cider_d(res, gts)
        assert ours == pytest.approx(cider, abs=1e-9, rel=0)
        assert list(ours_per_id.values()) == pytest.approx(list(per_id), abs=1e-9, rel=0)


def _reference_scores(candidates: dict, references: dict) -> dict:
    """What COCOEvalCap.evaluate computes: refs tokenized in one call, candidates in another."""
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    tokenizer = PTBTokenizer()
    gts = tokenizer.tokenize({k: [{"caption": r} for r in v] for k, v in references.items()})
    res = tokenizer.tokenize({k: [{"caption": candidates[k]}] for k in references})
    bleu, _ = Bleu(4).compute_score(gts, res, verbose=0)
    return {
        "bleu": bleu,
        "rouge_l": Rouge().compute_score(gts, res)[0],
        "cider": Cider().compute_score(gts, res)[0],
    }


@needs_java
@pytest.mark.parametrize("seed", [101, 202])
def test_end_to_end_from_raw_text_equals_coco_evaluator(seed):
    candidates, references = caption_corpus(seed, size=60)
    expected = _reference_scores(candidates, references)
    for tokenizer in ("stanford", "python"):
        scores = evaluate_captions(candidates, references, meteor=False, tokenizer=tokenizer)
        assert list(scores.bleu) == pytest.approx(expected["bleu"], abs=1e-9, rel=0), tokenizer
        assert scores.rouge_l == pytest.approx(expected["rouge_l"], abs=1e-9, rel=0), tokenizer
        assert scores.cider == pytest.approx(expected["cider"], abs=1e-9, rel=0), tokenizer
    assert scores.to_dict()["tokenizer"] == "python" and "approximate" in scores.tokenizer_note


def test_sentence_final_capitals_and_possessives_follow_the_java_lexer():
    """The cases the issue measured, from the Java tokenizer's own output (tokenized together)."""
    texts = {
        "a": ["Grades A and B and E.", "Dogs run."],
        "b": ["He has a plan B.", "The end."],
        "c": ["The FLAT,'s roof.", "She saw Acme Inc.", "He left."],
    }
    assert python_tokenize(texts) == {
        "a": ["grades a and b and e.", "dogs run"],
        "b": ["he has a plan b", "the end"],
        "c": ["the flat 's roof", "she saw acme inc.", "he left"],
    }


def test_without_java_auto_falls_back_and_says_so(monkeypatch):
    import vidrecap.eval.captions.meteor as meteor_module

    monkeypatch.setattr(meteor_module.shutil, "which", lambda name: None)
    scores = evaluate_captions({"a": "A man cuts a tomato."}, {"a": ["a man is cutting a tomato"]})
    row = scores.to_dict()
    assert row["tokenizer"] == "python" and "approximate" in row["tokenizer_note"]
    assert row["METEOR"] is None and "Java" in row["METEOR_note"]
    assert 0 < row["Bleu_1"] < 1


@needs_java
def test_other_line_breaks_do_not_shift_captions_onto_other_ids():
    candidates = {"a": "a man\rcuts\u2028a tomato", "b": "a dog runs"}
    references = {"a": ["a man cuts a tomato"], "b": ["a dog\u2029runs"]}
    for tokenizer in ("stanford", "python"):
        scores = evaluate_captions(candidates, references, meteor=False, tokenizer=tokenizer)
        assert scores.bleu[3] == pytest.approx(1.0) and scores.rouge_l == pytest.approx(1.0), tokenizer
