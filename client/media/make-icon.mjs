// Generates icon.png (128×128): three layers of neurons joined by edges, on a rounded tile.
// Pure node (zlib for the PNG's IDAT), 4×4 supersampling for smooth edges. Run: node client/media/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const N = 128, SS = 4;
const layers = [[40, 64, 88], [28, 52, 76, 100], [52, 76]].map((ys, i) => ys.map(y => [26 + i * 38, y]));
const edges = [];
for (let l = 0; l + 1 < layers.length; l++)
  for (const a of layers[l]) for (const b of layers[l + 1]) edges.push([a, b]);

function segDist(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}
function sample(x, y) {
  // rounded tile
  const r = 22, cx = Math.min(Math.max(x, r), N - r), cy = Math.min(Math.max(y, r), N - r);
  if (Math.hypot(x - cx, y - cy) > r) return [0, 0, 0, 0];
  for (const layer of layers) for (const [nx, ny] of layer) {
    const d = Math.hypot(x - nx, y - ny);
    if (d < 7.5) return d > 6 ? [255, 255, 255, 255] : [255, 167, 38, 255];
  }
  for (const e of edges) if (segDist(x, y, e[0], e[1]) < 1.3) return [144, 202, 249, 255];
  const g = y / N; // vertical gradient
  return [Math.round(21 + 20 * g), Math.round(52 + 30 * g), Math.round(96 + 40 * g), 255];
}
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0;
  for (let x = 0; x < N; x++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < SS; sy++) for (let sx = 0; sx < SS; sx++) {
      const p = sample(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS);
      for (let k = 0; k < 3; k++) acc[k] += p[k] * p[3] / 255;
      acc[3] += p[3];
    }
    const a = acc[3] / (SS * SS), o = y * (N * 4 + 1) + 1 + x * 4;
    for (let k = 0; k < 3; k++) raw[o + k] = a ? Math.round(acc[k] / (acc[3] / 255)) : 0;
    raw[o + 3] = Math.round(a);
  }
}
const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc = buf => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 255] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0); ihdr.writeUInt32BE(N, 4); ihdr[8] = 8; ihdr[9] = 6; // 8-bit RGBA
const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
writeFileSync(fileURLToPath(new URL('./icon.png', import.meta.url)), png);
console.log(`icon.png: ${png.length} bytes`);
