"""``--device``: ``cpu`` (default) or ``cuda[:N]``; asking for a GPU that is not there is a clear error."""

from __future__ import annotations

from ..errors import InputError


def check_device(device: str | None) -> str:
    """``device`` normalised; ``cuda`` without a CUDA GPU (as CTranslate2 sees it) is an input error."""
    device = (device or "cpu").strip().lower()
    if device == "cpu":
        return device
    kind, _, index = device.partition(":")
    if kind != "cuda" or (index and not index.isdigit()):
        raise InputError(f"--device {device!r}: expected cpu, cuda or cuda:N")
    found = cuda_devices()
    if found == 0:
        raise InputError(f"--device {device}: no CUDA GPU found on this machine (use --device cpu)")
    if index and int(index) >= found:
        raise InputError(f"--device {device}: only {found} CUDA GPU(s) here (cuda:0..cuda:{found - 1})")
    return device


def cuda_devices() -> int:
    """How many CUDA GPUs CTranslate2 (the speech recogniser's runtime) can use; 0 when none."""
    try:
        import ctranslate2
    except ImportError:
        return 0
    try:
        return int(ctranslate2.get_cuda_device_count())
    except Exception:  # a CPU-only build or a broken driver both mean: no usable GPU
        return 0
