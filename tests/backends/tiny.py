"""Tiny random-weight models for the backend tests (no model hub is reachable).

Every generative model gets a zeroed output head, so greedy decoding always picks token id 0; each
model's tokenizer puts a different marker word at id 0, so a test can tell which model wrote a text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

SENTENCES = [
    "a person talks on the beach",
    "the dog runs after a red ball",
    "a cat sleeps on the sofa in the video",
    "title summary scene clip description",
]
SPECIALS = ["[PAD]", "[UNK]", "[BOS]", "[EOS]", "<image>"]
CAPTION_WORD, VLM_WORD, WRITER_WORD = "lighthouse", "submarine", "zeppelin"
SMALL = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4)

# role: text turns and images; enough for a chat model to follow the conversation
CHAT_TEMPLATE = (
    "{% for m in messages %}{{ m['role'] + ': ' }}"
    "{% if m['content'] is string %}{{ m['content'] }}"
    "{% else %}{% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}{{ '<image> ' }}{% else %}{{ c['text'] }}{% endif %}"
    "{% endfor %}{% endif %}{{ '\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ 'assistant: ' }}{% endif %}"
)


@dataclass(frozen=True)
class TinyModels:
    clip: Path  # CLIPModel + CLIPProcessor
    sentence: Path  # sentence-transformers (BERT + mean pooling)
    captioner: Path  # VisionEncoderDecoder (ViT + GPT-2), image processor and tokenizer side by side
    vlm: Path  # LLaVA (CLIP vision + Llama) with a chat template
    writer: Path  # Llama causal LM with a chat template, 1024-token context


def make_tokenizer(first_word: str, chat_template: str | None = None):
    """A word-level tokenizer over ``SENTENCES`` with ``first_word`` as id 0."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    words = sorted({w for s in SENTENCES for w in s.split()} - {first_word})
    vocab = {w: i for i, w in enumerate([first_word, *words, *SPECIALS])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.decoder = decoders.WordPiece()
    tok.post_processor = processors.TemplateProcessing(
        single="[BOS] $A [EOS]", pair="[BOS] $A [EOS] $B [EOS]",
        special_tokens=[("[BOS]", vocab["[BOS]"]), ("[EOS]", vocab["[EOS]"])])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]",
                                   bos_token="[BOS]", eos_token="[EOS]",
                                   extra_special_tokens={"image_token": "<image>"})
    if chat_template:
        fast.chat_template = chat_template
    return fast


def _ids(tok) -> dict:
    return dict(pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id)


def _zero_head(head) -> None:
    import torch

    with torch.no_grad():
        head.weight.zero_()


def build_clip(out: Path) -> Path:
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    tok = make_tokenizer("video")
    text = dict(SMALL, vocab_size=len(tok), max_position_embeddings=64, **_ids(tok))
    vision = dict(SMALL, image_size=32, patch_size=8)
    CLIPModel(CLIPConfig(text_config=text, vision_config=vision, projection_dim=16)).save_pretrained(out)
    images = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    CLIPProcessor(image_processor=images, tokenizer=tok).save_pretrained(out)
    return out


def build_sentence_encoder(out: Path, scratch: Path) -> Path:
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel

    tok = make_tokenizer("video")
    BertModel(BertConfig(vocab_size=len(tok), max_position_embeddings=64, **SMALL,
                         pad_token_id=tok.pad_token_id)).save_pretrained(scratch)
    tok.save_pretrained(scratch)
    SentenceTransformer(str(scratch), device="cpu").save(str(out))  # adds mean pooling + modules.json
    return out


def build_captioner(out: Path) -> Path:
    from transformers import (
        GPT2Config,
        VisionEncoderDecoderConfig,
        VisionEncoderDecoderModel,
        ViTConfig,
        ViTImageProcessor,
    )

    tok = make_tokenizer(CAPTION_WORD)
    encoder = ViTConfig(**SMALL, image_size=32, patch_size=8)
    decoder = GPT2Config(vocab_size=len(tok), n_embd=32, n_layer=2, n_head=4, n_positions=64,
                         add_cross_attention=True, is_decoder=True, tie_word_embeddings=False, **_ids(tok))
    config = VisionEncoderDecoderConfig.from_encoder_decoder_configs(encoder, decoder)
    config.decoder_start_token_id, config.pad_token_id = tok.bos_token_id, tok.pad_token_id
    config.eos_token_id = tok.eos_token_id
    model = VisionEncoderDecoderModel(config=config)
    model.generation_config.decoder_start_token_id = tok.bos_token_id
    _zero_head(model.decoder.lm_head)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(out)
    return out


def build_vlm(out: Path) -> Path:
    from transformers import (
        CLIPImageProcessor,
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
    )

    tok = make_tokenizer(VLM_WORD, CHAT_TEMPLATE)
    text = LlamaConfig(vocab_size=len(tok), **SMALL, num_key_value_heads=2, max_position_embeddings=512,
                       **_ids(tok))
    config = LlavaConfig(vision_config=CLIPVisionConfig(**SMALL, image_size=32, patch_size=8),
                         text_config=text, image_token_index=tok.convert_tokens_to_ids("<image>"))
    model = LlavaForConditionalGeneration(config)
    _zero_head(model.lm_head)
    model.save_pretrained(out)
    images = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    LlavaProcessor(image_processor=images, tokenizer=tok, patch_size=8, num_additional_image_tokens=1,
                   vision_feature_select_strategy="default", chat_template=CHAT_TEMPLATE,
                   image_token="<image>").save_pretrained(out)
    return out


def build_writer(out: Path) -> Path:
    from transformers import LlamaConfig, LlamaForCausalLM

    tok = make_tokenizer(WRITER_WORD, CHAT_TEMPLATE)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=len(tok), **SMALL, num_key_value_heads=2,
                                         max_position_embeddings=1024, **_ids(tok)))
    _zero_head(model.lm_head)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


def frames(n: int, size: int = 40, seed: int = 0) -> list[np.ndarray]:
    """``n`` random RGB frames (not square, to exercise resizing)."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (size, size + 8, 3), dtype=np.uint8) for _ in range(n)]
