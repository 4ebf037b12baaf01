"""The data sets of the .ann language, read as annlsp train reads them (server/Annlsp.Training/Data).

Each reader returns (train, test): dicts with "images" (uint8 tensor [N, C, H, W]), "labels" (int64 [N])
and "classes"; test may be None. The paired data sets of pix2pix (edges(…), pairs(…)) add "inputs" (uint8
[N, C', H, W]): the image each target is made from. Every rank reads the whole set (as the trainer holds it in memory);
DistributedSampler then gives each rank its part of every global batch.
"""
import gzip
import os
import struct
import zlib

import numpy as np
import torch
import torch.nn.functional as F

from annlsp_run import TrainingError

FASHION_MNIST_DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_ENV = "ANNLSP_FASHION_MNIST"
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga")
HERE = os.path.dirname(os.path.abspath(__file__))


def load(spec, data_dir=None):
    """spec: the "data" object of annlsp_target.json; data_dir: --data, which replaces the folder the .ann names."""
    name = spec["name"]
    classes = spec.get("classes")
    if name == "edges":
        _, h, w = spec["shape"]
        train, test = load(spec["source"], data_dir)
        return edges(train, h, w), None if test is None else edges(test, h, w)
    if name == "pairs":
        c, h, w = spec["shape"]
        return load_pairs(require(data_dir or spec.get("directory"), name), c, h, w, spec.get("direction") == "BtoA")
    if name == "shapes":
        folder = data_dir or os.path.join(HERE, "data", "shapes")
        return idx_pair(folder, "shapes", classes, "the package's data/shapes folder holds them (written by annlsp export --torchrun); export the package again")
    if name == "fashion_mnist":
        folder = data_dir or spec.get("directory") or os.environ.get(FASHION_MNIST_ENV) or FASHION_MNIST_DEFAULT_DIR
        return idx_pair(folder, "fashion_mnist", classes,
                        "install Debian's package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), or pass --data DIR "
                        f"with the four IDX files, or set {FASHION_MNIST_ENV}")
    if name == "mnist":
        return idx_pair(require(data_dir or spec.get("directory"), name), "mnist", classes,
                        "put the four MNIST IDX files (train-images-idx3-ubyte[.gz], …) in that folder, or pass --data DIR")
    if name == "cifar10":
        return cifar10(require(data_dir or spec.get("directory"), name), classes)
    if name == "images":
        c, h, w = spec["shape"]
        return image_folder(require(data_dir or spec.get("directory"), name), c, h, w)
    raise TrainingError(f"unknown data set '{name}' (this package reads fashion_mnist, mnist, cifar10, images, shapes, edges and pairs)")


def require(folder, name):
    if not folder:
        raise TrainingError(f"{name} needs a folder: pass --data DIR")
    return folder


def _missing_folder(folder, name, how):
    if not os.path.isdir(folder):
        raise TrainingError(f"{name}: the data folder {os.path.abspath(folder)} does not exist. {how}")


# ---- IDX (MNIST, Fashion-MNIST, the package's shapes) ----

def idx_pair(folder, name, classes, how):
    _missing_folder(folder, name, how)

    def find(stem):
        for candidate in (stem + ".gz", stem, stem.replace("-idx", ".idx") + ".gz", stem.replace("-idx", ".idx")):
            p = os.path.join(folder, candidate)
            if os.path.isfile(p):
                return p
        raise TrainingError(f"{name}: {os.path.join(folder, stem + '.gz')} not found (tried {os.path.abspath(folder)}). {how}")

    def split(images, labels, what):
        x = read_idx(find(images), 3)
        y = read_idx(find(labels), 1)
        if x.shape[0] != y.shape[0]:
            raise TrainingError(f"{name}: {x.shape[0]} images but {y.shape[0]} labels; one of the files is damaged or from another data set")
        if y.size and int(y.max()) >= len(classes):
            raise TrainingError(f"{name}: label {int(y.max())} is not a class of this data set (0–{len(classes) - 1}); a file is damaged or from another data set")
        return {"images": torch.from_numpy(x.copy()).unsqueeze(1), "labels": torch.from_numpy(y.astype(np.int64)), "classes": classes, "description": what}

    return (split("train-images-idx3-ubyte", "train-labels-idx1-ubyte", name),
            split("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", name + " (test)"))


