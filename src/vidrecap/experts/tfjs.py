"""A TensorFlow.js graph model (``model.json`` + ``.bin`` shards) read into an ONNX graph.

TensorFlow is never imported. The node list of ``modelTopology`` is walked back from the requested
outputs; a node whose inputs are all constants is evaluated with numpy (shape arithmetic left in
graphs converted from ONNX), every other node becomes ONNX nodes in TensorFlow's own layout:
NHWC convolutions and pools are wrapped in a pair of Transposes, which onnxruntime's optimiser
cancels between consecutive layers. Weights may be stored as float16 or affine-quantised
uint8/uint16 (``quantization`` {``scale``, ``min``}); they are restored to float32.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import BackendError

OPSET = 13
TO_NCHW, TO_NHWC = [0, 3, 1, 2], [0, 2, 3, 1]
_DTYPES = {"float32": np.float32, "int32": np.int32, "bool": np.bool_, "float16": np.float16,
           "uint8": np.uint8, "uint16": np.uint16, "int64": np.int64}
_TF_DTYPES = {"DT_FLOAT": np.float32, "DT_INT32": np.int32, "DT_INT64": np.int64, "DT_BOOL": np.bool_}


@dataclass
class TfjsGraph:
    nodes: dict[str, dict]  # node name -> {"name", "op", "input", "attr"}
    weights: dict[str, np.ndarray]
    signature: dict


def read_tfjs(model_json: Path) -> TfjsGraph:
    """The graph's nodes and its weights, decoded from the shards next to ``model_json``."""
    model_json = Path(model_json)
    try:
        spec = json.loads(model_json.read_text())
        topology = spec["modelTopology"]
        manifest = spec["weightsManifest"]
    except (OSError, ValueError, KeyError) as exc:
        raise BackendError(f"{model_json}: not a TF.js graph model ({exc})") from exc
    weights: dict[str, np.ndarray] = {}
    for group in manifest:
        try:
            blob = b"".join((model_json.parent / p).read_bytes() for p in group["paths"])
        except OSError as exc:
            raise BackendError(f"{model_json.name}: a weights shard is missing ({exc})") from exc
        weights.update(decode_weights(group["weights"], blob))
    nodes = {n["name"]: n for n in topology["node"]}
    return TfjsGraph(nodes, weights, spec.get("signature", {}))


def decode_weights(entries: Sequence[dict], blob: bytes) -> dict[str, np.ndarray]:
    """Each manifest entry's array: stored dtype (or its quantised form) read in order from ``blob``."""
    out, pos = {}, 0
    for w in entries:
        shape = [int(d) for d in w["shape"]]
        count = int(np.prod(shape)) if shape else 1
        quant = w.get("quantization")
        stored = np.dtype(_DTYPES[quant["dtype"] if quant else w["dtype"]])
        end = pos + count * stored.itemsize
        if end > len(blob):
            raise BackendError(f"TF.js weights end early at {w['name']!r} ({len(blob)} bytes)")
        raw = np.frombuffer(blob[pos:end], stored)
        pos = end
        target = _DTYPES[w["dtype"]]
        if quant and quant["dtype"] in ("uint8", "uint16"):
            value = raw.astype(np.float32) * np.float32(quant["scale"]) + np.float32(quant["min"])
        else:
            value = raw
        out[w["name"]] = value.astype(target).reshape(shape)
    if pos != len(blob):
        raise BackendError(f"TF.js weights: {len(blob) - pos} bytes left over after the last weight")
    return out


def _attr(node: dict, key: str, default=None):
    """An attribute's plain value: int, float, bool, str, list, or a dtype for ``type``."""
    value = node.get("attr", {}).get(key)
    if value is None:
        return default
    if "list" in value:
        lst = value["list"]
        if "i" in lst:
            return [int(v) for v in lst["i"]]
        if "f" in lst:
            return [float(v) for v in lst["f"]]
        if "s" in lst:
            return [base64.b64decode(v).decode() for v in lst["s"]]
        return []
    if "s" in value:
        return base64.b64decode(value["s"]).decode()
    if "i" in value:
        return int(value["i"])
    if "f" in value:
        return float(value["f"])
    if "b" in value:
        return bool(value["b"])
    if "type" in value:
        return _TF_DTYPES.get(value["type"])
    return default


def _ref(name: str) -> str:
    """A node input as a tensor name: ``node`` → ``node:0``."""
    return name if ":" in name else f"{name}:0"


# --- numpy for constant sub-graphs ------------------------------------------------------------

