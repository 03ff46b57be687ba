"""Run the whole recap for one video: probe → (visual ∥ speech) → cells → embeddings → levels → outputs.

The visual and speech passes run in two threads (their model calls release the GIL), so the
total stays close to the slower of the two. Each stage is cached under the video's fingerprint
and the options it depends on; long stages journal each finished unit and resume from there.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import replace
from pathlib import Path

import numpy as np

from .. import registry
from ..errors import InputError
from ..evidence.embeddings import cell_embeddings
from ..evidence.faces_pass import FaceExpert
from ..evidence.objects_pass import ObjectExpert
from ..evidence.picture_pass import PictureExpert
from ..evidence.screen_words import ScreenWords
from ..evidence.sounds_pass import SoundPass
from ..evidence.speech import SpeechPass
from ..evidence.visual import VisualPass
from ..hierarchy.build import caption_clips, plan_segments, provenance, recorded, write_segments, write_summary
from ..hierarchy.grid import build_cells
from ..media.probe import probe
from ..outputs.store import save_recap
from ..results import Caption, Cell, Recap, Transcript, VideoInfo
from ..text.language import spoken
from ..util.fs import atomic_write_bytes, atomic_write_json, cache_root
from ..util.journal import Journal
from ..util.progress import ProgressListener, StageProgress
from ..writing.checked import checked_writer
from .device import check_device
from .options import RunOptions
from .speakers_stage import attribute_speakers
from .timings import StageClock

YIELD_NICE = 5  # how far the visual and sound passes stand back from speech recognition


class Backends:
    """Creates each role's backend on first use, so cached stages load no model."""

    def __init__(self, options: RunOptions):
        self.options = options
        self._made: dict[str, object] = {}

    def get(self, role: str):
        if role not in self._made:
            spec = getattr(self.options, role)
            kwargs = {"device": self.options.device, **self.options.backend_options.get(role, {})}
            if role == "asr":
                kwargs.update(language=self.options.language, threads=self.options.asr_threads)
                if self.options.translate:
                    kwargs["translate"] = True
            self._made[role] = registry.create(role, spec, **kwargs)
        return self._made[role]


def check_output_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe_file = out_dir / f".write-test-{os.getpid()}"
        probe_file.write_bytes(b"")
        probe_file.unlink()
    except OSError as exc:
        raise InputError(f"{out_dir}: output directory is not writable ({exc.strerror or exc})") from exc


def run_recap(path: str | Path, out_dir: str | Path | None = None, *, quiet: bool = True,
              profile: str | None = None, config: str | Path | None = None,
              on_progress: ProgressListener | None = None, cache_key: str | None = None,
              backends: Backends | None = None, **options) -> Recap:
    """Recap ``path``; write the outputs to ``out_dir`` when given.

    Backends come from ``profile`` (``offline``, ``hf``, ``api``, ...) < the TOML ``config`` file <
    explicit options; see ``RunOptions`` for every option. ``on_progress(stage, done, total)`` is
    called as stages advance. ``cache_key`` replaces the content fingerprint as the stages' cache
    identity (``--follow`` keys a growing stream by its stream identity); ``backends`` lets
    successive runs share loaded models.
    """
    opts = RunOptions.resolve(profile, str(config) if config else None, **options)
    check_device(opts.device)
    for role in registry.PIPELINE_ROLES:  # a misspelt backend fails now, not after the evidence passes
        registry.check(role, getattr(opts, role))
    with StageClock() as clock:
        with clock.stage("probe"):
            info = probe(path)
        if out_dir is not None:
            check_output_dir(Path(out_dir))
        key = cache_key or info.fingerprint
        cache = cache_root() / key
        backends = backends if backends is not None and backends.options == opts else Backends(opts)
        with StageProgress(quiet, on_progress) as progress:
            try:
                keyed = replace(info, fingerprint=key)
                visuals, transcript, sounds = _evidence(keyed, opts, backends, cache, progress, clock)
                with clock.stage("speakers"):
                    transcript = attribute_speakers(keyed, opts, backends, cache, transcript, progress)
                frames_dir = cache / opts.stage_key(key, "visual") / "frames"
                cells = build_cells(info.n_cells, info.duration, visuals, transcript, sounds=sounds)
                loader = FrameLoader(frames_dir)
                with clock.stage("embeddings"):
                    embeddings, space = _embeddings(keyed, opts, backends, cache, cells, loader)
                with clock.stage("captions"):
                    clips = _captions(keyed, opts, backends, cache, cells, loader, progress)
                with clock.stage("segments"), spoken(transcript.language):  # titles in words of that language
                    segments, summary = _levels(keyed, opts, backends, cache, clips, cells, transcript, loader,
                                                progress, embeddings)
            except KeyboardInterrupt:
                progress.stop.set()
                raise
        recap = Recap(video=info, options={**opts.to_dict(), "visual_space": space}, clips=clips,
                      segments=segments, summary=summary, transcript=transcript, cells=cells,
                      embeddings=embeddings)
        if out_dir is not None:
            with clock.stage("write"):
                save_recap(recap, Path(out_dir), frames_from=frames_dir)
            recap.timings = clock.result()
            atomic_write_json(Path(out_dir) / "recap.json", recap.to_dict())  # again, with writing timed
        else:
            recap.timings = clock.result()
    return recap