def read_idx(path, rank):
    fix = "the file is damaged or incomplete — download it again"
    try:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as e:
        raise TrainingError(f"{path} cannot be read ({e}); {fix}") from None
    if len(data) < 4 + 4 * rank or data[0] != 0 or data[1] != 0 or data[2] != 8 or data[3] != rank:
        raise TrainingError(f"{path} is not an IDX file of {rank}-d unsigned bytes; {fix}")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    total = int(np.prod(dims))
    body = data[4 + 4 * rank:]
    if len(body) < total:
        raise TrainingError(f"{path} is truncated: its header says {'×'.join(map(str, dims))} ({total:,} bytes) but it holds {len(body):,}; {fix}")
    return np.frombuffer(body, dtype=np.uint8, count=total).reshape(dims)


# ---- CIFAR-10, binary version ----

def cifar10(folder, classes):
    how = "download the CIFAR-10 binary version (cifar-10-binary.tar.gz), unpack it and pass --data DIR"
    _missing_folder(folder, "cifar10", how)
    root = os.path.join(folder, "cifar-10-batches-bin") if os.path.isdir(os.path.join(folder, "cifar-10-batches-bin")) else folder
    record = 1 + 3 * 32 * 32

    def read(files, what):
        parts = []
        for f in files:
            if not os.path.isfile(f):
                raise TrainingError(f"cifar10: {f} not found. To get it: {how}")
            b = np.fromfile(f, dtype=np.uint8)
            if b.size == 0 or b.size % record:
                raise TrainingError(f"{f} holds {b.size:,} bytes, not a whole number of {record:,}-byte CIFAR-10 records; download it again")
            parts.append(b.reshape(-1, record))
        a = np.concatenate(parts)
        if int(a[:, 0].max()) >= len(classes):
            raise TrainingError(f"cifar10: a label is not a class (0–9); a file is damaged")
        return {"images": torch.from_numpy(a[:, 1:].reshape(-1, 3, 32, 32).copy()), "labels": torch.from_numpy(a[:, 0].astype(np.int64)), "classes": classes, "description": what}

    return read([os.path.join(root, f"data_batch_{i}.bin") for i in range(1, 6)], "cifar10"), read([os.path.join(root, "test_batch.bin")], "cifar10 (test)")


# ---- images("dir", size, channels): one subfolder per class, optionally train/ and test/ ----

def image_folder(folder, c, h, w):
    how = "it must hold one subfolder per class with the images inside (PNG, JPEG, BMP …), optionally split into train/ and test/; pass --data DIR"
    _missing_folder(folder, "images", how)
    try:
        from PIL import Image  # noqa: F401
    except ImportError:
        raise TrainingError("images: reading image files needs Pillow (pip install pillow); the other data sets need only numpy") from None
    split = os.path.isdir(os.path.join(folder, "train")) and os.path.isdir(os.path.join(folder, "test"))
    train_dir = os.path.join(folder, "train") if split else folder
    classes = sorted(n for n in os.listdir(train_dir) if os.path.isdir(os.path.join(train_dir, n)) and not n.startswith("."))
    if not classes:
        raise TrainingError(f"images: {os.path.abspath(train_dir)} has no class subfolders")
    train = _image_tree(train_dir, classes, c, h, w, "images")
    test = _image_tree(os.path.join(folder, "test"), classes, c, h, w, "images (test)") if split else None
    return train, test


def _image_tree(folder, classes, c, h, w, what):
    from PIL import Image
    files = []
    for i, name in enumerate(classes):
        d = os.path.join(folder, name)
        if not os.path.isdir(d):
            continue
        found = []
        for root, _, names in os.walk(d):
            found += [os.path.join(root, n) for n in names if n.lower().endswith(IMAGE_EXTENSIONS)]
        files += [(p, i) for p in sorted(found)]
    if not files:
        raise TrainingError(f"images: no image files (PNG, JPEG, BMP …) under {os.path.abspath(folder)}")
    images = np.zeros((len(files), c, h, w), dtype=np.uint8)
    labels = np.zeros(len(files), dtype=np.int64)
    for k, (path, label) in enumerate(files):
        try:
            with Image.open(path) as img:
                a = np.asarray(img.convert("L" if c == 1 else "RGB"), dtype=np.uint8)
        except Exception as e:  # noqa: BLE001 — any decoder failure is the same user error
            raise TrainingError(f"images: cannot read {path} as an image ({e}); delete it or replace it") from None
        images[k] = resize_to_planar(a.reshape(a.shape[0], a.shape[1], -1), h, w)
        labels[k] = label
    return {"images": torch.from_numpy(images), "labels": torch.from_numpy(labels), "classes": classes, "description": what}


