#!/usr/bin/env python3
"""Plots a GAN run's sample scores per epoch from its metrics.jsonl as a PNG, without matplotlib or Pillow.

    /usr/bin/python3 scripts/plot-scores.py RUN_DIR/metrics.jsonl OUT.png [--title TEXT]

Top panel: `fd` per epoch (log scale) with `fd_real`, the real-vs-real floor, dashed. Bottom panel:
`confident` per epoch (0–100 %), labelled with the coverage. Only NumPy and the standard library
(zlib for the PNG), so it runs on a bare machine; text is drawn with a built-in 5×7 font.
"""
import argparse
import json
import math
import struct
import zlib

import numpy as np

# 5x7 glyphs, one string of 7 rows of 5 bits each; only the characters the labels use.
FONT = {
    "0": "01110 10001 10011 10101 11001 10001 01110", "1": "00100 01100 00100 00100 00100 00100 01110",
    "2": "01110 10001 00001 00010 00100 01000 11111", "3": "11110 00001 00001 01110 00001 00001 11110",
    "4": "00010 00110 01010 10010 11111 00010 00010", "5": "11111 10000 11110 00001 00001 10001 01110",
    "6": "00110 01000 10000 11110 10001 10001 01110", "7": "11111 00001 00010 00100 01000 01000 01000",
    "8": "01110 10001 10001 01110 10001 10001 01110", "9": "01110 10001 10001 01111 00001 00010 01100",
    ".": "00000 00000 00000 00000 00000 01100 01100", "-": "00000 00000 00000 11111 00000 00000 00000",
    "%": "11000 11001 00010 00100 01000 10011 00011", "/": "00001 00010 00010 00100 01000 01000 10000",
    "(": "00010 00100 01000 01000 01000 00100 00010", ")": "01000 00100 00010 00010 00010 00100 01000",
    ",": "00000 00000 00000 00000 01100 00100 01000", ":": "00000 01100 01100 00000 01100 01100 00000",
    " ": "00000 00000 00000 00000 00000 00000 00000", "=": "00000 00000 11111 00000 11111 00000 00000",
    ">": "01000 00100 00010 00001 00010 00100 01000",
    "A": "01110 10001 10001 11111 10001 10001 10001", "B": "11110 10001 10001 11110 10001 10001 11110",
    "C": "01110 10001 10000 10000 10000 10001 01110", "D": "11110 10001 10001 10001 10001 10001 11110",
    "E": "11111 10000 10000 11110 10000 10000 11111", "F": "11111 10000 10000 11110 10000 10000 10000",
    "G": "01110 10001 10000 10111 10001 10001 01111", "H": "10001 10001 10001 11111 10001 10001 10001",
    "I": "01110 00100 00100 00100 00100 00100 01110", "J": "00111 00010 00010 00010 00010 10010 01100",
    "K": "10001 10010 10100 11000 10100 10010 10001", "L": "10000 10000 10000 10000 10000 10000 11111",
    "M": "10001 11011 10101 10101 10001 10001 10001", "N": "10001 10001 11001 10101 10011 10001 10001",
    "O": "01110 10001 10001 10001 10001 10001 01110", "P": "11110 10001 10001 11110 10000 10000 10000",
    "Q": "01110 10001 10001 10001 10101 10010 01101", "R": "11110 10001 10001 11110 10100 10010 10001",
    "S": "01111 10000 10000 01110 00001 00001 11110", "T": "11111 00100 00100 00100 00100 00100 00100",
    "U": "10001 10001 10001 10001 10001 10001 01110", "V": "10001 10001 10001 10001 10001 01010 00100",
    "W": "10001 10001 10001 10101 10101 10101 01010", "X": "10001 10001 01010 00100 01010 10001 10001",
    "Y": "10001 10001 01010 00100 00100 00100 00100", "Z": "11111 00001 00010 00100 01000 10000 11111",
}

WHITE, BLACK, GREY, LIGHT = (255, 255, 255), (30, 30, 30), (120, 120, 120), (225, 225, 225)
BLUE, ORANGE, GREEN = (31, 119, 180), (214, 110, 20), (44, 150, 44)


