"""Our TF.js graph reader against an independent reference: a small random graph in TF.js's format
(NHWC convolutions with SAME padding on odd sizes, fused bias + activations, a depthwise
convolution with a channel multiplier, squeeze-excite, half-pixel bilinear resize, SAME max pool,
concat, pad, transpose, reshape with a shape computed from constants, split; float16, uint8 and
int32 weights) must give the same outputs through ONNX as through torch's own layers."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from vidrecap.errors import BackendError
from vidrecap.experts.tfjs import build_onnx, read_tfjs

torch = pytest.importorskip("torch")
ort = pytest.importorskip("onnxruntime")
F = torch.nn.functional

H, W = 9, 11


def _s(text: str) -> dict:
    return {"s": base64.b64encode(text.encode()).decode()}


def _ints(*values: int) -> dict:
    return {"list": {"i": [str(v) for v in values]}}


def _conv_attr(padding: str, stride: int, fused: list[str] | None = None, **extra) -> dict:
    attr = {"padding": _s(padding), "strides": _ints(1, stride, stride, 1), "data_format": _s("NHWC"),
            "dilations": _ints(1, 1, 1, 1)}
    if fused:
        attr["fused_ops"] = {"list": {"s": [base64.b64encode(f.encode()).decode() for f in fused]}}
        attr["num_args"] = {"i": "1"}
    attr.update(extra)
    return attr


class Graph:
    """A TF.js model being written: nodes, and weights packed into one shard as stored."""

    def __init__(self):
        self.nodes, self.entries, self.blob, self.values = [], [], bytearray(), {}

    def const(self, name: str, value: np.ndarray, store: str = "float32") -> str:
        value = np.asarray(value)
        entry = {"name": name, "shape": list(value.shape), "dtype": "int32" if value.dtype.kind == "i" else "float32"}
        if store == "float16":
            stored = value.astype(np.float16)
            entry["quantization"] = {"dtype": "float16", "original_dtype": "float32"}
            restored = stored.astype(np.float32)
        elif store == "uint8":
            lo, hi = float(value.min()), float(value.max())
            scale = (hi - lo) / 255
            stored = np.round((value - lo) / scale).astype(np.uint8)
            entry["quantization"] = {"dtype": "uint8", "scale": scale, "min": lo}
            restored = stored.astype(np.float32) * np.float32(scale) + np.float32(lo)
        else:
            stored = value.astype(np.int32 if value.dtype.kind == "i" else np.float32)
            restored = stored
        self.entries.append(entry)
        self.blob += stored.tobytes()
        self.values[name] = restored
        self.nodes.append({"name": name, "op": "Const", "attr": {}})
        return name

    def op(self, name: str, op: str, inputs: list[str], **attr) -> str:
        self.nodes.append({"name": name, "op": op, "input": inputs, "attr": attr})
        return name

    def save(self, folder) -> str:
        (folder / "g.bin").write_bytes(bytes(self.blob))
        spec = {"format": "graph-model", "modelTopology": {"node": self.nodes},
                "weightsManifest": [{"paths": ["g.bin"], "weights": self.entries}]}
        (folder / "g.json").write_text(json.dumps(spec))
        return str(folder / "g.json")


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    rng = np.random.default_rng(7)
    g = Graph()
    g.nodes.append({"name": "x", "op": "Placeholder", "attr": {}})
    w1 = g.const("w1", rng.normal(0, 0.3, (3, 3, 3, 4)), "float16")
    g.op("c1", "Conv2D", ["x", w1], **_conv_attr("SAME", 2))
    w2, b2 = g.const("w2", rng.normal(0, 0.3, (1, 1, 4, 4))), g.const("b2", rng.normal(0, 0.1, 4))
    g.op("c2", "_FusedConv2D", ["c1", w2, b2], **_conv_attr("SAME", 1, ["BiasAdd", "LeakyRelu"]),
         leakyrelu_alpha={"f": 0.1})
    dw, bdw = g.const("dw", rng.normal(0, 0.3, (3, 3, 4, 2)), "float16"), g.const("bdw", rng.normal(0, 0.1, 8))
    g.op("c3", "FusedDepthwiseConv2dNative", ["c2", dw, bdw], **_conv_attr("SAME", 1, ["BiasAdd", "Relu6"]))
    axes = g.const("axes", np.array([1, 2], np.int32))
    g.op("m", "Mean", ["c3", axes], keep_dims={"b": True})
    g.op("s", "Sigmoid", ["m"])
    g.op("c4", "Mul", ["c3", "s"])
    size = g.const("size", np.array([10, 12], np.int32))
    g.op("r", "ResizeBilinear", ["c4", size], half_pixel_centers={"b": True}, align_corners={"b": False})
    g.op("p", "MaxPool", ["r"], ksize=_ints(1, 3, 3, 1), **_conv_attr("SAME", 2))
    cat_axis = g.const("cat_axis", np.array(3, np.int32))
    g.op("cat", "ConcatV2", ["p", "c4", cat_axis])
    pads = g.const("pads", np.array([[0, 0], [1, 1], [0, 1], [0, 0]], np.int32))
    g.op("pd", "Pad", ["cat", pads])
    w5 = g.const("w5", rng.normal(0, 0.2, (3, 3, 16, 6)), "uint8")
    g.op("c5", "Conv2D", ["pd", w5], **_conv_attr("VALID", 1))
    bias = g.const("bias", rng.normal(0, 0.1, 6))
    g.op("a", "AddV2", ["c5", bias])
    perm = g.const("perm", np.array([0, 3, 1, 2], np.int32))
    g.op("t", "Transpose", ["a", perm])
    half_a = g.const("half_a", np.array([1, 3, 12], np.int32))
    half_b = g.const("half_b", np.array([0, 3, 13], np.int32))
    g.op("shape", "AddV2", [half_a, half_b])  # [1, 6, 25]: folded with numpy, never an ONNX node
    g.op("rs", "Reshape", ["t", "shape"])
    sizes, split_axis = g.const("sizes", np.array([2, 4], np.int32)), g.const("split_axis", np.array(1, np.int32))
    g.op("sp", "SplitV", ["rs", sizes, split_axis], num_split={"i": "2"})
    g.op("out1", "Sigmoid", ["sp"])
    g.op("out2", "Softmax", ["sp:1"])
    path = g.save(tmp_path_factory.mktemp("tfjs"))
    return path, g.values


def _same_pad(size: int, k: int, stride: int) -> tuple[int, int]:
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


def _conv(x, w, stride, padding, groups=1):
    """TF's NHWC conv on an NCHW torch tensor; ``w`` in TF's HWIO (or depthwise HWCM) layout."""
    kh, kw, cin, cout = w.shape
    if groups > 1:
        weight = torch.tensor(w.reshape(kh, kw, cin * cout).transpose(2, 0, 1)[:, None].copy())
    else:
        weight = torch.tensor(w.transpose(3, 2, 0, 1).copy())
    if padding == "SAME":
        (t, b), (left, r) = _same_pad(x.shape[2], kh, stride), _same_pad(x.shape[3], kw, stride)
        x = F.pad(x, (left, r, t, b))
    return F.conv2d(x, weight, stride=stride, groups=groups)


def reference(v: dict, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = torch.tensor(x.transpose(0, 3, 1, 2))
    c1 = _conv(t, v["w1"], 2, "SAME")
    c2 = F.leaky_relu(_conv(c1, v["w2"], 1, "SAME") + torch.tensor(v["b2"])[None, :, None, None], 0.1)
    c3 = torch.clamp(_conv(c2, v["dw"], 1, "SAME", groups=4) + torch.tensor(v["bdw"])[None, :, None, None], 0, 6)
    c4 = c3 * torch.sigmoid(c3.mean(dim=(2, 3), keepdim=True))
    r = F.interpolate(c4, size=(10, 12), mode="bilinear", align_corners=False)
    (pt, pb), (pl, pr) = _same_pad(10, 3, 2), _same_pad(12, 3, 2)
    p = F.max_pool2d(F.pad(r, (pl, pr, pt, pb), value=-np.inf), 3, 2)
    cat = torch.cat([p, c4], 1)
    pd = F.pad(cat, (0, 1, 1, 1))
    a = _conv(pd, v["w5"], 1, "VALID") + torch.tensor(v["bias"])[None, :, None, None]
    rs = a.reshape(1, 6, 25)  # NCHW already: TF's transpose to [0, 3, 1, 2] gives the same order
    return torch.sigmoid(rs[:, :2]).numpy(), torch.softmax(rs[:, 2:], -1).numpy()


def test_graph_matches_torch(model):
    path, values = model
    onnx_model = build_onnx(read_tfjs(path), {"x": [1, H, W, 3]}, ["out1", "out2:0"])
    session = ort.InferenceSession(onnx_model.SerializeToString(), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(1).normal(0, 1, (1, H, W, 3)).astype(np.float32)
    got = session.run(None, {"x": x})
    want = reference(values, x)
    assert got[0].shape == (1, 2, 25) and got[1].shape == (1, 4, 25)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5)
    assert not any(n.op_type == "Add" and "shape" in n.output[0] for n in onnx_model.graph.node)


def test_only_what_the_outputs_need_is_converted(model):
    path, _ = model
    small = build_onnx(read_tfjs(path), {"x": [1, H, W, 3]}, ["c1"])
    assert [n.op_type for n in small.graph.node] == ["Transpose", "Conv", "Transpose", "Identity"]


def test_short_shard_and_unknown_op_are_refused(model, tmp_path):
    path, _ = model
    spec = json.loads(open(path).read())
    (tmp_path / "g.bin").write_bytes(open(path.replace(".json", ".bin"), "rb").read()[:-8])
    (tmp_path / "g.json").write_text(json.dumps(spec))
    with pytest.raises(BackendError, match="end early"):
        read_tfjs(tmp_path / "g.json")
    spec["modelTopology"]["node"].append({"name": "odd", "op": "Cumsum", "input": ["c1"]})
    (tmp_path / "g.bin").write_bytes(open(path.replace(".json", ".bin"), "rb").read())
    (tmp_path / "g.json").write_text(json.dumps(spec))
    with pytest.raises(BackendError, match="unsupported op Cumsum"):
        build_onnx(read_tfjs(tmp_path / "g.json"), {"x": [1, H, W, 3]}, ["odd"])
