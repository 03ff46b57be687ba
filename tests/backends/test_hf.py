"""The hf backends load and run real (tiny, random-weight) transformers models from a directory."""

from __future__ import annotations

import numpy as np
import pytest

from vidrecap import registry
from vidrecap.backends.base import Captioner, ClipEvidence, Encoder, TimedText, Writer, WriteRequest
from vidrecap.errors import BackendError
from vidrecap.writing.prompting import caption_prompt

from .tiny import CAPTION_WORD, VLM_WORD, WRITER_WORD, frames


def clip(index: int, n_frames: int = 3, speech: str = "", on_screen: str = "") -> ClipEvidence:
    return ClipEvidence(index, 4.0 * index, 4.0 * index + 4, frames(n_frames, seed=index), speech, on_screen)


def test_dual_encoder_embeds_text_and_images_in_one_space(tiny_models):
    enc = registry.create("encoder", f"hf:{tiny_models.clip}", batch_size=2)
    assert isinstance(enc, Encoder) and enc.dim == 16 and enc.spec == f"hf:{tiny_models.clip}"
    text = enc.embed_text(["a dog runs", "a cat sleeps", "the beach"])
    images = enc.embed_images(frames(3))
    for rows in (text, images):
        assert rows.shape == (3, 16) and rows.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, rtol=1e-5)
    assert not np.allclose(images[0], images[1])  # real image features, not a constant
    assert enc.embed_text([]).shape == (0, 16)
    # the same image gives the same embedding: search compares true visual similarity
    again = enc.embed_images([frames(3)[1]])
    np.testing.assert_allclose(again[0], images[1], atol=1e-5)


def test_sentence_transformers_directory_is_text_only(tiny_models):
    enc = registry.create("encoder", f"hf:{tiny_models.sentence}")
    rows = enc.embed_text(["a dog runs", "a cat sleeps"])
    assert rows.shape == (2, enc.dim) and enc.dim == 32
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, rtol=1e-5)
    assert enc.embed_images(frames(1)) is None


def test_image_to_text_captioner_uses_the_middle_frame(tiny_models):
    cap = registry.create("captioner", f"hf:{tiny_models.captioner}", max_new_tokens=3, batch_size=2)
    assert isinstance(cap, Captioner) and not cap.chat and cap.max_frames == 1
    clips = [clip(0), clip(1, n_frames=1), ClipEvidence(2, 8.0, 12.0, speech="hello there"), clip(3)]
    captions = cap.caption(clips)
    assert captions[:2] == [f"{CAPTION_WORD} {CAPTION_WORD} {CAPTION_WORD}"] * 2
    assert "hello there" in captions[2]  # no frames: described from the evidence
    assert captions[3].startswith(CAPTION_WORD)


def test_chat_vlm_sees_several_frames_and_the_clip_context(tiny_models, monkeypatch):
    cap = registry.create("captioner", f"hf:{tiny_models.vlm}", frames=3, max_new_tokens=2)
    assert cap.chat and cap.max_frames == 3
    seen = []
    real = cap.processor.__call__

    def spy(*args, **kwargs):
        seen.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(type(cap.processor), "__call__", lambda self, *a, **k: spy(*a, **k))
    clips = [clip(0, n_frames=5, speech="the dog runs", on_screen="SALE"), clip(1, n_frames=2)]
    captions = cap.caption(clips)
    assert captions == [f"{VLM_WORD} {VLM_WORD}"] * 2
    images, prompts = seen[0]["images"], seen[0]["text"]
    assert [len(group) for group in images] == [3, 2]  # several frames per clip, one prompt each
    assert prompts[0].count("<image>") == 3
    assert '"the dog runs"' in prompts[0] and '"SALE"' in prompts[0]


def test_caption_prompt_quotes_speech_and_on_screen_text():
    prompt = caption_prompt(clip(0, speech="hello  there", on_screen="Chapter 1\nIntro"), 3)
    assert "3 frames" in prompt and '"hello there"' in prompt and '"Chapter 1 Intro"' in prompt


def request(n_children: int, words: int = 6) -> WriteRequest:
    children = [TimedText(4.0 * i, 4.0 * i + 4, " ".join([f"child{i}"] + ["the dog runs"] * (words // 3)))
                for i in range(n_children)]
    speech = [TimedText(4.0 * i + 1, 4.0 * i + 2, f"speech{i} a person talks")
              for i in range(0, n_children, 3)]
    return WriteRequest("segment", 0.0, 4.0 * n_children, children, speech=speech)


def test_writer_writes_title_and_text_in_one_call_when_it_fits(tiny_models):
    writer = registry.create("writer", f"hf:{tiny_models.writer}", max_new_tokens=6)
    assert isinstance(writer, Writer) and writer.context == 1024
    calls = []
    real = writer.generate
    writer.generate = lambda messages: calls.append(messages) or real(messages)
    out = writer.write(request(2))
    assert len(calls) == 1
    assert out.text == " ".join([WRITER_WORD] * 6) and out.title.startswith(WRITER_WORD)
    assert "child0" in str(calls[0]) and "speech0" in str(calls[0])


def test_writer_map_reduces_when_the_notes_exceed_the_context(tiny_models):
    writer = registry.create("writer", f"hf:{tiny_models.writer}", max_new_tokens=8, context=256)
    prompts = []
    real = writer.generate

    def spy(messages):
        prompts.append(writer.render(messages))
        return real(messages)

    writer.generate = spy
    req = request(30)
    out = writer.write(req)
    assert len(prompts) > 2  # several partial summaries, then the combination
    assert all(writer.count_tokens(p) + writer.max_new_tokens <= writer.context for p in prompts)
    everything = "\n".join(prompts)
    for i in range(30):  # nothing dropped: every caption and speech line reached the model
        assert f"child{i} " in everything
    for i in range(0, 30, 3):
        assert f"speech{i} " in everything
    assert "Summaries of consecutive parts" in prompts[-1]
    assert out.text.startswith(WRITER_WORD)


def test_writer_splits_a_single_line_longer_than_the_context(tiny_models):
    writer = registry.create("writer", f"hf:{tiny_models.writer}", max_new_tokens=8, context=256)
    long = WriteRequest("summary", 0, 60, [TimedText(0, 60, " ".join(f"w{i}" for i in range(400)))])
    assert writer.write(long).text.startswith(WRITER_WORD)


def test_missing_model_is_a_clear_backend_error(tmp_path):
    with pytest.raises(BackendError, match="cannot load"):
        registry.create("writer", f"hf:{tmp_path / 'nowhere'}")
    with pytest.raises(BackendError, match="cannot load"):
        registry.create("captioner", "hf:no-such-org/no-such-model")
    with pytest.raises(BackendError, match="needs a model"):
        registry.create("encoder", "hf")


def test_cuda_without_gpu_is_refused(tiny_models):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(BackendError, match="no GPU"):
        registry.create("encoder", f"hf:{tiny_models.clip}", device="cuda")


def test_chat_vlm_falls_back_to_the_middle_frame_when_several_images_fail(tiny_models, monkeypatch):
    cap = registry.create("captioner", f"hf:{tiny_models.vlm}", frames=3, max_new_tokens=1)
    real = cap._chat_inputs

    def one_image_only(clips):
        if cap.max_frames > 1:
            raise ValueError("this model takes one image per prompt")
        return real(clips)

    monkeypatch.setattr(cap, "_chat_inputs", one_image_only)
    assert cap.caption([clip(0, n_frames=4)]) == [VLM_WORD]
    assert cap.max_frames == 1
