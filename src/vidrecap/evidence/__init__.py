"""Evidence per 2-second cell: speech, on-screen text, visual tags, key frames, embeddings."""
