"""Picture statistics: cost per key frame, and whether cheap statistics tell animation from camera footage.

Frames come from a video built like the test videos (``tests.media``: H.264, crf 28, 640×360) so
they look like what the visual pass decodes. Part 1 times each statistic per frame (one thread,
``--repeat`` runs). Part 2 measures candidate animation cues on every 5th frame of the animated
``bigbuckbunny`` and of three camera clips (``bikes``, ``vtest``, ``carphone``) and prints, for each
cue, the ranges and the margin between the classes (positive: every animated frame lies beyond
every camera frame). Run: ``python benchmarks/picture.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import media  # noqa: E402
from vidrecap.experts import picture  # noqa: E402

CLIPS = ("bunny", "bikes", "vtest", "carphone")
ANIMATED = {"bunny"}


def decoded_frames(work: Path, every: int = 5) -> dict[str, list[np.ndarray]]:
    import av

    path = work / "picture-clips.mp4"
    spans = media.build_video(path, [media.Part(5, footage=name) for name in CLIPS], with_audio=False)
    frames: dict[str, list[np.ndarray]] = {name: [] for name in CLIPS}
    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            t = i / media.FPS
            k = next(j for j, (lo, hi) in enumerate(spans) if lo <= t < hi or j == len(spans) - 1)
            if i % every == 0:
                frames[CLIPS[k]].append(frame.to_ndarray(format="rgb24"))
    return frames


def noise_sigma(grey: np.ndarray) -> float:
    """Immerkær's fast noise estimate, on the smoother half of the frame (sensor noise lives there)."""
    import cv2

    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
    lap = np.abs(cv2.filter2D(grey, -1, kernel))[1:-1, 1:-1]
    grad = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1))[1:-1, 1:-1]
    smooth = grad <= np.median(grad)
    return float(lap[smooth].mean() * np.sqrt(np.pi / 2) / 6)


CUES = {  # name -> +1 when animation is expected higher, -1 when lower
    "noise sigma (rendered: lower)": -1,
    "flat share |grad|<2 (cartoon: higher)": +1,
    "colours used, 8 levels (cartoon: fewer)": -1,
    "saturation (cartoon: higher)": +1,
    "Canny edge density (outlines: higher)": +1,
    "sharp/soft edge ratio (cartoon: higher)": +1,
}


def cues(image: np.ndarray) -> list[float]:
    """Candidate animation cues, in ``CUES`` order."""
    import cv2

    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    grad = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1))
    small = picture._resized(image, 160)
    q = (small.reshape(-1, 3) // 32).astype(np.int32)
    strong, middle = (grad > 100).mean(), ((grad > 10) & (grad <= 100)).mean()
    return [noise_sigma(grey), float((grad < 2).mean()),
            float(len(np.unique(q[:, 0] * 64 + q[:, 1] * 8 + q[:, 2]))),
            float(cv2.cvtColor(small, cv2.COLOR_RGB2HSV)[..., 1].mean() / 255),
            float((cv2.Canny(grey.astype(np.uint8), 100, 200) > 0).mean()), float(strong / max(middle, 1e-6))]


def separation(frames: dict[str, list[np.ndarray]]) -> None:
    values = {name: np.array([cues(f) for f in fs]) for name, fs in frames.items()}
    print(f"{'cue':<42} " + " ".join(f"{n:>20}" for n in CLIPS) + f" {'margin':>8}")
    for k, (cue, sign) in enumerate(CUES.items()):
        anim = np.concatenate([values[n][:, k] for n in ANIMATED]) * sign
        cam = np.concatenate([values[n][:, k] for n in CLIPS if n not in ANIMATED]) * sign
        margin = (anim.min() - cam.max()) / max(abs(np.median(anim)), abs(np.median(cam)), 1e-9)
        cells = " ".join(f"{values[n][:, k].min():>6.3g}-{np.median(values[n][:, k]):<5.3g}-"
                         f"{values[n][:, k].max():<6.3g}" for n in CLIPS)
        print(f"{cue:<42} {cells} {margin:>+8.2f}")
    print("(min-median-max per clip; margin: gap between the classes in the expected direction, as a share "
          "of the larger median; positive = every animated frame beyond every camera frame)")


def costs(frames: list[np.ndarray], repeat: int) -> None:
    from vidrecap.evidence.picture_pass import PictureExpert

    stats = picture.PictureStatistics()
    steps = {
        "light (dark/night)": stats.light,
        "slide check": stats.slide_like,
        "colours": stats.colours,
        "ORB features": stats.features,
    }
    feats = [stats.features(f) for f in frames]
    for run in range(repeat):
        out = []
        for name, step in steps.items():
            t = time.perf_counter()
            for f in frames:
                step(f)
            out.append(f"{name} {1000 * (time.perf_counter() - t) / len(frames):.2f}")
        t = time.perf_counter()
        for a, b in zip(feats, feats[1:], strict=False):
            stats.motion(a, b, 16 / 9)
        out.append(f"match + RANSAC {1000 * (time.perf_counter() - t) / max(1, len(feats) - 1):.2f}")
        expert = PictureExpert(stats)
        t = time.perf_counter()
        for f in frames:
            expert.look(f)
        out.append(f"whole expert {1000 * (time.perf_counter() - t) / len(frames):.2f}")
        print(f"run {run + 1}, ms per 640×360 key frame: " + "; ".join(out))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="/tmp/vidrecap-bench-picture", help="where the clip video goes")
    ap.add_argument("--repeat", type=int, default=2, help="timing runs")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    frames = decoded_frames(work)
    costs([f for fs in frames.values() for f in fs], args.repeat)
    separation(frames)
    return 0


if __name__ == "__main__":
    sys.exit(main())
