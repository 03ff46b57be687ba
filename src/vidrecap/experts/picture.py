"""Cheap picture statistics with numpy and OpenCV, a few milliseconds per key frame.

- Light: luma (BT.601) of a 320-pixel-wide copy. A frame is *dark* when its median and mean luma
  are low, and reads as *night* when it is dark and shows at least ``MIN_LIGHTS`` small bright
  blobs (street lamps, lit windows, headlights).
- Colours: every pixel of a 64-pixel-wide copy goes to the nearest of a small palette of common
  colour names (CIELAB distance); chromatic names covering at least ``MIN_COLOUR_SHARE`` are kept,
  only for colourful frames (Hasler–Süsstrunk colourfulness) that are not slide-like (one flat
  colour over much of the frame).
- Camera motion: ORB key points of consecutive key frames, matched (Hamming, Lowe's ratio test), and a
  similarity transform fitted by RANSAC. Many consistent matches and a near-identity transform mean
  a static camera (objects may still move: they are RANSAC's outliers); a consistent shift is a pan
  or tilt; a consistent scale a zoom. Too few consistent matches (a cut, a shaking hand-held camera,
  a face filling the frame) and no camera motion is claimed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..registry import register

LIGHT_WIDTH, COLOUR_WIDTH, FEATURE_WIDTH = 320, 64, 320
DARK_MEDIAN, DARK_MEAN = 0.2, 0.25  # luma 0..1
BRIGHT = 0.7  # luma of a light source in a dark frame
MIN_LIGHTS, MAX_LIGHT_SHARE = 3, 0.005  # at least this many blobs, each at most this share of the frame
COLOURFUL = 20.0  # Hasler–Süsstrunk colourfulness (0..~150) from which colours are named
FLAT_SHARE = 0.6  # a frame whose commonest (16-level) colour covers this share is slide-like (slides: ~0.9)
MIN_COLOUR_SHARE = 0.15
MIN_INLIERS, MIN_INLIER_RATIO = 15, 0.3
RATIO = 0.8  # Lowe's ratio test: a match must be clearly better than the second best
PAN, ZOOM = 0.06, 0.06  # shift as a share of the frame; |log scale|

PALETTE = {  # sRGB of common colour names
    "red": (200, 30, 30), "orange": (240, 140, 30), "yellow": (240, 220, 40), "green": (50, 150, 50),
    "blue": (40, 90, 200), "purple": (120, 50, 160), "pink": (240, 130, 180), "brown": (120, 75, 40),
    "white": (245, 245, 245), "grey": (128, 128, 128), "black": (15, 15, 15),
}
ACHROMATIC = frozenset({"white", "grey", "black"})


@dataclass
class Features:
    """ORB key points of one frame: positions as shares of the frame ``(n, 2)`` and descriptors ``(n, 32)``."""

    points: np.ndarray
    descriptors: np.ndarray


@dataclass
class Motion:
    """Camera motion between two frames: label, centre shift ``dx, dy`` (shares of the frame), scale."""

    camera: str
    dx: float = 0.0
    dy: float = 0.0
    scale: float = 1.0


def _resized(image: np.ndarray, width: int) -> np.ndarray:
    import cv2

    h, w = image.shape[:2]
    if w <= width:
        return image
    return cv2.resize(image, (width, max(2, round(h * width / w))), interpolation=cv2.INTER_AREA)


def luma(image: np.ndarray) -> np.ndarray:
    """BT.601 luma of an RGB ``uint8`` image in 0..1."""
    return image.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32) / 255.0


def brightness_and_light(image: np.ndarray) -> tuple[float, str]:
    """Mean luma and ``"night"``, ``"dark"`` or ``""``."""
    import cv2

    y = luma(_resized(image, LIGHT_WIDTH))
    mean = float(y.mean())
    if float(np.median(y)) >= DARK_MEDIAN or mean >= DARK_MEAN:
        return mean, ""
    n, _, stats, _ = cv2.connectedComponentsWithStats((y >= BRIGHT).astype(np.uint8), connectivity=8)
    small = stats[1:, cv2.CC_STAT_AREA] <= MAX_LIGHT_SHARE * y.size
    return mean, "night" if int(small.sum()) >= MIN_LIGHTS else "dark"


def colourfulness(image: np.ndarray) -> float:
    """Hasler & Süsstrunk (2003): spread and mean of the opponent channels rg and yb."""
    rgb = image.reshape(-1, 3).astype(np.float32)
    rg = rgb[:, 0] - rgb[:, 1]
    yb = 0.5 * (rgb[:, 0] + rgb[:, 1]) - rgb[:, 2]
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


def flat_share(image: np.ndarray) -> float:
    """Share of the frame in its commonest colour (16 levels per channel): high for slides."""
    q = (image.reshape(-1, 3) // 16).astype(np.int32)
    return float(np.bincount(q[:, 0] * 256 + q[:, 1] * 16 + q[:, 2]).max() / len(q))


def _lab(rgb: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(rgb.astype(np.float32).reshape(-1, 1, 3) / 255.0, cv2.COLOR_RGB2Lab).reshape(-1, 3)


@functools.cache
def _palette_lab() -> np.ndarray:
    return _lab(np.array(list(PALETTE.values()), np.float32))


def colour_shares(image: np.ndarray) -> dict[str, float]:
    """Share of the frame nearest to each palette colour (CIELAB), largest first."""
    lab = _lab(image.reshape(-1, 3))
    nearest = np.argmin(((lab[:, None, :] - _palette_lab()[None]) ** 2).sum(-1), axis=1)
    counts = np.bincount(nearest, minlength=len(PALETTE)) / len(nearest)
    names = list(PALETTE)
    return {names[i]: float(counts[i]) for i in np.argsort(-counts) if counts[i] > 0}


class OrbMotion:
    """ORB features and RANSAC similarity fits (one OpenCV ORB detector, reused)."""

    def __init__(self, n_features: int = 300):
        import cv2

        self._orb = cv2.ORB_create(nfeatures=n_features, fastThreshold=10)
        self._matcher = cv2.BFMatcher(cv2.NORM_HAMMING)

    def features(self, image: np.ndarray) -> Features:
        import cv2

        grey = cv2.cvtColor(_resized(image, FEATURE_WIDTH), cv2.COLOR_RGB2GRAY)
        points, desc = self._orb.detectAndCompute(grey, None)
        h, w = grey.shape
        xy = np.float32([p.pt for p in points]).reshape(-1, 2) / np.float32([w, h])
        return Features(xy, desc if desc is not None else np.zeros((0, 32), np.uint8))

    def motion(self, before: Features, after: Features, aspect: float) -> Motion:
        """How the picture moved from ``before`` to ``after`` (``aspect`` = width / height)."""
        import cv2

        if min(len(before.descriptors), len(after.descriptors)) < MIN_INLIERS:
            return Motion("")
        pairs = self._matcher.knnMatch(before.descriptors, after.descriptors, k=2)
        matches = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
        if len(matches) < MIN_INLIERS:
            return Motion("")
        scale_xy = np.float32([aspect, 1.0])  # fit in a frame of true proportions (height 1)
        src = before.points[[m.queryIdx for m in matches]] * scale_xy
        dst = after.points[[m.trainIdx for m in matches]] * scale_xy
        fit, inliers = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=0.015)
        if fit is None or int(inliers.sum()) < max(MIN_INLIERS, MIN_INLIER_RATIO * len(matches)):
            return Motion("")
        scale = float(np.hypot(fit[0, 0], fit[1, 0]))
        centre = np.float32([aspect / 2, 0.5])
        dx, dy = (fit[:, :2] @ centre + fit[:, 2] - centre) / scale_xy
        return Motion(camera_label(float(dx), float(dy), scale), round(float(dx), 4), round(float(dy), 4),
                      round(scale, 4))


def camera_label(dx: float, dy: float, scale: float) -> str:
    """The camera move that makes the picture's content shift by ``dx, dy`` and grow by ``scale``."""
    if abs(np.log(scale)) >= ZOOM:
        return "zooms in" if scale > 1 else "zooms out"
    if max(abs(dx), abs(dy)) < PAN:
        return "static"
    if abs(dx) >= abs(dy):
        return "pans right" if dx < 0 else "pans left"  # content moving left: the camera turns right
    return "tilts down" if dy < 0 else "tilts up"


