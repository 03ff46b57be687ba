"""Fixtures: the tiny models are built and saved once per test session."""

from __future__ import annotations

import pytest

from .tiny import TinyModels, build_captioner, build_clip, build_sentence_encoder, build_vlm, build_writer


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> TinyModels:
    import torch
    import transformers

    torch.set_num_threads(1)
    torch.manual_seed(0)
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    root = tmp_path_factory.mktemp("tiny-models")
    return TinyModels(
        clip=build_clip(root / "clip"),
        sentence=build_sentence_encoder(root / "sentence", root / "bert"),
        captioner=build_captioner(root / "captioner"),
        vlm=build_vlm(root / "vlm"),
        writer=build_writer(root / "writer"),
    )
