"""Trainable models: one package per model over a shared harness.

Training code stays out of the inference path: importing this package loads nothing heavy; torch
and transformers load with the submodules that need them.

- ``harness/``: the shared loop (AMP, accumulation, safetensors checkpoints, resume, CSV log), DDP under
  ``torchrun`` (``distributed``), deterministic batches and prediction in batches, shared model files;
- ``recap/``: the Q-Former + causal LM captioner (curriculum and unified) and its ``recap:DIR`` backends;
- ``moments/``: the moment/highlight head with the VideoLights components, benchmarks, pretraining pairs
  and ``MomentScorer`` (the ``recap:DIR`` moments backend);
- ``dual/``: the LaViLa-style dual encoder (narrations, narrator + rephraser) and its ``dual:DIR`` encoder;
- ``xsum/``: the VideoXum joint model and its ``xsum:RUN_DIR`` backend;
- ``features`` / ``features_command`` / ``features_batch``: the per-2 s-cell feature layout and
  ``vidrecap features`` (files, recaps, or a directory of videos, optionally on Ray);
- ``command``: ``vidrecap train {recap,moments,dual,xsum,pairs}``.
"""