@register("picture", "embedded", summary="picture statistics: dark/night, named colours, camera motion (OpenCV)",
          needs="opencv-python-headless")
class PictureStatistics:
    """``light(image)``, ``colours(image)``, ``features(image)``, ``motion(a, b, aspect)``."""

    spec = "embedded:picture-stats:1"

    def __init__(self, **_):
        self._orb = OrbMotion()

    def light(self, image: np.ndarray) -> tuple[float, str]:
        return brightness_and_light(image)

    def slide_like(self, image: np.ndarray) -> bool:
        return flat_share(_resized(image, COLOUR_WIDTH)) >= FLAT_SHARE

    def colours(self, image: np.ndarray) -> list[tuple[str, float]]:
        """Up to two chromatic colour names covering ≥ ``MIN_COLOUR_SHARE`` each, largest first;
        ``[]`` for a grey-ish frame (white, grey and black are in every shot and say little)."""
        small = _resized(image, COLOUR_WIDTH)
        if colourfulness(small) < COLOURFUL:
            return []
        shares = colour_shares(small).items()
        return [(n, round(s, 3)) for n, s in shares if s >= MIN_COLOUR_SHARE and n not in ACHROMATIC][:2]

    def features(self, image: np.ndarray) -> Features:
        return self._orb.features(image)

    def motion(self, before: Features, after: Features, aspect: float) -> Motion:
        return self._orb.motion(before, after, aspect)


@register("picture", "none", summary="no picture statistics")
class NoPicture:
    spec = "none"

    def __init__(self, **_):
        pass
