#!/usr/bin/python3
"""Builds generated .ann networks with torch.nn and reports what PyTorch says about them.

Usage: torch_shapes.py IN.json OUT.json

IN:  {"networks": [{"id": 0, "input": [1, 28, 28], "layers": [{"kind": "conv", ...}, ...]}]}
OUT: {"torch": "1.13.1", "results": [{"id": 0, "error": null, "layers": [
        {"kind": "conv", "out": [6, 28, 28], "params": 156, "macs": 117600, "body": [...]}]}]}

Every layer is built from the tensor that actually reaches it (in-channels, in-features come from
PyTorch, not from the checker), run on a batch of 2 random examples in eval mode, and reported with
its output shape without the batch dimension, sum(p.numel() for p in parameters()) (BatchNorm's
running buffers are buffers, not parameters) and, for conv/deconv/dense, multiply-adds computed
from the real tensors: conv out_elems*(Cin/groups)*kh*kw, deconv in_elems*Cout*kh*kw, dense in*out.
A network PyTorch refuses is reported with its error (and the layer index it failed at).

A graph network comes as {"id", "input", "program": [op, ...]} instead of "layers": each op reads and
writes named tensors ("v0" is the input) — {"op": "layer", "spec": {...}, "in": "v3", "out": "v4"},
{"op": "add" | "concat", "in": ["v4", "v1"], "out": "v5"} (concat along the channels; add of equal
shapes) — and is reported in program order as {"kind", "out", "params", "macs"} in "nodes".
"""
import json
import sys

import torch
import torch.nn as nn


class Reshape(nn.Module):
    def __init__(self, shape):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)


