"""The data sets of the .ann language, read as annlsp train reads them (server/Annlsp.Training/Data).

Each reader returns (train, test): dicts with "images" (uint8 tensor [N, C, H, W]), "labels" (int64 [N])
and "classes"; test may be None. Every rank reads the whole set (as the trainer holds it in memory);
DistributedSampler then gives each rank its part of every global batch.
"""
import gzip
import os

import numpy as np
import torch

from annlsp_run import TrainingError

FASHION_MNIST_DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_ENV = "ANNLSP_FASHION_MNIST"
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga")
HERE = os.path.dirname(os.path.abspath(__file__))


def load(spec, data_dir=None):
    """spec: the "data" object of annlsp_target.json; data_dir: --data, which replaces the folder the .ann names."""
    name = spec["name"]
    classes = spec.get("classes")
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
    raise TrainingError(f"unknown data set '{name}' (this package reads fashion_mnist, mnist, cifar10, images and shapes)")


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
