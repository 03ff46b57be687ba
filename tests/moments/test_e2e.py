"""End to end: `vidrecap run` on a generated three-topic video (slides, real footage, spoken
narration), then search, highlights with a reel, and the cross-modal summary on its output."""

from __future__ import annotations

import json
import shutil

import pytest

from vidrecap.cli import main

from .. import media

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng for speech")

TOPICS = [  # (slide part, footage part); each topic lasts 20 s
    (media.Part(8, title="Cycling to Work", body="Bicycles beat traffic",
                say="Many people ride a bicycle to work every morning."),
     media.Part(12, footage="bikes", say="A man in a suit pedals past cars stuck in traffic.")),
    (media.Part(8, title="Animated Films", body="Big Buck Bunny",
                say="Next we look at an animated cartoon about a giant rabbit."),
     media.Part(12, footage="bunny", say="The big rabbit wakes up in the forest and stretches in the sun.")),
    (media.Part(8, title="Watching Pedestrians", body="A busy square",
                say="Finally we watch pedestrians walking across a busy square."),
     media.Part(12, footage="vtest", say="People carry shopping bags and talk to each other.")),
]
QUERIES = [  # (topic, query): narration words, a paraphrase, the slide
    (0, "ride a bicycle to work"), (0, "commuting by bike through the city"), (0, "Cycling to Work"),
    (1, "giant rabbit in the forest"), (1, "an animation about a bunny"), (1, "Animated Films"),
    (2, "pedestrians walking across a square"), (2, "crowds of people on foot in a plaza"),
    (2, "Watching Pedestrians"),
]
UNRELATED = "a chef cooking pasta in a restaurant kitchen"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    import vidrecap

    tmp = tmp_path_factory.mktemp("e2e")
    video = tmp / "topics.mp4"
    media.build_video(video, [p for topic in TOPICS for p in topic])
    out = tmp / "out"
    vidrecap.recap(video, out)
    return out


def search_json(capsys, out, query):
    assert main(["search", str(out), query, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_queries_find_their_topic(run_dir, capsys):
    misses = []
    for topic, query in QUERIES:
        start, end, score = search_json(capsys, run_dir, query)["pred_relevant_windows"][0]
        if not (start >= 20 * topic - 2 and end <= 20 * (topic + 1) + 2):
            misses.append((query, start, end, score))
    assert not misses, misses


def test_unrelated_query_scores_clearly_lower(run_dir, capsys):
    unrelated = search_json(capsys, run_dir, UNRELATED)["pred_relevant_windows"][0][2]
    matches = [search_json(capsys, run_dir, q)["pred_relevant_windows"][0][2] for _, q in QUERIES[::3]]
    assert unrelated < min(matches) - 0.2, (unrelated, matches)


def test_highlights_reel_and_xsum(run_dir, tmp_path, capsys):
    import av
    from PIL import Image

    reel = tmp_path / "reel.mp4"
    assert main(["highlights", str(run_dir), "--reel", str(reel), "--seconds", "15"]) == 0
    capsys.readouterr()
    with av.open(str(reel)) as c:
        frames = sum(1 for _ in c.decode(video=0))
        seconds = frames / float(c.streams.video[0].average_rate)
        assert c.streams.audio
    assert abs(seconds - 15) <= 2
    assert main(["xsum", str(run_dir)]) == 0
    data = json.loads((run_dir / "xsum.json").read_text())
    assert len(data["clips"]) == 5 and data["vt_score"] is not None  # ceil(0.15 * 30 cells)
    for clip in data["clips"]:
        with Image.open(run_dir / clip["frame"]) as im:
            assert im.format == "JPEG"
