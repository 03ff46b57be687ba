"""Weak narrations from real recaps: training on a folder of recaps beats the untrained label bridge.

Training recaps: the session's talk video plus one more generated video (real footage, espeak-ng
speech). Held out: a third video with other sentences, other part lengths and another order. The
test is visual only: text queries are matched against the cells' picture channel (the ImageNet
label bridge before training, the dual encoder's video tower over that channel after), and a cell is
relevant when it lies in the part whose footage the query describes.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.media import Part, build_video

TRAIN_PARTS = [
    Part(6, footage="bunny", say="The animated bunny stretches in the green meadow."),
    Part(8, footage="bikes", say="The cyclist pedals past the parked cars."),
    Part(6, footage="vtest", say="Pedestrians stroll through the busy plaza."),
]
HELD_OUT = [
    (Part(10, footage="vtest", say="A crowd walks across the open square."), "people walking across a square"),
    (Part(10, footage="bunny", say="A cartoon bunny stands in a sunny forest."), "a cartoon rabbit in the forest"),
    (Part(10, footage="bikes", say="Someone is cycling down the road."), "a man riding a bicycle in traffic"),
]


@pytest.fixture(scope="module")
def library(tmp_path_factory, talk_recap):
    """A folder of two training recaps and one held-out recap with its footage spans."""
    import vidrecap

    root = tmp_path_factory.mktemp("dual-recaps")
    build_video(root / "train.mp4", TRAIN_PARTS)
    spans = build_video(root / "held.mp4", [p for p, _ in HELD_OUT])
    lib = root / "library"
    lib.mkdir()
    (lib / "talk").symlink_to(talk_recap.directory, target_is_directory=True)
    vidrecap.recap(root / "train.mp4", lib / "train", ocr="none")
    held = vidrecap.recap(root / "held.mp4", root / "held", ocr="none")
    return root, lib, held, spans


@pytest.fixture(scope="module")
def trained(library):
    from vidrecap.train.dual.train import load_dual_run, train_dual

    root, lib, held, _ = library
    config = root / "dual.toml"
    config.write_text(f"""
[model]
hidden = 64
embed_dim = 64
heads = 2
num_rows = 2
freeze_text = true
[data]
recaps = "{lib}"
val_recaps = "{held.directory}"
feature_key = "visual"
[densify]
narrator = "embedded"
narrator_ratio = 0.25
[train]
batch_size = 8
lr = 1e-3
steps = 150
save_every = 0
out_dir = "{root / 'run'}"
""")
    run = load_dual_run(config)
    return run, train_dual(run, quiet=True)


def _scores(sim: np.ndarray, relevant: np.ndarray) -> tuple[float, float]:
    from vidrecap.eval.video_text import mir_average_precision

    top1 = float(np.mean([relevant[i, int(np.argmax(row))] for i, row in enumerate(sim)]))
    return 100 * mir_average_precision(sim, relevant), 100 * top1


def test_weak_narrations_beat_the_label_bridge_on_held_out_video(library, trained):
    from vidrecap import registry

    _, _, held, spans = library
    run, report = trained
    assert report.finished and report.counts["train"] >= 10 and report.counts["narrator"] > 0
    queries = [q for _, q in HELD_OUT]
    centers = np.array([(c.start + c.end) / 2 for c in held.cells])
    relevant = np.array([[float(a <= x < b) for x in centers] for a, b in spans])

    bridge = registry.create("encoder", "embedded")
    before = _scores(bridge.embed_text(queries) @ held.embeddings["visual"].T, relevant)
    dual = registry.create("encoder", f"dual:{run.out_dir}")
    after = _scores(dual.embed_text(queries) @ dual.embed_cells(held.cells).T, relevant)
    print(f"visual-only text->cell on held-out video: label bridge mAP {before[0]:.1f} R@1 {before[1]:.1f}; "
          f"dual mAP {after[0]:.1f} R@1 {after[1]:.1f}")
    assert after[0] > before[0] + 5, (before, after)
    assert after[1] >= before[1]


@pytest.mark.xfail(reason="known since the wave-3 merge and not yet fixed: with some trained tiny dual models the "
                          "objects channel ('N people', embedded by the dual text tower) matches 'a cartoon rabbit in "
                          "the forest' (calibrated 0.59; 0.48 with the hubness correction) and the vtest part ties "
                          "with the narrated bunny part (relevance 0.47 vs 0.46 on a saved model); the background "
                          "false-alarm reliability measures 1.0 for that channel, so it is still lifted. Passes with "
                          "other training runs (2 of 3 seen), hence not strict",
                   strict=False)
def test_search_uses_the_dual_encoder_end_to_end(library, trained, tmp_path):
    import vidrecap
    from vidrecap.moments import search

    root, _, _, spans = library
    run, _ = trained
    recap = vidrecap.recap(root / "held.mp4", tmp_path / "held-dual", ocr="none", encoder=f"dual:{run.out_dir}")
    assert recap.options["visual_space"] == "video"
    assert recap.embeddings["visual"].shape == (len(recap.cells), 64)
    top = search(recap, "a cartoon rabbit in the forest").top
    start, end = spans[1]
    assert start - 2 <= (top[0] + top[1]) / 2 <= end + 2
