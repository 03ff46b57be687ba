"""The recursive ReCap captioner: learning, curriculum, save/load, resume, unified variant, backend."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import torch

from vidrecap.backends.base import ClipEvidence, TimedText, WriteRequest

from .conftest import CURRICULUM_STEPS
from .synth import CONCEPTS, ConceptEncoder, concept_vectors, recap_config, segment_text, video_text


def losses(run_dir: Path, stage: str) -> list[float]:
    with open(run_dir / "metrics.csv") as fh:
        return [
            float(r["value"]) for r in csv.DictReader(fh) if r["stage"] == stage and r["metric"] == "loss"
        ]


def test_curriculum_learns_every_level(curriculum):
    run, reports, _ = curriculum
    assert [r.name for r in reports] == ["clip", "segment", "video"]
    assert all(r.finished and r.step == CURRICULUM_STEPS[r.name] for r in reports)
    for r in reports:
        trace = losses(run.out_dir, r.name)
        assert trace[-1] < trace[0] / 10, (r.name, trace)
    metrics = {k: v for r in reports for k, v in r.metrics.items()}
    assert metrics["clip/exact"] >= 0.95 and metrics["clip/CIDEr"] > 8
    assert metrics["segment/CIDEr"] > 5 and metrics["segment/Bleu_4"] > 0.7
    assert metrics["video/CIDEr"] > 5 and metrics["video/Bleu_4"] > 0.7


def test_each_stage_starts_from_its_predecessor(curriculum):
    from vidrecap.train.recap.model import ReCapModel

    run, _, starts = curriculum
    for stage, before in (("segment", "clip"), ("video", "segment")):
        previous = ReCapModel.load(run.out_dir / before / "model").state_dict()
        assert starts[stage].keys() == previous.keys()
        assert all(torch.equal(starts[stage][k], previous[k]) for k in previous)
    clip_final = ReCapModel.load(run.out_dir / "clip" / "model").state_dict()
    assert not all(torch.equal(starts["clip"][k], clip_final[k]) for k in clip_final)


def test_save_load_gives_the_same_captions(curriculum, tmp_path):
    from vidrecap.train.recap.model import ReCapModel, make_batch

    run, _, _ = curriculum
    model = ReCapModel.load(run.out_dir / "segment" / "model")
    model.save(tmp_path / "copy")
    again = ReCapModel.load(tmp_path / "copy")
    rows = [np.random.default_rng(i).normal(size=(5, 16)).astype(np.float32) for i in range(3)]
    prev = [[CONCEPTS["dog"], CONCEPTS["onion"]], [CONCEPTS["door"]], []]
    batch = make_batch(model, rows, ["segment"] * 3, prev)
    assert model.generate(batch) == again.generate(batch)
    with torch.no_grad():
        a = model.qformer(batch.features, batch.pad, batch.levels)
        b = again.qformer(batch.features, batch.pad, batch.levels)
    assert torch.equal(a, b)


def test_resume_is_bitwise_identical(tmp_path, hcap, lm_dir):
    from safetensors.torch import load_file

    from vidrecap.train.recap.train import load_recap_run, train_recap

    steps = {"clip": 8}
    whole = load_recap_run(recap_config(tmp_path, hcap, lm_dir, steps, dropout=0.1, name="whole"))
    train_recap(whole, quiet=True)
    parts = load_recap_run(recap_config(tmp_path, hcap, lm_dir, steps, dropout=0.1, name="parts"))
    first = train_recap(parts, quiet=True, stop_after=3)
    assert not first[0].finished and first[0].step == 3
    with pytest.raises(Exception, match="--resume"):
        train_recap(parts, quiet=True)
    second = train_recap(parts, quiet=True, resume=True)
    assert second[0].finished and second[0].step == 8
    a = load_file(str(whole.out_dir / "clip" / "model" / "model.safetensors"))
    b = load_file(str(parts.out_dir / "clip" / "model" / "model.safetensors"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_unified_variant_alternates_levels(tmp_path, hcap, lm_dir):
    from vidrecap.train.harness import BatchSchedule
    from vidrecap.train.recap.train import load_recap_run, train_recap

    schedule = BatchSchedule({"clip": 10, "segment": 4, "video": 2}, ["clip", "segment", "video"], 3, 0)
    levels = [schedule.at(k)[0] for k in range(6)]
    assert levels == ["clip", "segment", "video"] * 2
    assert sorted(i for k in range(0, 12, 3) for i in schedule.at(k)[1]) == list(range(10))  # one epoch
    steps = {"clip": 9, "segment": 9, "video": 9}
    run = load_recap_run(recap_config(tmp_path, hcap, lm_dir, steps, variant="unified", name="unified"))
    reports = train_recap(run, quiet=True)
    assert [r.name for r in reports] == ["unified"] and reports[0].finished
    assert {k.split("/")[0] for k in reports[0].metrics} == {"clip", "segment", "video"}
    assert (run.out_dir / "unified" / "model" / "model.safetensors").exists()


def test_backend_captions_and_writes_from_evidence(curriculum):
    import vidrecap.train.recap.backend  # noqa: F401  (registers "recap" where registry._MODULES does not map it)
    from vidrecap import registry

    run, _, _ = curriculum
    captioner = registry.create("captioner", f"recap:{run.out_dir}", encoder=ConceptEncoder.spec)
    clips = [
        ClipEvidence(0, 0.0, 4.0, speech="look at the dog"),
        ClipEvidence(1, 4.0, 8.0, on_screen="onion"),
    ]
    assert captioner.caption(clips) == [CONCEPTS["dog"], CONCEPTS["onion"]]

    writer = registry.create("writer", f"recap:{run.out_dir}", encoder=ConceptEncoder.spec)
    vectors = concept_vectors()
    names = ["door", "dishes", "dog"]
    request = WriteRequest(
        "segment",
        0.0,
        12.0,
        children=[TimedText(4.0 * i, 4.0 * (i + 1), CONCEPTS[n]) for i, n in enumerate(names)],
    )
    request.features = np.repeat(np.stack([vectors[n] for n in names]), 2, axis=0)  # the proposed contract
    written = writer.write(request)
    assert written.text == segment_text("door", "dog") and written.title.startswith("First door")
    summary = WriteRequest(
        "summary",
        0.0,
        24.0,
        children=[
            TimedText(0, 12, segment_text("door", "dog")),
            TimedText(12, 24, segment_text("onion", "dishes")),
        ],
        speech=[TimedText(1.0, 3.0, "the door"), TimedText(21.0, 23.0, "the dishes")],
    )
    assert writer.write(summary).text == video_text("door", "dishes")
