"""The annlsp run folder, written by rank 0 of a torchrun job (docs/torchrun.md).

run.json, source.ann, metrics.jsonl (step and epoch events), samples/epoch-NNN.png,
checkpoint.safetensors (atomic: temporary file, fsync, rename), model.pt — the same files and keys
as `annlsp train` writes, so the editor's "Open run preview", `annlsp sample` and `annlsp export --run`
read a cluster run like a local one. Needs only the standard library, numpy and torch.
"""
import datetime
import hashlib
import json
import math
import os
import struct
import zlib

import numpy as np
import torch

CHECKPOINT_FILE = "checkpoint.safetensors"
METRICS_FILE = "metrics.jsonl"
RUN_FILE = "run.json"
MODEL_FILE = "model.pt"
SOURCE_FILE = "source.ann"
PROTOCOL_VERSION = 1


class TrainingError(Exception):
    """A problem the user can fix; train.py prints it as one line and exits 1."""


# ---- progress events (docs/progress-protocol.md) ----

def _json_value(v):
    if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return round(v, 6)
    if isinstance(v, dict):
        return {k: _json_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_value(x) for x in v]
    return str(v)


def event_json(kind, fields):
    now = datetime.datetime.now(datetime.timezone.utc)
    o = {"v": PROTOCOL_VERSION, "event": kind, "time": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"}
    for k, v in fields.items():
        o[k] = _json_value(v)
    return json.dumps(o, ensure_ascii=False, separators=(",", ":"))


# ---- files ----

def write_atomic(path, data):
    """Writes bytes to a temporary file in the same folder, flushes it to disk, then renames it over path."""
    temp = f"{path}.{os.getpid()}.tmp"
    if os.path.lexists(temp):
        os.remove(temp)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise
    os.replace(temp, path)


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RunFolder:
    def __init__(self, path):
        self.path = os.path.abspath(path)

    @staticmethod
    def create(root, target):
        safe = "".join(ch if ch.isalnum() or ch in "_-." else "-" for ch in target.replace(" as ", "-"))
        base = os.path.realpath(os.path.join(os.path.abspath(root), safe))
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = os.path.join(base, stamp)
        i = 2
        while os.path.exists(path):
            path = os.path.join(base, f"{stamp}-{i}")
            i += 1
        os.makedirs(os.path.join(path, "samples"))
        return RunFolder(path)

    @staticmethod
    def open(path):
        if not os.path.isdir(path):
            raise TrainingError(f"run folder {path} does not exist")
        return RunFolder(os.path.realpath(path))

    @property
    def checkpoint(self):
        return os.path.join(self.path, CHECKPOINT_FILE)

    @property
    def metrics(self):
        return os.path.join(self.path, METRICS_FILE)

    def sample_path(self, epoch):
        return os.path.join(self.path, "samples", f"epoch-{epoch:03d}.png")

    def write_run_json(self, o):
        write_atomic(os.path.join(self.path, RUN_FILE), json.dumps(_json_value(o), indent=2, ensure_ascii=False).encode("utf-8"))

    def read_run_json(self):
        try:
            with open(os.path.join(self.path, RUN_FILE), encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def write_source(self, text):
        write_atomic(os.path.join(self.path, SOURCE_FILE), text.encode("utf-8"))

    def append_metrics(self, line):
        with open(self.metrics, "a", encoding="utf-8") as f:
            f.write(line + "\n")

    def read_metrics(self):
        lines = []
        if not os.path.exists(self.metrics):
            return lines
        with open(self.metrics, encoding="utf-8") as f:
            for line in f:
                try:
                    o = json.loads(line)
                    if isinstance(o, dict):
                        lines.append(o)
                except ValueError:
                    pass  # a line cut by a kill
        return lines

    def truncate_metrics(self, global_step):
        """Before a resume: the lines after the checkpoint's step were trained by the killed job and come again."""
        kept = [o for o in self.read_metrics() if isinstance(o.get("globalStep"), int) and o["globalStep"] <= global_step]
        write_atomic(self.metrics, "".join(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n" for o in kept).encode("utf-8"))

    def remove_temporary_files(self):
        for folder in (self.path, os.path.join(self.path, "samples")):
            if os.path.isdir(folder):
                for name in os.listdir(folder):
                    if name.endswith(".tmp"):
                        try:
                            os.remove(os.path.join(folder, name))
                        except OSError:
                            pass


# ---- checkpoints: safetensors, the format annlsp train writes (tensors plus a JSON "meta" byte tensor) ----

_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8", torch.float16: "F16", torch.bool: "BOOL"}
_NP = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8, "F16": np.float16, "BOOL": np.bool_}


def save_checkpoint(path, tensors, meta):
    header, blobs, offset = {}, [], 0
    items = list(tensors.items()) + [("meta", torch.tensor(list(json.dumps(meta).encode("utf-8")), dtype=torch.uint8))]
    for name, t in items:
        t = t.detach().cpu().contiguous()
        data = t.numpy().tobytes()
        header[name] = {"dtype": _DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    write_atomic(path, struct.pack("<Q", len(head)) + head + b"".join(blobs))


def load_checkpoint(path):
    """(tensors, meta) of an annlsp checkpoint; a damaged or foreign file is a TrainingError naming it."""
    fix = "the file is damaged or not an annlsp checkpoint; resume from another run, or start afresh without --resume"
    if not os.path.isfile(path):
        raise TrainingError(f"no checkpoint at {path}")
    with open(path, "rb") as f:
        data = f.read()
    try:
        if len(data) < 8:
            raise ValueError("shorter than a safetensors header")
        (n,) = struct.unpack("<Q", data[:8])
        if n > len(data) - 8:
            raise ValueError(f"its header claims {n} bytes, the file holds {len(data) - 8}")
        header = json.loads(data[8:8 + n].decode("utf-8"))
        body = data[8 + n:]
        tensors = {}
        for name, spec in header.items():
            if name == "__metadata__":
                continue
            begin, end = spec["data_offsets"]
            if not (0 <= begin <= end <= len(body)):
                raise ValueError(f"tensor '{name}' lies outside the file (truncated?)")
            arr = np.frombuffer(body[begin:end], dtype=_NP[spec["dtype"]])
            shape = spec["shape"]
            if arr.size != (int(np.prod(shape)) if shape else 1):
                raise ValueError(f"tensor '{name}' has {arr.size} values for shape {shape}")
            tensors[name] = torch.from_numpy(arr.copy()).reshape(shape)
        if "meta" not in tensors:
            raise ValueError("no meta")
        meta = json.loads(bytes(tensors.pop("meta").tolist()).decode("utf-8"))
        for key in ("target", "seed", "epoch", "stepInEpoch", "globalStep"):
            if key not in meta:
                raise ValueError(f"its meta has no '{key}'")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, struct.error) as e:
        raise TrainingError(f"{path} cannot be read as a checkpoint ({e}); {fix}") from None
    return tensors, meta


# ---- PNG grids (ImageGrid.cs): zlib + struct, no imaging library ----

GUTTER = 2
_DIGITS = ["###,#.#,#.#,#.#,###", "..#,..#,..#,..#,..#", "###,..#,###,#..,###", "###,..#,###,..#,###", "#.#,#.#,###,..#,..#",
           "###,#..,###,..#,###", "###,#..,###,#.#,###", "###,..#,..#,..#,..#", "###,#.#,###,#.#,###", "###,#.#,###,..#,###"]


def write_png_rgb(path, rgb):
    """rgb: uint8 array [H, W, 3]."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    write_atomic(path, png)
    return w, h


def _draw_number(rgb, x, y, number, right):
    text = str(number)
    h, w, _ = rgb.shape
    rgb[y:min(h, y + 7), x:min(w, x + len(text) * 4 + 1)] = 0
    for i, ch in enumerate(text):
        rows = _DIGITS[ord(ch) - 48].split(",")
        for ry in range(5):
            for rx in range(3):
                if rows[ry][rx] == "#" and y + 1 + ry < h and x + 1 + i * 4 + rx < w:
                    rgb[y + 1 + ry, x + 1 + i * 4 + rx] = (255, 255, 255) if right else (255, 120, 120)


def write_grid(path, images, rows, cols, lo, hi, predicted=None, correct=None):
    """images [N, C, H, W] with values in [lo, hi] as a rows x cols grid (a classifier's framed green/red with its prediction)."""
    x = images.detach().cpu().float()
    x = ((x - lo) / (hi - lo)).clamp(0, 1).mul(255).round().to(torch.uint8).numpy()
    n = min(x.shape[0], rows * cols)
    c, h, w = x.shape[1], x.shape[2], x.shape[3]
    scale = 2 if predicted is not None and h < 48 else 1
    cell_w, cell_h = w * scale + 2 * GUTTER, h * scale + 2 * GUTTER
    rgb = np.full((rows * cell_h, cols * cell_w, 3), 24, dtype=np.uint8)
    for k in range(n):
        r, col = divmod(k, cols)
        ox, oy = col * cell_w + GUTTER, r * cell_h + GUTTER
        img = x[k]
        img = np.repeat(img, 3, axis=0) if c == 1 else img[:3]
        img = img.transpose(1, 2, 0).repeat(scale, axis=0).repeat(scale, axis=1)
        if correct is not None and k < len(correct):
            rgb[oy - GUTTER:oy + h * scale + GUTTER, ox - GUTTER:ox + w * scale + GUTTER] = (40, 200, 60) if correct[k] else (230, 40, 40)
        rgb[oy:oy + h * scale, ox:ox + w * scale] = img
        if predicted is not None and k < len(predicted):
            _draw_number(rgb, ox + 1, oy + 1, int(predicted[k]), correct is None or bool(correct[k]))
    return write_png_rgb(path, rgb)
