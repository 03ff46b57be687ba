"""Arrays as exact bytes in JSON (journals carry decision state that must restore bit for bit)."""

from __future__ import annotations

import base64

import numpy as np


def pack_array(array: np.ndarray | None) -> dict | None:
    """An array as ``{"dtype", "shape", "data": base64}``; ``None`` stays ``None``."""
    if array is None:
        return None
    array = np.ascontiguousarray(array)
    return {"dtype": str(array.dtype), "shape": list(array.shape),
            "data": base64.b64encode(array.tobytes()).decode("ascii")}


def unpack_array(packed: dict | None) -> np.ndarray | None:
    if packed is None:
        return None
    data = np.frombuffer(base64.b64decode(packed["data"]), dtype=packed["dtype"])
    return data.reshape(packed["shape"]).copy()
