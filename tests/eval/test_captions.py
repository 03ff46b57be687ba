"""Our caption metrics against pycocoevalcap 1.2 / rouge-score 0.1.2.

``fixtures/caption_corpus_expected.json`` holds their outputs on ``caption_corpus.json`` (made by
``fixtures/make_caption_corpus.py`` with Java 17); the live tests recompute them when the packages
(and Java) are installed.
"""

from __future__ import annotations

import importlib.util
import json
import pickle
import shutil
from pathlib import Path

import pytest

from vidrecap.datasets.captions import load_caption_predictions, load_caption_references, load_hcap
from vidrecap.eval.captions import evaluate_captions
from vidrecap.eval.captions.ngram_metrics import corpus_bleu, corpus_cider_d, corpus_rouge_l
from vidrecap.eval.captions.rouge_lsum import corpus_rouge_lsum
from vidrecap.eval.captions.tokenizer import coco_tokenize

FIXTURES = Path(__file__).resolve().parent / "fixtures"

CORPUS = json.loads((FIXTURES / "caption_corpus.json").read_text())
EXPECTED = json.loads((FIXTURES / "caption_corpus_expected.json").read_text())
HAS_JAVA = shutil.which("java") is not None
HAS_COCO = importlib.util.find_spec("pycocoevalcap") is not None


def test_tokenizer_matches_stanford_ptb_output():
    for key, text in CORPUS["candidates"].items():
        assert coco_tokenize(text) == EXPECTED["tokenized_candidates"][key][0], text
    for key, refs in CORPUS["references"].items():
        assert [coco_tokenize(r) for r in refs] == EXPECTED["tokenized_references"][key]


def test_bleu_rouge_cider_match_pycocoevalcap_on_its_tokens():
    res, gts = EXPECTED["tokenized_candidates"], EXPECTED["tokenized_references"]
    assert corpus_bleu(res, gts) == pytest.approx(EXPECTED["Bleu"], abs=1e-6)
    assert corpus_rouge_l(res, gts)[0] == pytest.approx(EXPECTED["ROUGE_L"], abs=1e-6)
    cider, per_id = corpus_cider_d(res, gts)
    assert cider == pytest.approx(EXPECTED["CIDEr"], abs=1e-6)
    assert per_id == pytest.approx(EXPECTED["CIDEr_per_id"], abs=1e-6)


def test_end_to_end_scores_from_raw_text():
    scores = evaluate_captions(CORPUS["candidates"], CORPUS["references"], meteor=False)
    assert list(scores.bleu) == pytest.approx(EXPECTED["Bleu"], abs=1e-6)
    assert scores.cider == pytest.approx(EXPECTED["CIDEr"], abs=1e-6)
    assert scores.rouge_l == pytest.approx(EXPECTED["ROUGE_L"], abs=1e-6)
    assert scores.rouge_lsum == pytest.approx(EXPECTED["rougeLsum"], abs=1e-6)
    assert scores.meteor is None and scores.meteor_note == "skipped"


def test_a_wrong_caption_lowers_every_metric():
    cands = dict(CORPUS["candidates"])
    cands["v000"] = "nothing matches here"
    worse = evaluate_captions(cands, CORPUS["references"], meteor=False)
    assert worse.bleu[0] < EXPECTED["Bleu"][0] and worse.cider < EXPECTED["CIDEr"]
    assert worse.rouge_l < EXPECTED["ROUGE_L"]


@pytest.mark.skipif(
    not (HAS_JAVA and HAS_COCO), reason="METEOR needs java (default-jre-headless) + pycocoevalcap"
)
def test_meteor_through_the_reference_jar():
    scores = evaluate_captions(CORPUS["candidates"], CORPUS["references"], meteor=True)
    assert scores.meteor == pytest.approx(EXPECTED["METEOR"], abs=1e-6)


@pytest.mark.skipif(not (HAS_JAVA and HAS_COCO), reason="needs java (default-jre-headless) + pycocoevalcap")
def test_live_parity_with_pycocoevalcap_including_its_java_tokenizer():
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    cands = {
        "a": "A man slices a tomato.",
        "b": "Two kids can't stop laughing!",
        "c": "C opens the fridge (again).",
    }
    refs = {
        "a": ["A man is cutting a tomato.", "Someone slices tomatoes."],
        "b": ["The kids laugh."],
        "c": ["C opens the fridge door.", "c opens a fridge"],
    }
    tokenizer = PTBTokenizer()
    res = tokenizer.tokenize({k: [{"caption": v}] for k, v in cands.items()})
    gts = tokenizer.tokenize({k: [{"caption": r} for r in v] for k, v in refs.items()})
    ours = evaluate_captions(cands, refs, meteor=False)
    assert list(ours.bleu) == pytest.approx(Bleu(4).compute_score(gts, res, verbose=0)[0], abs=1e-6)
    assert ours.rouge_l == pytest.approx(Rouge().compute_score(gts, res)[0], abs=1e-6)
    assert ours.cider == pytest.approx(Cider().compute_score(gts, res)[0], abs=1e-6)


@pytest.mark.skipif(importlib.util.find_spec("rouge_score") is None, reason="rouge-score not installed")
def test_rouge_lsum_matches_rouge_score_package():
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeLsum"])
    pairs = [
        ("the cat sat\non the mat", "a cat sat on\nthe mat today"),
        ("a b c a b\nc a", "a a b\nb c c a"),
        ("x", "y"),
        ("C cuts onions.\nC washes a pan.", "C washes the pan.\nC cuts an onion."),
    ]
    for cand, ref in pairs:
        expected = scorer.score(ref, cand)["rougeLsum"].fmeasure
        assert corpus_rouge_lsum({"k": [cand]}, {"k": [ref]})[0] == pytest.approx(expected, abs=1e-9)


def test_hcap_levels_from_pickle_and_json(tmp_path):
    clips = [("vid1", 0.0, 4.0, "C picks up a knife."), ("vid1", 4.0, 8.0, "C cuts the onion.")]
    (tmp_path / "clips_val.pkl").write_bytes(pickle.dumps(clips))
    segments = [
        {
            "vid": "vid1",
            "start_sec": 0,
            "end_sec": 180,
            "segment_description": "C cooks.",
            "captions_gt": ["a"],
            "captions_pred": ["b"],
        }
    ]
    (tmp_path / "segments_val.json").write_text(json.dumps(segments))
    items = load_hcap(tmp_path / "clips_val.pkl")
    assert [i.level for i in items] == ["clip", "clip"] and items[0].id == "vid1_0_4"
    assert load_caption_references(tmp_path / "segments_val.json") == {"vid1_0_180": ["C cooks."]}
    (tmp_path / "pred.jsonl").write_text(
        json.dumps({"vid": "vid1", "start_sec": 0, "end_sec": 4, "caption": "x"}) + "\n"
    )
    assert load_caption_predictions(tmp_path / "pred.jsonl") == {"vid1_0_4": "x"}


def test_hcap_pickle_with_foreign_objects_is_refused(tmp_path):
    from vidrecap.errors import InputError

    (tmp_path / "bad.pkl").write_bytes(pickle.dumps([("v", 0.0, 1.0, "c", object())]))
    with pytest.raises(InputError, match="bad.pkl"):
        load_hcap(tmp_path / "bad.pkl")
