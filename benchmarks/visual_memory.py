"""Resident memory of the visual pass (every expert on) over a looped video: does it grow with length?

    python benchmarks/visual_memory.py VIDEO [--loops 4] [--no-trim]

Loops VIDEO ``--loops`` times by remuxing, runs the visual pass (tagger, PP-OCRv6, faces, picture,
objects) and samples RSS every 0.2 s: prints the RSS after loading the models, the mean over the
first and the last quarter of the pass, and the peak. ``--no-trim`` turns off the periodic
``malloc_trim`` (``vidrecap.util.memory``), to see what it saves. RSS is steady under CPU load,
unlike time.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video", type=Path)
    ap.add_argument("--loops", type=int, default=4)
    ap.add_argument("--no-trim", action="store_true")
    args = ap.parse_args()
    from throughput import repeat_remux

    from vidrecap import registry
    from vidrecap.evidence import visual
    from vidrecap.evidence.faces_pass import FaceExpert
    from vidrecap.evidence.objects_pass import ObjectExpert
    from vidrecap.evidence.picture_pass import PictureExpert
    from vidrecap.media.probe import probe

    if args.no_trim:
        visual.release_free_memory = lambda: None
    with tempfile.TemporaryDirectory() as tmp:
        looped = Path(tmp) / "looped.mp4"
        repeat_remux(args.video, looped, args.loops)
        info = probe(looped)
        vp = visual.VisualPass(registry.create("tagger", "embedded"), registry.create("ocr", "embedded"),
                               Path(tmp) / "journal.jsonl", Path(tmp) / "frames")
        vp.experts += [FaceExpert(registry.create("faces", "embedded")),
                       PictureExpert(registry.create("picture", "embedded")),
                       ObjectExpert(registry.create("objects", "embedded"))]
        loaded, samples, stop = rss_mib(), [], threading.Event()

        def sample() -> None:
            while not stop.wait(0.2):
                samples.append(rss_mib())

        threading.Thread(target=sample, daemon=True).start()
        vp.run(str(looped), info.duration)
        stop.set()
    q = max(1, len(samples) // 4)
    print(f"{info.duration / 60:.1f} min, trim {'off' if args.no_trim else 'on'}: RSS after loading {loaded:.0f} MiB, "
          f"first quarter {sum(samples[:q]) / q:.0f}, last quarter {sum(samples[-q:]) / q:.0f}, "
          f"peak {max(samples, default=loaded):.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