def _np_sparse_to_dense(node, idx, shape, values, default):
    shape = [int(v) for v in np.atleast_1d(shape)]
    out = np.full(shape, default, dtype=np.asarray(values).dtype)
    idx = np.asarray(idx, np.int64).reshape(-1, len(shape))
    values = np.broadcast_to(np.asarray(values), (len(idx),))
    for row, v in zip(idx, values, strict=True):
        out[tuple(row)] = v
    return out


_FOLD: dict[str, Callable] = {
    "Identity": lambda n, x: x,
    "Add": lambda n, a, b: a + b, "AddV2": lambda n, a, b: a + b, "Sub": lambda n, a, b: a - b,
    "Mul": lambda n, a, b: a * b, "RealDiv": lambda n, a, b: a / b,
    "FloorDiv": lambda n, a, b: a // b, "Maximum": lambda n, a, b: np.maximum(a, b),
    "Cast": lambda n, x: x.astype(_attr(n, "DstT") or np.float32),
    "Reshape": lambda n, x, s: x.reshape([int(v) for v in s]),
    "Transpose": lambda n, x, p: x.transpose([int(v) for v in p]),
    "ConcatV2": lambda n, *xs: np.concatenate(xs[:-1], axis=int(xs[-1])),
    "Pack": lambda n, *xs: np.stack(xs, axis=_attr(n, "axis", 0)),
    "GatherV2": lambda n, x, i, a: np.take(x, i, axis=int(a)),
    "SparseToDense": _np_sparse_to_dense,
    "Shape": lambda n, x: np.array(x.shape, np.int32),
}


# --- ONNX emission -----------------------------------------------------------------------------

