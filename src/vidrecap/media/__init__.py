"""Reading media with PyAV: probing, streaming sampled frames, streaming 16 kHz audio."""
