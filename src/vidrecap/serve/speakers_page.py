"""The page's speakers panel: one coloured turn bar under the video and a form to name S1, S2, ...

Turn colours are ``spk-1`` .. ``spk-8`` (style.css), by label number; names come from
``speakers.json`` beside the recap and are saved by ``POST /api/recaps/{rid}/speakers``
(``static/speakers.js``), which also rewrites the captions files.
"""

from __future__ import annotations

from html import escape

from ..results import Recap

MAX_TURNS = 2000  # bar items drawn at most (longer runs of turns are merged)


def colour_class(label: str) -> str:
    return f"spk-{(int(label[1:]) - 1) % 8 + 1}" if label[1:].isdigit() else ""


def turns_of(recap: Recap, min_gap: float = 1.0) -> list[tuple[str, float, float]]:
    """Runs of one speaker's utterances (a gap under ``min_gap`` s joins them)."""
    turns: list[list] = []
    for s in recap.transcript.segments:
        if not s.speaker:
            continue
        if turns and turns[-1][0] == s.speaker and s.start - turns[-1][2] < min_gap:
            turns[-1][2] = max(turns[-1][2], s.end)
        else:
            turns.append([s.speaker, s.start, s.end])
    if len(turns) > MAX_TURNS:
        return turns_of(recap, min_gap * 2)
    return [tuple(t) for t in turns]


def speakers_panel(rid: str, recap: Recap, names: dict[str, str]) -> str:
    """HTML for the turn bar and the rename form; ``""`` for a recap with fewer than two speakers."""
    turns = turns_of(recap)
    if not recap.transcript.turns_shown:
        return ""
    labels = sorted({t[0] for t in turns}, key=lambda s: int(s[1:]))
    duration = max(recap.video.duration, turns[-1][2], 1e-3)
    bar = "".join(
        f'<button type="button" class="turn {colour_class(who)}" data-start="{s:.3f}" '
        f'style="left:{100 * s / duration:.3f}%;width:{max(0.15, 100 * (e - s) / duration):.3f}%" '
        f'title="{escape(names.get(who, who))} {s:.0f}s"></button>'
        for who, s, e in turns)
    fields = "".join(
        f'<li><span class="swatch {colour_class(label)}" aria-hidden="true"></span>'
        f'<label for="spk-{escape(label)}">{escape(label)}</label> '
        f'<input id="spk-{escape(label)}" name="{escape(label)}" type="text" maxlength="60" '
        f'value="{escape(names.get(label, ""))}" placeholder="name"></li>'
        for label in labels)
    return (f'<section aria-labelledby="spk-h" class="speakers"><h2 id="spk-h">Speakers '
            f'<span class="muted">({len(labels)})</span></h2>'
            f'<div id="turns" class="turns" aria-label="Who speaks when">{bar}</div>'
            f'<form id="speakers-form" data-recap-id="{escape(rid)}"><ul class="speaker-names">{fields}</ul>'
            f'<button type="submit">Save names</button> <span id="speakers-status" class="muted" '
            f'aria-live="polite"></span></form></section>')
