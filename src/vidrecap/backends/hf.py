"""Hugging Face transformers backends.

``TARGET`` in ``hf:TARGET`` is a local model directory or a Hub model id. A model id is looked up in
the local HF cache and, when missing there, downloaded into it, unless ``HF_HUB_OFFLINE=1``
(``--offline``), where only the cache is used. Local directories never touch the network.

- encoder ``hf``: CLIP / SigLIP-style dual encoders (text and image embeddings in one space), or a
  sentence-transformers directory (text only).
- captioner ``hf``: image-to-text models (BLIP, GIT, VisionEncoderDecoder: the clip's middle frame)
  and chat VLMs (SmolVLM, Qwen-VL, LLaVA: several frames plus the clip's speech and on-screen text).
- writer ``hf``: chat LMs (``AutoModelForCausalLM`` + chat template), map-reduce over the context.

Options: ``device`` (``cpu``; ``cuda`` when torch sees a GPU; default: the GPU if there is one),
``batch_size``, ``threads``; captioner ``frames``, ``max_new_tokens``, ``prompt``; writer
``max_new_tokens``, ``context``.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BackendError
from ..registry import register
from ..writing.prompting import (
    Budget,
    Message,
    caption_prompt,
    caption_without_frames,
    clean_caption,
    spread,
    write_in_chunks,
)
from . import voices  # noqa: F401  (registers the hf diarizer)
from .base import ClipEvidence, WriteRequest, Written

log = logging.getLogger(__name__)
NEEDS = "transformers; a local model directory, or a model id (cached, or downloaded when online)"
DEFAULT_CONTEXT = 2048


def _available() -> bool:
    return importlib.util.find_spec("transformers") is not None


# --- loading ------------------------------------------------------------------------------


def model_source(target: str | None, role: str) -> str:
    """The local directory (if ``target`` is one) or the model id to look up in the HF cache."""
    if not target:
        raise BackendError(f"the hf {role} needs a model: --{role} hf:DIRECTORY_OR_MODEL_ID")
    path = Path(target).expanduser()
    return str(path) if path.exists() else target


def hub_offline() -> bool:
    """Whether downloads are off: ``HF_HUB_OFFLINE`` (or ``TRANSFORMERS_OFFLINE``) is set true."""
    flags = (os.environ.get(name, "").strip().lower() for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))
    return any(flag in ("1", "true", "yes", "on") for flag in flags)


def hub_reachable(timeout: float = 3.0) -> bool:
    """Whether the Hub's host accepts a connection (or a proxy is configured): a quick check, so an
    offline machine fails at once instead of after huggingface_hub's retries."""
    if any(os.environ.get(name) for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True
    from huggingface_hub import constants

    url = urllib.parse.urlsplit(constants.ENDPOINT)
    try:
        socket.create_connection((url.hostname or "", url.port or 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def cache_only(source: str) -> bool:
    """``local_files_only`` for ``source``: a local directory, a model id already cached, downloads
    turned off (``HF_HUB_OFFLINE``), or a Hub that cannot be reached."""
    if Path(source).is_dir() or hub_offline():
        return True
    return has_file(source, "config.json") or not hub_reachable()


def pick_device(device: str | None) -> str:
    """``device`` checked against what torch sees; default: ``cuda`` when there is a GPU, else ``cpu``."""
    import torch

    if device in (None, "", "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise BackendError(f"device {device!r} requested but torch sees no GPU (use device=cpu)")
    return str(device)


def set_threads(threads: int | None) -> None:
    if threads:
        import torch

        torch.set_num_threads(int(threads))


def load(loader: Any, source: str, what: str, **kwargs: Any) -> Any:
    """``loader.from_pretrained(source)`` (downloading a model id only when online), with a one-line
    ``BackendError`` on failure."""
    import transformers

    transformers.utils.logging.disable_progress_bar()
    offline = cache_only(source)
    try:
        return loader.from_pretrained(source, local_files_only=offline, **kwargs)
    except Exception as exc:  # transformers raises OSError, ValueError, KeyError, ... for bad models
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        hint = ("give a model directory, or a model id already in the HF cache: downloads are off "
                "(HF_HUB_OFFLINE=1) or the Hub cannot be reached" if offline and not Path(source).is_dir()
                else "give a model directory, or a Hub model id")
        raise BackendError(f"cannot load {what} from {source!r}: {reason} ({hint})") from exc


def has_file(source: str, name: str) -> bool:
    """Whether the model directory (or cached model id) ``source`` contains ``name``."""
    if Path(source).is_dir():
        return (Path(source) / name).is_file()
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(source, name), str)
    except Exception:
        return False


@dataclass
class SplitProcessor:
    """An image processor and a tokenizer saved side by side (e.g. VisionEncoderDecoder models)."""

    image_processor: Any
    tokenizer: Any
    chat_template: str | None = None

    def __call__(self, images: Any = None, text: Any = None, **kwargs: Any) -> Any:
        tensors = kwargs.get("return_tensors", "pt")
        inputs = self.image_processor(images=images, return_tensors=tensors)
        if text is not None:
            inputs.update(self.tokenizer(text, padding=True, return_tensors=tensors))
        return inputs


def load_processor(source: str, what: str) -> Any:
    """A multimodal processor (``image_processor`` + ``tokenizer``), joined from parts if needed."""
    from transformers import AutoImageProcessor, AutoProcessor, AutoTokenizer

    try:
        processor = AutoProcessor.from_pretrained(source, local_files_only=cache_only(source))
    except Exception:
        processor = None
    if getattr(processor, "image_processor", None) is not None and getattr(processor, "tokenizer", None):
        return processor
    return SplitProcessor(load(AutoImageProcessor, source, f"{what} image processor"),
                          load(AutoTokenizer, source, f"{what} tokenizer"))


def to_pil(image: np.ndarray) -> Any:
    from PIL import Image

    return Image.fromarray(np.ascontiguousarray(image, dtype=np.uint8)).convert("RGB")


def unit_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return (x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def batches(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    size = max(1, int(size))
    return [items[i:i + size] for i in range(0, len(items), size)]


# --- encoder ------------------------------------------------------------------------------


def _features(output: Any) -> Any:
    """Embeddings from ``get_*_features`` (a tensor in transformers 4, an output object in 5)."""
    import torch

    if isinstance(output, torch.Tensor):
        return output
    for name in ("text_embeds", "image_embeds", "pooler_output"):
        value = getattr(output, name, None)
        if value is not None:
            return value
    raise BackendError(f"the model's feature output has no embeddings ({type(output).__name__})")


class DualEncoder:
    """CLIP / SigLIP-style model: text and image embeddings in one space (true visual similarity)."""

    def __init__(self, source: str, spec: str, device: str, batch_size: int):
        from transformers import AutoModel

        self.model = load(AutoModel, source, "dual encoder").to(device).eval()
        if not (hasattr(self.model, "get_text_features") and hasattr(self.model, "get_image_features")):
            raise BackendError(f"{source!r} is not a CLIP/SigLIP-style dual encoder "
                               "(no get_text_features/get_image_features); for a text-only model "
                               "use a sentence-transformers directory")
        processor = load_processor(source, "dual encoder")
        self.tokenizer, self.image_processor = processor.tokenizer, processor.image_processor
        text_config = getattr(self.model.config, "text_config", self.model.config)
        self.max_length = int(getattr(text_config, "max_position_embeddings", 77) or 77)
        self.padding: bool | str = "max_length" if "siglip" in self.model.config.model_type else True
        self.device, self.batch_size, self.spec = device, batch_size, spec
        self.dim = int(self.embed_text(["a video"]).shape[1])

    def embed_text(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        rows = []
        for batch in batches(list(texts), self.batch_size):
            inputs = self.tokenizer(list(batch), padding=self.padding, truncation=True,
                                    max_length=self.max_length, return_tensors="pt").to(self.device)
            with torch.inference_mode():
                rows.append(_features(self.model.get_text_features(**inputs)).float().cpu().numpy())
        return unit_rows(np.concatenate(rows)) if rows else np.zeros((0, self.dim), np.float32)

    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        import torch

        rows = []
        for batch in batches(list(images), self.batch_size):
            pixels = self.image_processor(images=[to_pil(im) for im in batch], return_tensors="pt")
            pixel_values = pixels["pixel_values"].to(self.device, dtype=self.model.dtype)
            with torch.inference_mode():
                rows.append(_features(self.model.get_image_features(pixel_values=pixel_values))
                            .float().cpu().numpy())
        return unit_rows(np.concatenate(rows)) if rows else np.zeros((0, self.dim), np.float32)


class SentenceEncoder:
    """A sentence-transformers directory: text embeddings only (``embed_images`` is ``None``)."""

    def __init__(self, source: str, spec: str, device: str, batch_size: int):
        self.model = _load_sentence_transformer(source, device)
        dim_of = getattr(self.model, "get_embedding_dimension", None) or \
            self.model.get_sentence_embedding_dimension
        self.dim, self.batch_size, self.spec = int(dim_of()), batch_size, spec

    def embed_text(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        rows = self.model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)
        return unit_rows(rows)

    def embed_images(self, images: Sequence[np.ndarray]) -> None:
        return None


def _load_sentence_transformer(source: str, device: str) -> Any:
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(source, device=device, local_files_only=cache_only(source))
    except Exception as exc:
        raise BackendError(f"cannot load sentence encoder from {source!r}: {exc}") from exc


@register("encoder", "hf", summary="CLIP/SigLIP dual encoder (text + images) or sentence-transformers",
          needs=NEEDS, available=_available)
def hf_encoder(target: str | None = None, device: str | None = None, batch_size: int = 16,
               threads: int | None = None, **_: Any) -> DualEncoder | SentenceEncoder:
    """A dual encoder, or a text-only sentence encoder when ``target`` has ``modules.json``."""
    source = model_source(target, "encoder")
    set_threads(threads)
    kind = SentenceEncoder if has_file(source, "modules.json") else DualEncoder
    return kind(source, f"hf:{target}", pick_device(device), batch_size)


# --- captioner ----------------------------------------------------------------------------


def _vision_to_text_model(source: str, trust_remote_code: bool) -> Any:
    import transformers

    names = ("AutoModelForImageTextToText", "AutoModelForVision2Seq")  # the latter: transformers 4
    loaders = [getattr(transformers, name) for name in names if hasattr(transformers, name)]
    error: BackendError | None = None
    for loader in loaders:
        try:
            return load(loader, source, "image-to-text model", trust_remote_code=trust_remote_code)
        except BackendError as exc:
            error = error or exc
    raise error or BackendError("this transformers version has no image-to-text auto model")


def _strip_prompt(sequences: Any, input_ids: Any) -> Any:
    """Generated tokens only: decoder-only models echo the prompt in front of them."""
    if input_ids is None or sequences.shape[1] < input_ids.shape[1]:
        return sequences
    n = input_ids.shape[1]
    return sequences[:, n:] if bool((sequences[:, :n] == input_ids.to(sequences.device)).all()) else sequences


@register("captioner", "hf", summary="image-to-text model or chat VLM (several frames + speech/text context)",
          needs=NEEDS, available=_available)
class HFCaptioner:
    """Captions clips with BLIP/GIT/VisionEncoderDecoder (middle frame) or a chat VLM (several frames)."""

    def __init__(self, target: str | None = None, device: str | None = None, batch_size: int = 4,
                 frames: int = 4, max_new_tokens: int = 40, prompt: str | None = None,
                 trust_remote_code: bool = False, threads: int | None = None, **_: Any):
        source = model_source(target, "captioner")
        set_threads(threads)
        self.device = pick_device(device)
        self.model = _vision_to_text_model(source, trust_remote_code).to(self.device).eval()
        self.processor = load_processor(source, "captioner")
        self.tokenizer = self.processor.tokenizer
        self.chat = bool(getattr(self.processor, "chat_template", None))
        if self.chat:
            self.tokenizer.padding_side = "left"  # decoder-only generation continues on the right
        self.max_frames = max(1, int(frames)) if self.chat else 1
        self.batch_size, self.max_new_tokens, self.prompt = batch_size, max_new_tokens, prompt
        mode = f"chat{self.max_frames}" if self.chat else "single"
        self.spec = f"hf:{target}:{mode}:tokens{max_new_tokens}" + (f":prompt={prompt}" if prompt else "")

    def caption(self, clips: Sequence[ClipEvidence]) -> list[str]:
        captions = [caption_without_frames(clip) if not clip.frames else "" for clip in clips]
        with_frames = [i for i, clip in enumerate(clips) if clip.frames]
        for batch in batches(with_frames, self.batch_size):
            for i, text in zip(batch, self._caption_batch([clips[i] for i in batch]), strict=True):
                captions[i] = text
        return captions

    def _caption_batch(self, clips: list[ClipEvidence]) -> list[str]:
        if not self.chat:
            return self._generate(self._single_frame_inputs(clips))
        try:
            return self._generate(self._chat_inputs(clips))
        except Exception as exc:
            if self.max_frames == 1:
                raise
            log.warning("hf captioner: %s rejected %d frames per prompt (%s); using the middle frame",
                        self.spec, self.max_frames, exc)
            self.max_frames = 1
            return self._generate(self._chat_inputs(clips))

    def _single_frame_inputs(self, clips: list[ClipEvidence]) -> Any:
        images = [to_pil(spread(clip.frames, 1)[0]) for clip in clips]
        if self.prompt:
            return self.processor(images=images, text=[self.prompt] * len(images), return_tensors="pt",
                                  padding=True)
        return self.processor(images=images, return_tensors="pt")

    def _chat_inputs(self, clips: list[ClipEvidence]) -> Any:
        prompts, images = [], []
        for clip in clips:
            frames = spread(clip.frames, self.max_frames)
            text = self.prompt or caption_prompt(clip, len(frames))
            content = [{"type": "image"} for _ in frames] + [{"type": "text", "text": text}]
            prompts.append(self.processor.apply_chat_template([{"role": "user", "content": content}],
                                                              add_generation_prompt=True))
            images.append([to_pil(f) for f in frames])
        return self.processor(images=images, text=prompts, return_tensors="pt", padding=True)

    def _generate(self, inputs: Any) -> list[str]:
        import torch

        inputs = inputs.to(self.device)
        if "pixel_values" in inputs:
            inputs["pixel_values"] = inputs["pixel_values"].to(self.model.dtype)
        with torch.inference_mode():
            out = self.model.generate(**inputs, max_new_tokens=self.max_new_tokens, do_sample=False,
                                      num_beams=1)
        new = _strip_prompt(out, inputs.get("input_ids"))
        return [clean_caption(t) for t in self.tokenizer.batch_decode(new, skip_special_tokens=True)]


# --- writer -------------------------------------------------------------------------------


def model_context(config: Any, tokenizer: Any) -> int:
    """The longest sequence the model takes: its positions, capped by the tokenizer's limit."""
    text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
    sizes = [getattr(text_config, name, None) for name in ("max_position_embeddings", "n_positions",
                                                           "max_sequence_length", "seq_length")]
    limit = getattr(tokenizer, "model_max_length", None)
    sizes.append(limit if isinstance(limit, int) and limit < 1_000_000 else None)
    known = [int(s) for s in sizes if isinstance(s, int) and s > 0]
    return min(known) if known else DEFAULT_CONTEXT


@register("writer", "hf", summary="chat LM (causal LM + chat template), map-reduce over its context",
          needs=NEEDS, available=_available)
class HFWriter:
    """Segment descriptions and the summary from a local chat LM, greedy decoding."""

    def __init__(self, target: str | None = None, device: str | None = None, max_new_tokens: int = 160,
                 context: int | None = None, threads: int | None = None, **_: Any):
        from transformers import AutoModelForCausalLM, AutoTokenizer

        source = model_source(target, "writer")
        set_threads(threads)
        self.device = pick_device(device)
        self.tokenizer = load(AutoTokenizer, source, "writer tokenizer")
        self.model = load(AutoModelForCausalLM, source, "writer model").to(self.device).eval()
        self.max_new_tokens = int(max_new_tokens)
        self.context = int(context or model_context(self.model.config, self.tokenizer))
        if self.context <= self.max_new_tokens + 64:
            raise BackendError(f"writer context {self.context} is too small for max_new_tokens "
                               f"{self.max_new_tokens}")
        self.budget = Budget(self.context - self.max_new_tokens, count=self.count_tokens,
                             count_prompt=lambda messages: self.count_tokens(self.render(messages)))
        self.spec = f"hf:{target}:tokens{self.max_new_tokens}:ctx{self.context}"

    def write(self, request: WriteRequest) -> Written:
        return write_in_chunks(request, self.generate, self.budget)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def render(self, messages: list[Message]) -> str:
        """The prompt text: the model's chat template, else plain paragraphs."""
        if not getattr(self.tokenizer, "chat_template", None):
            return "\n\n".join(str(m["content"]) for m in messages) + "\n\n"
        try:
            return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        except Exception:  # some templates reject a system turn: fold it into the user turn
            merged = [{"role": "user", "content": "\n\n".join(str(m["content"]) for m in messages)}]
            return self.tokenizer.apply_chat_template(merged, add_generation_prompt=True, tokenize=False)

    def generate(self, messages: list[Message]) -> str:
        import torch

        inputs = self.tokenizer(self.render(messages), add_special_tokens=False, return_tensors="pt")
        n = inputs["input_ids"].shape[1]
        if n + self.max_new_tokens > self.context:  # planning keeps prompts in budget; never truncate
            raise BackendError(f"writer prompt of {n} tokens does not fit the context of {self.context}")
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None \
            else self.tokenizer.eos_token_id
        with torch.inference_mode():
            out = self.model.generate(**inputs.to(self.device), max_new_tokens=self.max_new_tokens,
                                      do_sample=False, num_beams=1, pad_token_id=pad)
        return self.tokenizer.decode(out[0, n:], skip_special_tokens=True).strip()