class _Builder:
    """Collects ONNX nodes and initialisers; values are ONNX tensor names or numpy constants."""

    def __init__(self):
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes, self.inits, self._n = [], [], 0

    def name(self, hint: str) -> str:
        self._n += 1
        return f"{hint}__{self._n}"

    def const(self, value: np.ndarray, hint: str = "const") -> str:
        value = np.asarray(value)
        if value.dtype == np.float64:
            value = value.astype(np.float32)
        name = self.name(hint)
        self.inits.append(self.numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def tensor(self, value, hint: str = "const") -> str:
        return value if isinstance(value, str) else self.const(value, hint)

    def node(self, op: str, inputs: list[str], hint: str, n_out: int = 1, **attrs) -> list[str]:
        outs = [self.name(hint) for _ in range(n_out)]
        self.nodes.append(self.helper.make_node(op, inputs, outs, **attrs))
        return outs

    def one(self, op: str, inputs: list[str], hint: str, **attrs) -> str:
        return self.node(op, inputs, hint, **attrs)[0]


def _is_const(v) -> bool:
    return isinstance(v, np.ndarray)


def _conv_attrs(node: dict) -> dict:
    strides, dil = _attr(node, "strides", [1, 1, 1, 1]), _attr(node, "dilations", [1, 1, 1, 1])
    if _attr(node, "data_format", "NHWC") != "NHWC":
        raise BackendError(f"TF.js: {node['op']} {node['name']!r} is not NHWC")
    attrs = {"strides": strides[1:3], "dilations": dil[1:3]}
    padding = _attr(node, "padding", "VALID")
    if padding == "SAME":
        attrs["auto_pad"] = "SAME_UPPER"  # TensorFlow puts the odd pixel after, as SAME_UPPER does
    elif padding == "EXPLICIT":
        p = _attr(node, "explicit_paddings", [0] * 8)
        attrs["pads"] = [p[2], p[4], p[3], p[5]]
    else:
        attrs["pads"] = [0, 0, 0, 0]
    return attrs


def _activation(b: _Builder, x: str, op: str, node: dict, hint: str) -> str:
    if op == "Relu":
        return b.one("Relu", [x], hint)
    if op == "Relu6":
        return b.one("Clip", [x, b.const(np.float32(0)), b.const(np.float32(6))], hint)
    if op == "LeakyRelu":
        return b.one("LeakyRelu", [x], hint, alpha=float(_attr(node, "leakyrelu_alpha", _attr(node, "alpha", 0.2))))
    if op == "Elu":
        return b.one("Elu", [x], hint)
    if op == "Sigmoid":
        return b.one("Sigmoid", [x], hint)
    raise BackendError(f"TF.js: unsupported fused activation {op!r} in {node['name']!r}")


def _conv(b: _Builder, node: dict, args: list) -> str:
    x, w = args[0], args[1]
    if not _is_const(w):
        raise BackendError(f"TF.js: {node['name']!r} has non-constant filters")
    op = node["op"]
    depthwise = "Depthwise" in op
    kh, kw, cin, m = w.shape
    if depthwise:  # [h, w, C, multiplier] → [C·multiplier, 1, h, w], output channel c·M + m as in TF
        weight, group = w.reshape(kh, kw, cin * m).transpose(2, 0, 1)[:, None], cin
    else:
        weight, group = w.transpose(3, 2, 0, 1), 1
    inputs = [b.one("Transpose", [x], "nchw", perm=TO_NCHW), b.const(weight.astype(np.float32), "w")]
    fused = _attr(node, "fused_ops", []) if op.startswith("_Fused") or op.startswith("Fused") else []
    if fused and fused[0] == "BiasAdd":
        inputs.append(b.const(np.asarray(args[2], np.float32).reshape(-1), "b"))
        fused = fused[1:]
    elif fused:
        raise BackendError(f"TF.js: unsupported fused ops {fused} in {node['name']!r}")
    y = b.one("Conv", inputs, "conv", group=group, kernel_shape=[kh, kw], **_conv_attrs(node))
    for act in fused:
        y = _activation(b, y, act, node, "act")
    return b.one("Transpose", [y], "nhwc", perm=TO_NHWC)


def _pool(b: _Builder, node: dict, args: list) -> str:
    k = _attr(node, "ksize", [1, 1, 1, 1])
    attrs = _conv_attrs(node)
    attrs.pop("dilations")
    onnx_op = "MaxPool" if node["op"] == "MaxPool" else "AveragePool"
    if onnx_op == "AveragePool":
        attrs["count_include_pad"] = 0  # TF averages over the valid pixels only
    x = b.one("Transpose", [args[0]], "nchw", perm=TO_NCHW)
    y = b.one(onnx_op, [x], "pool", kernel_shape=k[1:3], **attrs)
    return b.one("Transpose", [y], "nhwc", perm=TO_NHWC)


def _resize(b: _Builder, node: dict, args: list) -> str:
    size = np.asarray(args[1]).reshape(-1)
    if not _is_const(args[1]):
        raise BackendError(f"TF.js: {node['name']!r} resizes to a size only known at run time")
    bilinear = node["op"] == "ResizeBilinear"
    if _attr(node, "align_corners", False):
        mode = "align_corners"
    elif _attr(node, "half_pixel_centers", False):
        mode = "half_pixel" if bilinear else "tf_half_pixel_for_nn"
    else:
        mode = "asymmetric"
    x = b.one("Transpose", [args[0]], "nchw", perm=TO_NCHW)
    shape = b.one("Shape", [x], "shape")
    nc = b.one("Slice", [shape, b.const(np.array([0], np.int64)), b.const(np.array([2], np.int64))], "nc")
    sizes = b.one("Concat", [nc, b.const(size.astype(np.int64))], "sizes", axis=0)
    extra = {} if bilinear else {"nearest_mode": "round_prefer_ceil" if mode == "align_corners" else "floor"}
    y = b.one("Resize", [x, "", "", sizes], "resize", mode="linear" if bilinear else "nearest",
              coordinate_transformation_mode=mode, **extra)
    return b.one("Transpose", [y], "nhwc", perm=TO_NHWC)


def _pads(paddings: np.ndarray) -> np.ndarray:
    p = np.asarray(paddings, np.int64).reshape(-1, 2)
    return np.concatenate([p[:, 0], p[:, 1]])


class _Lazy:
    """The node's inputs as ONNX names, a constant becoming an initialiser only when used."""

    def __init__(self, b: _Builder, args: list):
        self.b, self.args = b, args

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.b.tensor(a) for a in self.args[i]]
        return self.b.tensor(self.args[i])


