#!/usr/bin/env python3
"""How the cached `shapes` reference classifier judges real shapes that are slightly degraded.

    /usr/bin/python3 scripts/reference-sensitivity.py ~/.cache/annlsp/reference/shapes-<key>.ref [N]

`confident` (p >= 0.9) is only as lenient as the reference classifier. This rebuilds that classifier in
Debian's PyTorch from its cache file (the layout of server/Annlsp.Training/Scoring/reference.ann: two
conv-batchnorm-relu-pool stages, dense(128) -> relu, one logit per class), draws N fresh shapes with a
port of ShapesDataSet.Draw (same distribution, not the same images: .NET's Random is not reproduced),
and prints the fraction confident and the accuracy for the clean images and for mild degradations a
person would still read at once (a 3x3 box or binomial blur, pixels dropped, Gaussian noise of sigma 0.03-0.1, a
resize to 32x32 and back).
"""
import json
import math
import random
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

SIZE = 28


def read_reference(path):
    """The .ref file: 32 bytes of SHA-256, then safetensors (weights, real-feature statistics, a JSON `meta`)."""
    blob = open(path, "rb").read()[32:]
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    dtypes = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "U8": np.uint8}
    tensors = {}
    for name, v in header.items():
        if name == "__metadata__":
            continue
        start, end = v["data_offsets"]
        data = np.frombuffer(blob[8 + n + start:8 + n + end], dtype=dtypes[v["dtype"]]).reshape(v["shape"])
        tensors[name] = torch.from_numpy(data.copy())
    meta = json.loads(bytes(tensors.pop("meta").numpy()).decode())
    model = {k[len("model."):]: t for k, t in tensors.items() if k.startswith("model.")}
    return model, meta


def classifier(model, meta):
    convs = sorted({int(k.split(".")[1]) for k, t in model.items() if k.endswith("weight") and t.dim() == 4})
    denses = sorted({int(k.split(".")[1]) for k, t in model.items() if k.endswith("weight") and t.dim() == 2})
    mean, std = meta["input"]["mean"][0], meta["input"]["std"][0]

    def probabilities(images01):
        x = (images01 - mean) / std
        for i in convs:
            x = F.conv2d(x, model[f"layers.{i}.weight"], model[f"layers.{i}.bias"], padding=1)
            bn = f"layers.{i + 1}."
            x = F.batch_norm(x, model[bn + "running_mean"], model[bn + "running_var"], model[bn + "weight"], model[bn + "bias"], False)
            x = F.max_pool2d(F.relu(x), 2)
        x = F.relu(F.linear(x.flatten(1), model[f"layers.{denses[0]}.weight"], model[f"layers.{denses[0]}.bias"]))
        return F.linear(x, model[f"layers.{denses[1]}.weight"], model[f"layers.{denses[1]}.bias"]).softmax(1)

    return probabilities


def segment_distance(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy), 0, 1)
    return np.hypot(ax + t * dx - px, ay + t * dy - py)


def draw(label, rng):
    """ShapesDataSet.Draw: a circle, square, triangle or cross, random size, place, stroke, ±15° and brightness."""
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] + 0.5
    r = 6 + rng.random() * 5.5
    margin = r + 1.5
    cx = margin + rng.random() * (SIZE - 2 * margin)
    cy = margin + rng.random() * (SIZE - 2 * margin)
    stroke = 1.3 + rng.random() * 1.7
    angle = (rng.random() - 0.5) * (math.pi / 6)
    brightness = 0.7 + rng.random() * 0.3
    points = {1: [(-0.8, -0.8), (0.8, -0.8), (0.8, 0.8), (-0.8, 0.8), (-0.8, -0.8)],
              2: [(0, -1), (0.92, 0.6), (-0.92, 0.6), (0, -1)]}.get(label, [])
    segments = [(*points[k], *points[k + 1]) for k in range(len(points) - 1)]
    if label == 3:
        segments += [(-1, 0, 1, 0), (0, -1, 0, 1)]
    c, s = math.cos(angle), math.sin(angle)
    world = [(cx + r * (ax * c - ay * s), cy + r * (ax * s + ay * c), cx + r * (bx * c - by * s), cy + r * (bx * s + by * c))
             for ax, ay, bx, by in segments]
    if label == 0:
        d = np.abs(np.hypot(xx - cx, yy - cy) - r * 0.85)
    else:
        d = np.min([segment_distance(xx, yy, *w) for w in world], axis=0)
    noise = np.array([[rng.random() for _ in range(SIZE)] for _ in range(SIZE)]) * 0.06
    v = np.clip(stroke / 2 - d + 0.5, 0, 1) * brightness + noise
    return np.clip(np.round(v * 255), 0, 255) / 255


def main():
    path = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 800
    model, meta = read_reference(path)
    if meta.get("dataSet") != "shapes":
        raise SystemExit(f"{path} is the reference of {meta.get('dataSet')}, not of shapes")
    probabilities = classifier(model, meta)
    rng = random.Random(5)
    labels = torch.tensor([rng.randrange(4) for _ in range(count)])
    images = torch.tensor(np.stack([draw(int(l), rng) for l in labels]), dtype=torch.float32).unsqueeze(1)
    g = torch.Generator().manual_seed(0)
    box = torch.ones(1, 1, 3, 3) / 9
    binomial = (torch.tensor([1.0, 2.0, 1.0]).outer(torch.tensor([1.0, 2.0, 1.0])) / 16).view(1, 1, 3, 3)

    def noisy(sigma):
        return (images + torch.randn(images.shape, generator=g) * sigma).clamp(0, 1)

    cases = [
        ("clean", images),
        ("3x3 box blur", F.conv2d(images, box, padding=1)),
        ("10 % of pixels dropped", images * (torch.rand(images.shape, generator=g) > 0.1)),
        ("Gaussian noise, sigma 0.1", noisy(0.1)),
        # what pix2pix on edges(shapes, size: 32x32) is scored on: its targets resized back to 28x28 (a perfect translation)
        ("resized to 32x32 and back", F.interpolate(F.interpolate(images, size=(32, 32), mode="bilinear", align_corners=False),
                                                    size=(28, 28), mode="bilinear", align_corners=False).clamp(0, 1)),
        # milder ones, last so that the rows above keep their draws from g
        ("3x3 binomial blur", F.conv2d(images, binomial, padding=1)),
        ("Gaussian noise, sigma 0.03", noisy(0.03)),
        ("Gaussian noise, sigma 0.05", noisy(0.05)),
    ]
    print(f"{path}: test accuracy {meta['testAccuracy']}, {count} drawn shapes")
    with torch.no_grad():
        for name, x in cases:
            best, label = probabilities(x).max(1)
            print(f"  {name:28s} confident {(best >= 0.9).float().mean().item():.3f}  accuracy {(label == labels).float().mean().item():.3f}")


if __name__ == "__main__":
    main()