def resize_to_planar(src, dh, dw):
    """Bilinear resize of H×W×C bytes into C×dh×dw, as DataSets.ResizeToPlanar does (half-pixel centres, clamped)."""
    sh, sw, _ = src.shape
    fy = np.clip((np.arange(dh) + 0.5) * sh / dh - 0.5, 0, sh - 1)
    fx = np.clip((np.arange(dw) + 0.5) * sw / dw - 0.5, 0, sw - 1)
    y0, x0 = fy.astype(int), fx.astype(int)
    y1, x1 = np.minimum(y0 + 1, sh - 1), np.minimum(x0 + 1, sw - 1)
    ty, tx = (fy - y0)[:, None, None], (fx - x0)[None, :, None]
    s = src.astype(np.float64)
    top = s[y0][:, x0] * (1 - tx) + s[y0][:, x1] * tx
    bottom = s[y1][:, x0] * (1 - tx) + s[y1][:, x1] * tx
    v = top * (1 - ty) + bottom * ty
    return np.clip(np.round(v), 0, 255).astype(np.uint8).transpose(2, 0, 1)


# ---- edges(DATASET, size: HxW): each image's edge map is its input (PairedDataSets.Edges) ----

EDGE_THRESHOLD = 0.25  # an edge is where the gradient is at least this fraction of the image's strongest


def edges(split, h, w):
    """The images resized to h×w (bilinear) are the targets; the input is their Sobel edge map, 255 on an edge and 0 elsewhere."""
    targets, inputs = [], []
    for start in range(0, len(split["images"]), 4096):  # bounds the float copies of a large data set
        x = split["images"][start:start + 4096].float().div_(255.0)
        if x.shape[2] != h or x.shape[3] != w:
            x = F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False)
        targets.append(x.mul(255.0).round_().clamp_(0, 255).to(torch.uint8))
        inputs.append(edge_map(x))
    return dict(split, images=torch.cat(targets), inputs=torch.cat(inputs), description=f"edges of {split['description']}, {h}×{w}")


def edge_map(images):
    """Edge maps (uint8 [N, 1, H, W]) of float images in [0, 1]: the Sobel magnitude of the grey image (the channels' mean,
    border pixels repeated) above EDGE_THRESHOLD of the image's largest; a flat image has none."""
    grey = images.mean(1, keepdim=True)
    padded = F.pad(grey, (1, 1, 1, 1), mode="replicate")
    sobel_x = torch.tensor([-1.0, 0, 1, -2, 0, 2, -1, 0, 1]).view(1, 1, 3, 3)
    gx = F.conv2d(padded, sobel_x)
    gy = F.conv2d(padded, sobel_x.transpose(2, 3))
    magnitude = (gx * gx + gy * gy).sqrt()
    strongest = magnitude.amax((1, 2, 3), keepdim=True)
    edge = magnitude.gt(strongest * EDGE_THRESHOLD).logical_and(magnitude.gt(1e-6))
    return edge.to(torch.uint8).mul_(255)


# ---- pairs("dir", size: HxW, channels: C, direction: AtoB|BtoA): pix2pix's side-by-side files (PairedDataSets.LoadPairs) ----

def load_pairs(folder, c, h, w, b_to_a):
    how = "it must hold images with the input and the target side by side (A left, B right), in train/ and val/ or test/ subfolders or directly; pass --data DIR"
    if not os.path.isdir(folder):
        raise TrainingError(f"pairs: folder {os.path.abspath(folder)} not found. {how}")
    train_dir = os.path.join(folder, "train") if os.path.isdir(os.path.join(folder, "train")) else folder
    test_dir = next((os.path.join(folder, s) for s in ("val", "test") if os.path.isdir(os.path.join(folder, s))), None)
    train = _read_pairs(train_dir, c, h, w, b_to_a, "pairs")
    test = _read_pairs(test_dir, c, h, w, b_to_a, f"pairs ({os.path.basename(test_dir)})") if train_dir != folder and test_dir else None
    return train, test