def _emit(b: _Builder, node: dict, args: list) -> list:
    """ONNX nodes for one TF node; returns its outputs (names, or constants passed through)."""
    op, hint = node["op"], node["name"].split("/")[-1]
    t = _Lazy(b, args)
    if op in ("Identity", "StopGradient"):
        return [args[0]]
    if op in ("Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative"):
        return [_conv(b, node, args)]
    if op in ("MaxPool", "AvgPool"):
        return [_pool(b, node, args)]
    if op in ("ResizeBilinear", "ResizeNearestNeighbor"):
        return [_resize(b, node, args)]
    binary = {"Add": "Add", "AddV2": "Add", "BiasAdd": "Add", "Sub": "Sub", "Mul": "Mul", "RealDiv": "Div",
              "Maximum": "Max", "Minimum": "Min"}
    if op in binary:
        return [b.one(binary[op], t[:2], hint)]
    if op in ("Relu", "Relu6", "LeakyRelu", "Elu", "Sigmoid"):
        return [_activation(b, t[0], op, node, hint)]
    if op in ("Tanh", "Exp", "Sqrt", "Neg", "Abs"):
        return [b.one(op, [t[0]], hint)]
    if op == "Softmax":
        return [b.one("Softmax", [t[0]], hint, axis=-1)]
    if op == "ConcatV2":
        return [b.one("Concat", t[:-1], hint, axis=int(args[-1]))]
    if op in ("Pad", "PadV2", "MirrorPad"):
        inputs = [t[0], b.const(_pads(args[1]))]
        mode = "constant"
        if op == "PadV2":
            inputs.append(b.const(np.asarray(args[2], np.float32).reshape(())))
        if op == "MirrorPad":
            mode = "reflect" if _attr(node, "mode") == "REFLECT" else "edge"
            if _attr(node, "mode") == "SYMMETRIC":
                raise BackendError(f"TF.js: SYMMETRIC MirrorPad in {node['name']!r} is not supported")
        return [b.one("Pad", inputs, hint, mode=mode)]
    if op == "Transpose":
        return [b.one("Transpose", [t[0]], hint, perm=[int(v) for v in args[1]])]
    if op == "Reshape":
        return [b.one("Reshape", [t[0], b.const(np.asarray(args[1], np.int64).reshape(-1))], hint)]
    if op == "SplitV":
        sizes, axis = np.asarray(args[1], np.int64), int(args[2])
        return b.node("Split", [t[0], b.const(sizes)], hint, n_out=len(sizes), axis=axis)
    if op == "Split":
        n = _attr(node, "num_split")
        return b.node("Split", [t[1]], hint, n_out=n, axis=int(args[0]))
    if op == "Mean":
        axes = [int(v) for v in np.atleast_1d(args[1])]
        return [b.one("ReduceMean", [t[0]], hint, axes=axes, keepdims=int(bool(_attr(node, "keep_dims", False))))]
    if op == "Squeeze":
        dims = _attr(node, "squeeze_dims", [])
        return [b.one("Squeeze", [t[0], b.const(np.array(dims, np.int64))] if dims else [t[0]], hint)]
    if op == "ExpandDims":
        return [b.one("Unsqueeze", [t[0], b.const(np.atleast_1d(args[1]).astype(np.int64))], hint)]
    raise BackendError(f"TF.js: unsupported op {op} ({node['name']!r})")


def build_onnx(graph: TfjsGraph, inputs: dict[str, list[int]], outputs: Sequence[str]):
    """An ONNX model computing ``outputs`` (TF tensor names) from the placeholders in ``inputs``
    (name → static shape); only the nodes the outputs depend on are converted."""
    from onnx import TensorProto, helper

    b = _Builder()
    values: dict[str, object] = {}
    for name in inputs:
        values[_ref(name)] = name

    def value(ref: str):
        ref = _ref(ref)
        if ref not in values:
            _visit(ref.rsplit(":", 1)[0])
        if ref not in values:
            raise BackendError(f"TF.js: no tensor {ref!r} in the graph")
        return values[ref]

    def _visit(name: str) -> None:
        stack, expanded = [name], set()
        while stack:  # iterative post-order: graphs are deep
            current = stack[-1]
            if _ref(current) in values:
                stack.pop()
                continue
            node = graph.nodes.get(current)
            if node is None:
                raise BackendError(f"TF.js: the graph has no node {current!r}")
            deps = [i.rsplit(":", 1)[0] for i in node.get("input", []) if not i.startswith("^")]
            todo = [d for d in deps if _ref(d) not in values]
            if todo:
                if current in expanded:
                    raise BackendError(f"TF.js: the graph has a cycle at {current!r}")
                expanded.add(current)
                stack.extend(todo)
                continue
            stack.pop()
            _convert(node)

    def _convert(node: dict) -> None:
        op = node["op"]
        if op == "Const":
            if node["name"] not in graph.weights:
                raise BackendError(f"TF.js: constant {node['name']!r} has no weights")
            values[_ref(node["name"])] = graph.weights[node["name"]]
            return
        if op == "Placeholder":
            raise BackendError(f"TF.js: input {node['name']!r} was not given a shape")
        args = [values[_ref(i)] for i in node.get("input", []) if not i.startswith("^")]
        if op in _FOLD and all(_is_const(a) for a in args):
            outs = [np.asarray(_FOLD[op](node, *args))]
        else:
            outs = _emit(b, node, args)
        for k, out in enumerate(outs):
            values[f"{node['name']}:{k}"] = out

    out_names = []
    for ref in outputs:
        v = value(ref)
        name = ref.split(":")[0]
        b.nodes.append(helper.make_node("Identity", [b.tensor(v)], [name]))
        out_names.append(name)
    graph_proto = helper.make_graph(
        b.nodes, "tfjs",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs.items()],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in out_names], b.inits)
    model = helper.make_model(graph_proto, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    return model