class MinibatchStd(nn.Module):
    """Karras et al. 2018: one more channel, the standard deviation over each group of examples averaged over the features."""

    def __init__(self, group):
        super().__init__()
        self.group = group

    def forward(self, x):
        n, c, h, w = x.shape
        g = max(d for d in range(1, min(self.group, n) + 1) if n % d == 0)
        std = x.reshape(g, n // g, c, h, w).std(0, unbiased=False).mean(dim=(1, 2, 3))
        return torch.cat([x, std.reshape(1, n // g, 1, 1, 1).repeat(g, 1, 1, h, w).reshape(n, 1, h, w)], 1)


def need_rank(x, rank, kind):
    if x.dim() != rank + 1:
        raise ValueError(f"{kind} got a tensor of rank {x.dim() - 1} (batch excluded): {list(x.shape[1:])}")


def build(spec, x):
    k = spec["kind"]
    if k == "conv":
        need_rank(x, 3, k)
        pad = spec["padding"]
        return nn.Conv2d(x.shape[1], spec["filters"], tuple(spec["kernel"]), stride=tuple(spec["stride"]),
                         padding=pad if isinstance(pad, str) else tuple(pad), dilation=tuple(spec["dilation"]),
                         groups=spec.get("groups", 1), bias=spec["bias"])
    if k == "deconv":
        need_rank(x, 3, k)
        return nn.ConvTranspose2d(x.shape[1], spec["filters"], tuple(spec["kernel"]), stride=tuple(spec["stride"]),
                                  padding=tuple(spec["padding"]), output_padding=tuple(spec["output_padding"]),
                                  dilation=tuple(spec["dilation"]), bias=spec["bias"])
    if k == "pool":
        need_rank(x, 3, k)
        cls = nn.MaxPool2d if spec["pool"] == "max" else nn.AvgPool2d
        return cls(tuple(spec["size"]), stride=tuple(spec["stride"]), padding=tuple(spec["padding"]))
    if k == "globalpool":
        need_rank(x, 3, k)
        pool = nn.AdaptiveMaxPool2d(1) if spec["pool"] == "max" else nn.AdaptiveAvgPool2d(1)
        return nn.Sequential(pool, nn.Flatten())
    if k == "upsample":
        need_rank(x, 3, k)
        sh, sw = spec["scale"]
        return nn.Upsample(scale_factor=(float(sh), float(sw)), mode=spec["mode"])
    if k == "flatten":
        return nn.Flatten()
    if k == "reshape":
        return Reshape(spec["shape"])
    if k == "dense":
        need_rank(x, 1, k)
        return nn.Linear(x.shape[1], spec["units"], bias=spec["bias"])
    if k == "relu":
        return nn.ReLU()
    if k == "sigmoid":
        return nn.Sigmoid()
    if k == "tanh":
        return nn.Tanh()
    if k == "gelu":
        return nn.GELU()
    if k == "elu":
        return nn.ELU(spec["alpha"])
    if k == "leakyrelu":
        return nn.LeakyReLU(spec["slope"])
    if k == "silu":
        return nn.SiLU()
    if k == "relu6":
        return nn.ReLU6()
    if k == "softmax":
        return nn.Softmax(dim=1)
    if k == "dropout":
        return nn.Dropout(spec["p"])
    if k == "batchnorm":
        if x.dim() in (2, 3):  # N, or a sequence C×L: BatchNorm1d over the C features/channels
            return nn.BatchNorm1d(x.shape[1], eps=spec["eps"], momentum=spec["momentum"])
        if x.dim() == 4:
            return nn.BatchNorm2d(x.shape[1], eps=spec["eps"], momentum=spec["momentum"])
        raise ValueError(f"batchnorm on a tensor of rank {x.dim() - 1}")
    if k == "groupnorm":
        return nn.GroupNorm(spec["groups"], x.shape[1], eps=spec["eps"])
    if k == "instancenorm":
        need_rank(x, 3, k)
        return nn.InstanceNorm2d(x.shape[1])
    if k == "minibatchstd":
        need_rank(x, 3, k)
        return MinibatchStd(spec["group"])
    if k == "pad":
        need_rank(x, 3, k)
        ph, pw = spec["padding"]
        return nn.ZeroPad2d((pw, pw, ph, ph))
    raise ValueError(f"unknown layer kind {k}")


def macs(spec, module, x, y):
    k = spec["kind"]
    if k == "conv":
        kh, kw = module.kernel_size
        return y[0].numel() * (x.shape[1] // module.groups) * kh * kw
    if k == "deconv":
        kh, kw = module.kernel_size
        return x[0].numel() * module.out_channels * kh * kw
    if k == "dense":
        return module.in_features * module.out_features
    return None


def run(specs, x, path):
    records = []
    for i, spec in enumerate(specs):
        where = path + [i]
        try:
            if spec["kind"] == "residual":
                y, body = run(spec["body"], x, where)
                if y.shape != x.shape:
                    raise ValueError(f"residual body changes {list(x.shape[1:])} to {list(y.shape[1:])}")
                y = x + y
                records.append({"kind": "residual", "out": list(y.shape[1:]),
                                "params": sum(b["params"] for b in body), "macs": None, "body": body})
            else:
                m = build(spec, x)
                m.eval()
                y = m(x)
                records.append({"kind": spec["kind"], "out": list(y.shape[1:]),
                                "params": sum(p.numel() for p in m.parameters()), "macs": macs(spec, m, x, y)})
        except LayerError:
            raise
        except Exception as e:  # noqa: BLE001 - reported to the C# side with the layer's position
            raise LayerError(where, f"{type(e).__name__}: {e}") from e
        x = y
    return x, records


class LayerError(Exception):
    def __init__(self, path, message):
        super().__init__(message)
        self.path = path
        self.message = message


def run_program(ops, x):
    tensors = {"v0": x}
    nodes = []
    for i, op in enumerate(ops):
        try:
            if op["op"] == "layer":
                spec = op["spec"]
                x = tensors[op["in"]]
                m = build(spec, x)
                m.eval()
                y = m(x)
                nodes.append({"kind": spec["kind"], "out": list(y.shape[1:]),
                              "params": sum(p.numel() for p in m.parameters()), "macs": macs(spec, m, x, y)})
            else:
                xs = [tensors[v] for v in op["in"]]
                if op["op"] == "concat":
                    y = torch.cat(xs, 1)
                else:
                    if any(t.shape != xs[0].shape for t in xs):
                        raise ValueError(f"add of different shapes {[list(t.shape[1:]) for t in xs]}")
                    y = sum(xs[1:], xs[0])
                nodes.append({"kind": op["op"], "out": list(y.shape[1:]), "params": 0, "macs": None})
        except Exception as e:  # noqa: BLE001 - reported to the C# side with the op's position
            raise LayerError([i], f"{type(e).__name__}: {e}") from e
        tensors[op["out"]] = y
    return nodes


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    with open(sys.argv[1], encoding="utf-8") as f:
        networks = json.load(f)["networks"]
    results = []
    with torch.no_grad():
        for net in networks:
            x = torch.randn(2, *net["input"])
            try:
                if "program" in net:
                    results.append({"id": net["id"], "error": None, "nodes": run_program(net["program"], x)})
                    continue
                _, layers = run(net["layers"], x, [])
                results.append({"id": net["id"], "error": None, "layers": layers})
            except LayerError as e:
                results.append({"id": net["id"], "error": f"layer {'/'.join(map(str, e.path))}: {e.message}", "layers": []})
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump({"torch": torch.__version__, "results": results}, f)


if __name__ == "__main__":
    main()