def _read_pairs(folder, c, h, w, b_to_a, what):
    files = sorted((os.path.join(folder, n) for n in os.listdir(folder)
                    if n.lower().endswith(IMAGE_EXTENSIONS) and not n.startswith(".") and os.path.isfile(os.path.join(folder, n))))
    if not files:
        raise TrainingError(f"pairs: no image files (PNG, JPEG, BMP …) in {os.path.abspath(folder)}")
    inputs = np.zeros((len(files), c, h, w), dtype=np.uint8)
    targets = np.zeros((len(files), c, h, w), dtype=np.uint8)
    for k, path in enumerate(files):
        if os.path.getsize(path) == 0:
            raise TrainingError(f"pairs: {path} is empty (0 bytes); delete it or replace it with an image")
        a = read_image(path, c)
        height, width = a.shape[0], a.shape[1]
        if width < 2 or width % 2:
            raise TrainingError(f"pairs: {path} is {width}×{height}, but a pair is two images of the same size side by side, "
                                f"so its width must be even (such as 512×256 for two 256×256 halves)")
        left, right = a[:, :width // 2], a[:, width // 2:]
        source, target = (right, left) if b_to_a else (left, right)
        inputs[k] = resize_to_planar(source, h, w)
        targets[k] = resize_to_planar(target, h, w)
    return {"images": torch.from_numpy(targets), "inputs": torch.from_numpy(inputs), "labels": torch.zeros(len(files), dtype=torch.int64),
            "classes": [], "description": what}


def read_image(path, c):
    """H×W×c bytes (grey: the luminance, as the trainer's decoder). PNG needs only zlib; other formats need Pillow."""
    if path.lower().endswith(".png"):
        try:
            return _grey_or_rgb(read_png(path), c)
        except (ValueError, zlib.error, struct.error, IndexError) as e:
            raise TrainingError(f"pairs: cannot read {path} as an image ({e}); it may be truncated — delete it or replace it with a PNG, JPEG, BMP, GIF or TGA file") from None
    try:
        from PIL import Image
    except ImportError:
        raise TrainingError(f"pairs: reading {os.path.splitext(path)[1]} files needs Pillow (pip install pillow); PNG files need only numpy") from None
    try:
        with Image.open(path) as img:
            a = np.asarray(img.convert("RGBA" if img.mode in ("RGBA", "LA", "P") else "RGB"), dtype=np.uint8)
    except Exception as e:  # noqa: BLE001 — any decoder failure is the same user error
        raise TrainingError(f"pairs: cannot read {path} as an image ({e}); it may be truncated — delete it or replace it with a PNG, JPEG, BMP, GIF or TGA file") from None
    return _grey_or_rgb(a, c)


def _grey_or_rgb(a, c):
    """a: H×W×(1|2|3|4) bytes -> H×W×c, as stb_image converts (grey = (77 R + 150 G + 29 B) >> 8; alpha dropped)."""
    if a.shape[2] in (2, 4):
        a = a[:, :, :a.shape[2] - 1]
    if c == 1:
        if a.shape[2] == 1:
            return a
        rgb = a.astype(np.uint32)
        return ((rgb[:, :, 0] * 77 + rgb[:, :, 1] * 150 + rgb[:, :, 2] * 29) >> 8).astype(np.uint8)[:, :, None]
    return np.repeat(a, 3, axis=2) if a.shape[2] == 1 else a


def read_png(path):
    """An 8-bit, non-interlaced PNG (grey, grey+alpha, RGB, RGBA or palette) as H×W×channels bytes."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, palette, head = 8, [], None, None
    while pos + 8 <= len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if len(body) < length:
            raise ValueError("truncated")
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = np.frombuffer(body, dtype=np.uint8).reshape(-1, 3)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if head is None or not idat:
        raise ValueError("no image data")
    width, height, depth, colour, _, _, interlace = head
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(colour)
    if depth != 8 or interlace or channels is None:
        raise ValueError(f"a {depth}-bit{' interlaced' if interlace else ''} PNG of colour type {colour}; this reader takes 8-bit, non-interlaced PNGs (or install Pillow)")
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
    stride = width * channels
    if raw.size < height * (stride + 1):
        raise ValueError("truncated image data")
    rows = raw[:height * (stride + 1)].reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.int32)
    previous = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:].astype(np.int32)
        if kind == 0:
            cur = line
        elif kind == 2:
            cur = (line + previous) & 255
        else:  # sub, average, paeth depend on the pixel to the left: byte by byte
            cur = np.zeros(stride, dtype=np.int32)
            for i in range(stride):
                left = cur[i - channels] if i >= channels else 0
                up = previous[i]
                if kind == 1:
                    pred = left
                elif kind == 3:
                    pred = (left + up) >> 1
                elif kind == 4:
                    upper_left = previous[i - channels] if i >= channels else 0
                    p = left + up - upper_left
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
                    pred = left if pa <= pb and pa <= pc else up if pb <= pc else upper_left
                else:
                    raise ValueError(f"unknown PNG filter {kind}")
                cur[i] = (line[i] + pred) & 255
        out[y] = cur
        previous = cur
    image = out.astype(np.uint8).reshape(height, width, channels)
    if colour == 3:
        if palette is None:
            raise ValueError("a palette PNG without a palette")
        image = palette[image[:, :, 0]]
    return image
