"""Writing and reading a recap's output directory (formats only; no decoding, no models)."""
