"""``--diarizer hf:DIR``: the loading code on a local directory (a tiny random x-vector model
saved with transformers; real checkpoints load the same way)."""

from __future__ import annotations

import numpy as np
import pytest

from vidrecap import registry
from vidrecap.errors import BackendError


def test_hf_xvector_directory_embeds_chunks(tmp_path):
    transformers = pytest.importorskip("transformers")
    config = transformers.WavLMConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                                      intermediate_size=37, conv_dim=(8, 8), conv_stride=(5, 4), conv_kernel=(10, 8),
                                      num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=2,
                                      tdnn_dim=(8, 8), tdnn_kernel=(3, 1), tdnn_dilation=(1, 1), xvector_output_dim=12)
    transformers.WavLMForXVector(config).save_pretrained(tmp_path)
    transformers.Wav2Vec2FeatureExtractor(sampling_rate=16000).save_pretrained(tmp_path)
    encoder = registry.create("diarizer", f"hf:{tmp_path}")
    rng = np.random.default_rng(0)
    x = encoder.embed([rng.normal(size=n).astype(np.float32) * 0.1 for n in (16000, 24000, 200)])
    assert x.shape == (3, 12) and np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)


def test_hf_diarizer_needs_a_directory(tmp_path):
    with pytest.raises(BackendError, match="local model directory"):
        registry.create("diarizer", f"hf:{tmp_path / 'missing'}")
    with pytest.raises(BackendError, match="not a transformers x-vector model"):
        registry.create("diarizer", f"hf:{tmp_path}")
