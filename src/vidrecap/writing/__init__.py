"""Generated text: prompts, checks on model output (validation, retry, fallback) and the extractive writer."""
