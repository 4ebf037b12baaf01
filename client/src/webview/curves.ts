// Loss / accuracy curves drawn as inline SVG (no libraries). Pure: data in, SVG text out.
import { esc } from './svg';

export interface Series {
  name: string;
  /** Dense per-step points, drawn as a thin line. */
  steps?: { x: number; y: number }[];
  /** Per-epoch points, drawn as a thicker line with dots. */
  epochs?: { x: number; y: number }[];
}

export interface ChartOptions { width?: number; height?: number; title?: string }

export const PALETTE = ['#4fc3f7', '#ffb74d', '#81c784', '#e57373', '#ba68c8', '#a1887f'];

/** "Nice" tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 4): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw * (1 - 1e-9)) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number((Math.round(v / step) * step).toPrecision(12)));
  return out;
}

function fmtTick(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-2 || a >= 1e4) ? v.toExponential(1) : String(Math.round(v * 1000) / 1000);
}

export function chartSvg(series: Series[], opts: ChartOptions = {}): string {
  const W = opts.width ?? 360, H = opts.height ?? 180;
  const L = 44, R = 10, T = 24, B = 24;
  const pts = series.flatMap(s => [...(s.steps ?? []), ...(s.epochs ?? [])]).filter(p => Number.isFinite(p.x) && Number.isFinite(p.y));
  const title = opts.title ? `<text class="chart-title" x="${L}" y="15">${esc(opts.title)}</text>` : '';
  if (pts.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">${title}<text class="chart-empty" x="${W / 2}" y="${H / 2}" text-anchor="middle">waiting for the first values…</text></svg>`;
  }
  let x0 = Math.min(...pts.map(p => p.x)), x1 = Math.max(...pts.map(p => p.x));
  let y0 = Math.min(...pts.map(p => p.y)), y1 = Math.max(...pts.map(p => p.y));
  if (x1 === x0) { x0 -= 0.5; x1 += 0.5; }
  if (y1 === y0) { const d = Math.abs(y0) * 0.1 || 0.5; y0 -= d; y1 += d; }
  const pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad;
  const sx = (x: number) => L + (x - x0) / (x1 - x0) * (W - L - R);
  const sy = (y: number) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  const f = (n: number) => n.toFixed(1);
  const parts: string[] = [title];
  for (const v of ticks(y0, y1)) {
    parts.push(`<line class="grid" x1="${L}" x2="${W - R}" y1="${f(sy(v))}" y2="${f(sy(v))}"/>`);
    parts.push(`<text class="tick" x="${L - 4}" y="${f(sy(v) + 3)}" text-anchor="end">${fmtTick(v)}</text>`);
  }
  for (const v of ticks(x0, x1, 5)) {
    parts.push(`<text class="tick" x="${f(sx(v))}" y="${H - 8}" text-anchor="middle">${fmtTick(v)}</text>`);
  }
  parts.push(`<line class="axis" x1="${L}" x2="${L}" y1="${T}" y2="${H - B}"/><line class="axis" x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}"/>`);
  series.forEach((s, i) => {
    const c = PALETTE[i % PALETTE.length];
    const path = (ps: { x: number; y: number }[]) => ps.map((p, j) => `${j ? 'L' : 'M'}${f(sx(p.x))} ${f(sy(p.y))}`).join(' ');
    if (s.steps && s.steps.length > 1) parts.push(`<path class="series-steps" data-series="${esc(s.name)}" d="${path(s.steps)}" stroke="${c}" fill="none" stroke-width="1" opacity="0.55"/>`);
    if (s.epochs && s.epochs.length) {
      if (s.epochs.length > 1) parts.push(`<path class="series-epochs" data-series="${esc(s.name)}" d="${path(s.epochs)}" stroke="${c}" fill="none" stroke-width="2"/>`);
      for (const p of s.epochs) parts.push(`<circle class="point" cx="${f(sx(p.x))}" cy="${f(sy(p.y))}" r="3" fill="${c}"><title>${esc(s.name)} epoch ${p.x}: ${p.y}</title></circle>`);
    }
  });
  // the legend sits in the title row, right-aligned, so it never covers a curve
  let lx = W - R;
  for (let i = series.length - 1; i >= 0; i--) {
    const name = series[i].name;
    lx -= 14 + name.length * 6;
    parts.push(`<rect x="${lx.toFixed(1)}" y="8" width="8" height="8" fill="${PALETTE[i % PALETTE.length]}"/><text class="legend" x="${(lx + 11).toFixed(1)}" y="16">${esc(name)}</text>`);
    lx -= 8;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">${parts.join('')}</svg>`;
}