class Canvas:
    def __init__(self, width, height):
        self.pixels = np.full((height, width, 3), 255, dtype=np.uint8)

    def dot(self, x, y, color, size=1):
        h, w, _ = self.pixels.shape
        x0, y0 = int(round(x)) - size // 2, int(round(y)) - size // 2
        self.pixels[max(0, y0):min(h, y0 + size), max(0, x0):min(w, x0 + size)] = color

    def line(self, x0, y0, x1, y1, color, width=1, dash=0):
        steps = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
        for i in range(steps + 1):
            if dash and (i // dash) % 2:
                continue
            t = i / steps
            self.dot(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, color, width)

    def text(self, x, y, s, color=BLACK, scale=1, anchor="left"):
        width = len(s) * 6 * scale - scale
        if anchor == "right":
            x -= width
        elif anchor == "center":
            x -= width // 2
        for k, ch in enumerate(s.upper()):
            for row, bits in enumerate(FONT.get(ch, FONT[" "]).split()):
                for col, bit in enumerate(bits):
                    if bit == "1":
                        self.pixels[y + row * scale:y + (row + 1) * scale,
                                    x + (k * 6 + col) * scale:x + (k * 6 + col + 1) * scale] = color

    def write_png(self, path):
        h, w, _ = self.pixels.shape
        raw = b"".join(b"\x00" + self.pixels[y].tobytes() for y in range(h))

        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

        with open(path, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                    + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def fmt(v):
    return f"{v:.0f}" if v >= 10 else f"{v:.1f}"


def read_epochs(path):
    epochs = []
    with open(path) as f:
        for line in f:
            if not line.startswith("{"):
                continue
            e = json.loads(line)
            if e.get("event") == "epoch" and e.get("fd") is not None:
                epochs.append(e)
    epochs.sort(key=lambda e: e["epoch"])
    return epochs


def plot(epochs, out, title):
    if not epochs:
        raise SystemExit("no epoch events with scores (fd) in the metrics file")
    W, H, left, right = 760, 520, 70, 20
    fd_top, fd_bottom, conf_top, conf_bottom = 50, 300, 350, 470
    c = Canvas(W, H)
    c.text(W // 2, 12, title, scale=2, anchor="center")
    n = epochs[-1]["epoch"]
    first = epochs[0]["epoch"]
    total = max(epochs[-1].get("epochs", n), n)

    def x_of(epoch):
        return left + (epoch - 1) / max(1, total - 1) * (W - left - right)

    # FD panel, log scale from a decade below the floor to a decade above the highest FD.
    floor = epochs[-1]["fd_real"]
    lo = 10 ** math.floor(math.log10(min(floor, min(e["fd"] for e in epochs))))
    hi = 10 ** math.ceil(math.log10(max(e["fd"] for e in epochs)))

    def y_fd(v):
        return fd_bottom - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * (fd_bottom - fd_top)

    decade = lo
    while decade <= hi * 1.0001:
        y = y_fd(decade)
        c.line(left, y, W - right, y, LIGHT)
        c.text(left - 6, int(y) - 3, fmt(decade), GREY, anchor="right")
        decade *= 10
    c.line(left, fd_top, left, fd_bottom, BLACK)
    c.line(left, fd_bottom, W - right, fd_bottom, BLACK)
    c.text(left + 6, fd_top - 14, "FD (LOG SCALE)", BLUE)
    c.line(left, y_fd(floor), W - right, y_fd(floor), ORANGE, width=2, dash=6)
    c.text(W - right, int(y_fd(floor)) - 12, f"REAL VS REAL {floor:.2f}", ORANGE, anchor="right")
    points = [(x_of(e["epoch"]), y_fd(e["fd"])) for e in epochs]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        c.line(x0, y0, x1, y1, BLUE, width=2)
    for (x, y), e in zip(points, epochs):
        c.dot(x, y, BLUE, 6)
    c.text(int(points[0][0]) + 6, int(points[0][1]) - 12, fmt(epochs[0]["fd"]), BLUE)
    if len(points) > 1:
        c.text(int(points[-1][0]) - 4, int(points[-1][1]) - 14, fmt(epochs[-1]["fd"]), BLUE, anchor="right")

    # Confident panel, 0-100 %, the last epoch's coverage beside its point.
    def y_conf(v):
        return conf_bottom - v * (conf_bottom - conf_top)

    for v in (0, 0.5, 1):
        c.line(left, y_conf(v), W - right, y_conf(v), LIGHT)
        c.text(left - 6, int(y_conf(v)) - 3, f"{v * 100:.0f}%", GREY, anchor="right")
    c.line(left, conf_top, left, conf_bottom, BLACK)
    c.line(left, conf_bottom, W - right, conf_bottom, BLACK)
    c.text(left + 6, conf_top - 14, "CONFIDENT (P >= 0.9)", GREEN)
    cpoints = [(x_of(e["epoch"]), y_conf(e["confident"])) for e in epochs]
    for (x0, y0), (x1, y1) in zip(cpoints, cpoints[1:]):
        c.line(x0, y0, x1, y1, GREEN, width=2)
    for x, y in cpoints:
        c.dot(x, y, GREEN, 6)
    last = epochs[-1]
    c.text(int(cpoints[-1][0]) - 4, int(cpoints[-1][1]) + 8,
           f"{last['confident'] * 100:.0f}% {last['coverage']}/{last['classes']}", GREEN, anchor="right")

    for e in range(1, total + 1):
        if e in (1, total) or e % 5 == 0:
            c.line(x_of(e), conf_bottom, x_of(e), conf_bottom + 4, BLACK)
            c.text(int(x_of(e)), conf_bottom + 8, str(e), BLACK, anchor="center")
    covered = f"EPOCHS {first}-{n} OF {total}" if n < total or first > 1 else f"{total} EPOCHS"
    c.text(W // 2, conf_bottom + 24, f"EPOCH ({covered})", BLACK, anchor="center")
    c.write_png(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("metrics", help="a GAN run's metrics.jsonl")
    p.add_argument("out", help="the PNG to write")
    p.add_argument("--title", default="SAMPLE SCORES PER EPOCH")
    a = p.parse_args()
    epochs = read_epochs(a.metrics)
    plot(epochs, a.out, a.title)
    print(f"{a.out}: {len(epochs)} epochs, last FD {epochs[-1]['fd']:.2f} (floor {epochs[-1]['fd_real']:.2f}), "
          f"confident {epochs[-1]['confident']:.3f}, coverage {epochs[-1]['coverage']}/{epochs[-1]['classes']}")


if __name__ == "__main__":
    main()
