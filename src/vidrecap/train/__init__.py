"""Trainable models: the recursive ReCap captioner, the joint moment/highlight head, the dual encoder.

Training code stays out of the inference path: importing this package loads nothing heavy; torch
and transformers load with the submodules that need them.

- ``features`` / ``features_command``: the per-2 s-cell feature layout and validating loaders;
- ``recap_model`` / ``recap_train``: Q-Former + causal LM captioner, curriculum and unified training;
- ``moment_model`` / ``moments_train``: moment spans + clip saliency head (Hungarian matching);
- ``harness``: the shared loop (AMP, accumulation, safetensors checkpoints, resume, CSV log);
- ``backend``: trained checkpoints as ``recap:DIR`` captioner/writer backends, ``MomentScorer``;
- ``narrations`` / ``dual_model`` / ``dual_train`` / ``dual_predict`` / ``dual_backend``: the LaViLa-style dual
  encoder (Ego4D / EK100 / weak recap narrations, narrator + rephraser) and its ``dual:DIR`` encoder;
- ``command``: ``vidrecap train {recap,moments,dual} --config FILE``.
"""
