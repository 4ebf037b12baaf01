// A minimal PNG writer (grey or RGB, 8-bit) for test fixtures: sample grids and the like.
import { deflateSync } from 'node:zlib';

const CRC = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc32 = buf => { let c = 0xffffffff; for (const b of buf) c = CRC[(c ^ b) & 255] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const c = Buffer.alloc(4); c.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, c]);
}

/** pixel(x, y) returns a grey value 0–255. */
export function greyPng(width, height, pixel) {
  const raw = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0;
    for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = Math.max(0, Math.min(255, Math.round(pixel(x, y))));
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = 8; ihdr[9] = 0;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** An R×C grid of 28×28 drawings (circles whose radius grows with `epoch`), like a GAN's sample grid. */
export function sampleGrid(epoch, rows = 4, cols = 4) {
  const S = 28, pad = 2, W = cols * (S + pad) + pad, H = rows * (S + pad) + pad;
  return greyPng(W, H, (x, y) => {
    const cx = Math.floor((x - pad) / (S + pad)), cy = Math.floor((y - pad) / (S + pad));
    const lx = (x - pad) % (S + pad), ly = (y - pad) % (S + pad);
    if (cx < 0 || cy < 0 || lx >= S || ly >= S) return 40;
    const r = 3 + epoch * 2 + ((cx + cy) % 3);
    return Math.hypot(lx - 13.5, ly - 13.5) < r ? 230 : 0;
  });
}