def _evidence(info: VideoInfo, opts: RunOptions, backends: Backends, cache: Path, progress: StageProgress,
              clock: StageClock):
    vkey, skey = opts.stage_key(info.fingerprint, "visual"), opts.stage_key(info.fingerprint, "speech")
    jobs = {}
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="vidrecap") as pool:
        screen = None
        if info.has_video and opts.hotwords and opts.ocr != "none" and info.has_audio and opts.asr != "none":
            screen = ScreenWords(info.duration)
        if info.has_video:
            visual = VisualPass(None, None, cache / vkey / "journal.jsonl", cache / vkey / "frames",
                                frame_side=opts.frame_side, on_progress=progress.stage("visual", info.duration))
            warm = not (cache / f"{opts.stage_key(info.fingerprint, 'embeddings')}.npz").exists()
            if screen is not None:
                visual.on_cell = screen.add
            jobs["visual"] = pool.submit(clock.run, "visual", _behind_speech, _run_visual, visual, backends, info,
                                         warm, screen)
        if info.has_audio and opts.asr != "none":
            speech = SpeechPass(None, cache / skey / "journal.jsonl", progress.stage("speech", info.duration),
                                screen=screen)
            jobs["speech"] = pool.submit(clock.run, "speech", _run_speech, speech, backends, info)
        if info.has_audio and opts.sounds != "none":
            sounds_key = opts.stage_key(info.fingerprint, "sounds")
            heard = SoundPass(None, cache / sounds_key / "journal.jsonl", progress.stage("sounds", info.duration))
            jobs["sounds"] = pool.submit(clock.run, "sounds", _behind_speech, _run_sounds, heard, backends, info)
        try:
            done, _ = wait(jobs.values(), return_when=FIRST_EXCEPTION)
            for fut in done:
                fut.result()
        except BaseException:
            progress.stop.set()
            raise
    visuals = jobs["visual"].result() if "visual" in jobs else []
    transcript = jobs["speech"].result() if "speech" in jobs else Transcript()
    sounds = jobs["sounds"].result() if "sounds" in jobs else []
    return visuals, transcript, sounds


def _behind_speech(run, *args):
    """Run a pass at a lower CPU priority than speech recognition, the longest pass: on few cores
    the other passes then fill the time recognition leaves idle instead of slowing it down.
    Linux gives each thread its own nice value (threads it starts inherit it); elsewhere a no-op."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + YIELD_NICE)
    except (AttributeError, OSError):
        pass
    return run(*args)


def _run_visual(visual: VisualPass, backends: Backends, info: VideoInfo, warm_encoder: bool,
                screen: ScreenWords | None = None):
    try:
        return _visual_then_encoder(visual, backends, info, warm_encoder)
    finally:
        if screen is not None:  # done or failed: the speech pass must not wait for more text
            screen.close()


def _visual_then_encoder(visual: VisualPass, backends: Backends, info: VideoInfo, warm_encoder: bool):
    if not visual.journal_complete():
        visual.tagger = backends.get("tagger")
        visual.ocr = None if backends.options.ocr == "none" else backends.get("ocr")
        if backends.options.faces != "none":
            visual.experts.append(FaceExpert(backends.get("faces")))
        if backends.options.picture != "none":
            visual.experts.append(PictureExpert(backends.get("picture")))
        if backends.options.objects != "none":
            visual.experts.append(ObjectExpert(backends.get("objects")))
    visuals = visual.run(info.path, info.duration)
    if warm_encoder:  # load it while speech recognition is still running
        backends.get("encoder")
    return visuals


def _run_speech(speech: SpeechPass, backends: Backends, info: VideoInfo):
    if not speech.journal_complete():
        speech.asr = backends.get("asr")
    return speech.run(info.path, info.duration)


def _run_sounds(heard: SoundPass, backends: Backends, info: VideoInfo):
    if not heard.journal_complete():
        heard.classifier = backends.get("sounds")
    return heard.run(info.path, info.duration)


class FrameLoader:
    """Loads cells' key frames (JPEG) from the stage cache as RGB arrays."""

    def __init__(self, frames_dir: Path):
        self.frames_dir = frames_dir

    def __call__(self, cells: Sequence[Cell]) -> list[np.ndarray | None]:
        from PIL import Image

        out = []
        for c in cells:
            path = self.frames_dir / Path(c.frame).name if c.frame else None
            if path is not None and path.exists():
                with Image.open(path) as im:
                    out.append(np.asarray(im.convert("RGB")))
            else:
                out.append(None)
        return out


