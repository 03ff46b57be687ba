"""The speakers stage: after recognition, label every word and utterance with who says it.

Cached whole and atomically under its own key (the speech options, ``diarizer`` and ``speakers``,
and the diarizer's local files when it names a directory): the pass costs a few percent of
recognition, so a killed run simply redoes it. A cached run loads no model.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from ..evidence.speakers import SpeakerPass
from ..results import Transcript, VideoInfo
from ..util.fs import atomic_write_text


def attribute_speakers(info: VideoInfo, opts, backends, cache: Path, transcript: Transcript,
                       progress) -> Transcript:
    """``transcript`` with speakers (unchanged with ``--diarizer none`` or without words)."""
    if opts.diarizer == "none" or not transcript.segments:
        return transcript
    path = cache / f"{opts.stage_key(info.fingerprint, 'speakers')}.json"
    if path.exists():
        return Transcript.from_dict(json.loads(path.read_text(encoding="utf-8")))
    speaker_pass = SpeakerPass(backends.get("diarizer"), progress.stage("speakers", info.duration))
    labelled = speaker_pass.run(info.path, transcript, opts.speakers, memo=getattr(backends, "voices", None))
    atomic_write_text(path, json.dumps(asdict(labelled)))
    return labelled
