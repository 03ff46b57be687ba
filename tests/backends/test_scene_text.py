"""Scene text: PP-OCRv6 (the default OCR) reads slides and signs on real footage; Tesseract stays available."""

from __future__ import annotations

import re

import pytest

from tests import media
from vidrecap import registry

pytest.importorskip("rapidocr")


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


@pytest.fixture(scope="module")
def reader():
    return registry.create("ocr", "embedded")


def test_default_ocr_is_pp_ocr(reader):
    assert reader.spec.startswith("rapidocr:pp-ocrv6")


def test_reads_a_slide(reader):
    out = reader.read(media.slide("Quarterly Results 2024", "Revenue grew by 12 percent"))
    truth = words("Quarterly Results 2024 Revenue grew by 12 percent")
    assert len(truth & words(out)) >= len(truth) - 1, out


def test_reads_signs_on_real_footage(reader):
    frames = list(media.iter_footage("bikes", 1))[::12] + list(media.iter_footage("vtest", 1))[::12]
    texts = ["Main Street", "Exit 12 North", "City Hall", "Bus Stop"]
    pairs = zip(frames, texts, strict=False)
    found = sum(len(words(t) & words(reader.read(media.sign(f, t, 60, 40, 22)))) for f, t in pairs)
    assert found >= 7, found  # of 8 words


def test_blank_footage_frame_reads_nothing_much(reader):
    frame = next(iter(media.iter_footage("bunny", 0.1)))
    assert len(words(reader.read(frame))) <= 2


def test_a_hand_holding_a_cup_is_not_text(reader):
    """opencv-doc's cup.mp4: the detector outlines the hand and cup as one frame-tall region and the
    recogniser read "一", "人", "HA" from it on 9 of 17 frames; such regions are not lines of text."""
    frames = list(media.iter_footage("cup", 8))[::12]
    reads = [reader.read(f) for f in frames]
    assert sum(bool(r) for r in reads) <= 1, reads
    slide_on_cup = media.sign(frames[0], "Kitchen Shelf", 60, 40, 30)
    assert words(reader.read(slide_on_cup)) >= {"kitchen", "shelf"}
