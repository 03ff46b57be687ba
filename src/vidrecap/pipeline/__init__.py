"""``vidrecap run``: media → evidence → hierarchy → outputs, cached and resumable."""