def _embeddings(info, opts, backends, cache, cells, loader) -> tuple[dict[str, np.ndarray], str]:
    path = cache / f"{opts.stage_key(info.fingerprint, 'embeddings')}.npz"
    if path.exists():
        with np.load(path) as data:
            arrays = {k: data[k] for k in data.files if k != "visual_space"}
            return arrays, str(data["visual_space"])
    encoder = backends.get("encoder")
    with _all_cores():  # the evidence passes are over: the encoder may use every core
        arrays, space = cell_embeddings(encoder, cells, loader)
    _save_npz(path, {**arrays, "visual_space": np.array(space)})
    return arrays, space


class _all_cores:
    """Let torch use every core inside the block (models are loaded with one thread each)."""

    def __enter__(self):
        import torch

        self._before = torch.get_num_threads()
        torch.set_num_threads(os.cpu_count() or 1)

    def __exit__(self, *exc):
        import torch

        torch.set_num_threads(self._before)


def _save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    import io

    buf = io.BytesIO()
    np.savez(buf, **arrays)
    atomic_write_bytes(path, buf.getvalue())


def _captions(info, opts, backends, cache, cells, loader, progress) -> list[Caption]:
    journal = Journal(cache / f"{opts.stage_key(info.fingerprint, 'captions')}.jsonl")
    done = [t for e in journal.read() for t in e["texts"]]
    n_clips = (len(cells) + 1) // 2
    update = progress.stage("captions", n_clips)
    update(len(done))
    captioner = backends.get("captioner") if len(done) < n_clips else _NoCaptioner()
    count = [len(done)]

    def on_batch(texts: list[str]) -> None:
        journal.append({"texts": texts})
        count[0] += len(texts)
        update(count[0])

    with journal:
        return caption_clips(cells, captioner, loader, done=done, on_batch=on_batch)


class _NoCaptioner:
    uses_frames = False

    def caption(self, clips):  # pragma: no cover - never called when all captions are cached
        raise AssertionError("all captions are cached")


def _levels(info, opts, backends, cache, clips, cells, transcript, loader, progress, embeddings):
    journal = Journal(cache / f"{opts.stage_key(info.fingerprint, 'segments')}.jsonl")
    entries = journal.read()
    done = [e for e in entries if e.get("level") == "segment"]
    summary_entry = next((e for e in entries if e.get("level") == "summary"), None)
    writer = checked_writer(backends.get("writer")) if summary_entry is None else None
    encoder = backends.get("encoder") if summary_entry is None else None  # key phrases for titles
    stale = getattr(backends, "stale_summary", None)  # --follow between summary refreshes: kept
    if summary_entry is None and stale is not None:
        summary_entry = {"text": stale.text, "title": stale.title, **provenance(stale)}
    frames = loader if getattr(writer, "uses_frames", False) else None
    plans = plan_segments(clips, cells, transcript, opts.segment_seconds, frames,
                          mode=opts.segmentation, embeddings=embeddings, encoder=encoder)
    update = progress.stage("segments", len(plans) + 1)
    count = [len(done)]
    update(count[0])

    def on_write(entry: dict) -> None:
        journal.append({"level": "segment", **entry})
        count[0] += 1
        update(count[0])

    with journal:
        segments = write_segments(plans, writer, done=done, on_write=on_write)
        if summary_entry is None:
            summary = write_summary(segments, cells, writer, loader, transcript, encoder)
            journal.append({"level": "summary", "text": summary.text, "title": summary.title,
                            **provenance(summary)})
        else:
            summary = Caption("summary", 0, segments[0].start, segments[-1].end, summary_entry["text"],
                              title=summary_entry["title"], children=list(range(len(segments))),
                              **recorded(summary_entry))
    update(len(plans) + 1)
    return segments, summary
