"""Trainable models: the recursive ReCap captioner and the joint moment/highlight head.

Training code stays out of the inference path: importing this package loads nothing heavy; torch
and transformers load with the submodules that need them.

- ``features`` / ``features_command``: the per-2 s-cell feature layout and validating loaders;
- ``recap_model`` / ``recap_train``: Q-Former + causal LM captioner, curriculum and unified training;
- ``moment_model`` / ``moments_train``: moment spans + clip saliency head (Hungarian matching);
- ``harness``: the shared loop (AMP, accumulation, safetensors checkpoints, resume, CSV log);
- ``backend``: trained checkpoints as ``recap:DIR`` captioner/writer backends, ``MomentScorer``;
- ``command``: ``vidrecap train {recap,moments} --config FILE``.
"""
