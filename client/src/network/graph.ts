// The network view's drawing: the result of the server's `annlsp.networkGraph` command drawn as a
// stack of boxes (width ∝ log of the tensor size) in execution order, with shapes, parameter counts,
// skips (an input other than the box right above: a residual's input, a named tensor) as arcs beside
// the stack and, for a gan, the generator and discriminator side by side. Pure: data in, SVG text out
// (also the export).
import { esc, human, shapeText } from '../webview/svg';

export interface GraphLayer {
  kind: string;
  /** The kind's category, as the server's layer catalogue defines it ("convolution", "activation" …; "residual"). */
  category?: string;
  output: number[];
  params?: number;
  macs?: number;
  line?: number;
  /** Optional: a block's name, or an argument summary, when the server sends one. */
  label?: string;
  /** Graph nodes only: the rows this one reads (earlier rows; the first is the running tensor). */
  inputs?: number[];
  /** Graph nodes only: the tensor name of the output (`as e1`, "time"). */
  name?: string;
  /** Graph nodes only: the module path, the prefix of the layer's state-dict keys ("layers.3.body.0"). */
  key?: string;
}

export interface NetworkGraph {
  name: string;
  input: number[];
  /** The rows drawn: the server's graph nodes (the input first) when it sends them, else its layers. */
  layers: GraphLayer[];
  /** True when `layers` are graph nodes, whose `inputs` say what is connected to what. */
  isGraph?: boolean;
  params?: number;
  macs?: number;
  /** A gan: the two networks it pairs. */
  generator?: NetworkGraph;
  discriminator?: NetworkGraph;
}

/** Validates and normalises whatever the server answered; undefined when it is not a graph. */
export function asGraph(v: unknown): NetworkGraph | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const shape = (x: unknown) => Array.isArray(x) ? x.filter((n): n is number => typeof n === 'number') : [];
  const gen = asGraph(o.generator), dis = asGraph(o.discriminator);
  const isGraph = Array.isArray(o.nodes) && o.nodes.length > 0;
  const rows = isGraph ? o.nodes as unknown[] : Array.isArray(o.layers) ? o.layers : undefined;
  const layers = rows ? rows.filter(l => l && typeof l === 'object').map((l, i) => {
    const r = l as Record<string, unknown>;
    // an input must be an earlier row: anything else is dropped rather than drawn as a loop
    const inputs = isGraph ? shape(r.inputs).filter(n => Number.isInteger(n) && n >= 0 && n < i) : undefined;
    return {
      kind: String(r.kind ?? r.name ?? '?'),
      category: typeof r.category === 'string' ? r.category : undefined,
      output: shape(r.output ?? r.shape),
      params: typeof r.params === 'number' ? r.params : undefined,
      macs: typeof r.macs === 'number' ? r.macs : undefined,
      line: typeof r.line === 'number' ? r.line : undefined,
      label: typeof r.label === 'string' ? r.label : undefined,
      inputs,
      name: typeof r.name === 'string' ? r.name : undefined,
      key: typeof r.key === 'string' && r.key ? r.key : undefined,
    } satisfies GraphLayer;
  }) : [];
  if (!layers.length && !gen && !dis) return undefined;
  return {
    name: String(o.name ?? '?'),
    input: shape(o.input),
    layers,
    isGraph: isGraph || undefined,
    params: typeof o.params === 'number' ? o.params : gen || dis ? (gen?.params ?? 0) + (dis?.params ?? 0) : layers.reduce((a, l) => a + (l.params ?? 0), 0),
    macs: typeof o.macs === 'number' ? o.macs : undefined,
    generator: gen,
    discriminator: dis,
  };
}

/** A colour per layer category of the server's catalogue (LayerCategory); any other (residual) is pink. */
export const CATEGORY_COLOURS: Readonly<Record<string, string>> = {
  input: '#78909c',
  convolution: '#42a5f5',
  pooling: '#66bb6a',
  reshaping: '#26a69a',
  dense: '#ffa726',
  activation: '#9e9e9e',
  normalization: '#ab47bc',
  regularization: '#ab47bc',
};
export function layerColor(category: string | undefined): string {
  return (category !== undefined && Object.hasOwn(CATEGORY_COLOURS, category) ? CATEGORY_COLOURS[category] : undefined) ?? '#ec407a';
}

const ROW = 36, BOX_H = 28, COL_W = 360, HEAD = 44, LANE = 14, LANE_GAP = 10;
const size = (s: readonly number[]) => s.reduce((a, b) => a * Math.max(1, b), 1);

/** A skip: row `to` reads row `from`'s output, which is not the row right above it. */
export interface Skip { from: number; to: number; lane: number }

/**
 * The skips among graph rows and the lane (0 = nearest the stack) each arc is drawn in: shorter
 * arcs inside longer ones, and no two arcs of one lane spanning a common row.
 */
export function skipArcs(rows: readonly GraphLayer[]): Skip[] {
  const found: { from: number; to: number }[] = [];
  rows.forEach((r, to) => (r.inputs ?? []).forEach((from, k) => { if (k > 0 || from !== to - 1) found.push({ from, to }); }));
  found.sort((a, b) => (a.to - a.from) - (b.to - b.from) || a.from - b.from);
  const placed: Skip[] = [];
  for (const f of found) {
    let lane = 0;
    while (placed.some(p => p.lane === lane && p.from <= f.to && f.from <= p.to)) lane++;
    placed.push({ ...f, lane });
  }
  return placed.sort((a, b) => a.to - b.to || a.from - b.from);
}

/** A row reads the one right above it through the straight line of the stack (always, without graph inputs). */
function chained(r: GraphLayer, i: number): boolean {
  return r.inputs === undefined || r.inputs[0] === i - 1;
}

function columnSvg(g: NetworkGraph, x: number, y: number): { svg: string; width: number; height: number } {
  // the input is drawn once: from the graph's `input` unless the server lists it as the first layer (or node)
  const rows: GraphLayer[] = g.layers[0]?.kind === 'input' ? g.layers : [{ kind: 'input', category: 'input', output: g.input }, ...g.layers];
  const maxLog = Math.max(1, ...rows.map(r => Math.log2(size(r.output) + 1)));
  const arcs = g.isGraph ? skipArcs(rows) : [];
  const lanes = arcs.reduce((m, a) => Math.max(m, a.lane + 1), 0);
  const width = COL_W + (lanes ? LANE_GAP + lanes * LANE : 0);
  const out: string[] = [];
  out.push(`<text class="net-title" x="${x + COL_W / 2}" y="${y + 16}" text-anchor="middle" font-weight="bold" font-size="15">${esc(g.name)}</text>`);
  out.push(`<text class="net-totals" x="${x + COL_W / 2}" y="${y + 34}" text-anchor="middle" font-size="11">${g.params !== undefined ? esc(human(g.params)) + ' params' : ''}${g.macs !== undefined ? ' · ' + esc(human(g.macs)) + ' MACs' : ''}</text>`);
  const right: number[] = [];
  rows.forEach((r, i) => {
    const w = 150 + (COL_W - 150) * Math.log2(size(r.output) + 1) / maxLog;
    const bx = x + (COL_W - w) / 2, by = y + HEAD + i * ROW;
    right.push(bx + w);
    const c = layerColor(r.category);
    const line = r.line !== undefined ? ` data-line="${r.line}"` : '';
    const named = r.name !== undefined && r.kind !== 'time' ? ` as ${r.name}` : '';
    out.push(`<g class="layer"${line} data-kind="${esc(r.kind)}"><title>${esc(r.kind)}${esc(named)} → ${esc(shapeText(r.output))}${r.params ? `, ${r.params} params` : ''}${r.macs ? `, ${r.macs} MACs` : ''}${r.key ? ` (${esc(r.key)})` : ''}</title>`);
    out.push(`<rect x="${bx.toFixed(1)}" y="${by}" width="${w.toFixed(1)}" height="${BOX_H}" rx="5" fill="${c}" fill-opacity="0.22" stroke="${c}" stroke-width="1.5"/>`);
    out.push(`<text x="${(bx + 8).toFixed(1)}" y="${by + 18}" font-size="12" font-weight="bold" fill="currentColor">${esc(r.label ?? r.kind)}${named ? `<tspan class="tensor-name" font-style="italic" font-weight="normal">${esc(named)}</tspan>` : ''}</text>`);
    out.push(`<text x="${(bx + w - 8).toFixed(1)}" y="${by + 18}" font-size="12" text-anchor="end" fill="currentColor">${esc(shapeText(r.output))}${r.params ? ` · ${esc(human(r.params))}` : ''}</text>`);
    out.push('</g>');
    if (i > 0 && chained(r, i)) out.push(`<line x1="${x + COL_W / 2}" x2="${x + COL_W / 2}" y1="${by - ROW + BOX_H}" y2="${by}" stroke="currentColor" stroke-opacity="0.4"/>`);
  });
  // each skip leaves its source's right edge, runs down its lane and enters the row that reads it
  for (const a of arcs) {
    const lx = x + COL_W + LANE_GAP + a.lane * LANE, r = 5;
    const sy = y + HEAD + a.from * ROW + BOX_H / 2 + 3, ty = y + HEAD + a.to * ROW + BOX_H / 2 - 3;
    const src = rows[a.from], dst = rows[a.to];
    const what = `${src.name ?? src.label ?? src.kind} (${shapeText(src.output)}) → ${dst.label ?? dst.kind}`;
    out.push(`<g class="skip" data-from="${a.from}" data-to="${a.to}"${src.name !== undefined ? ` data-name="${esc(src.name)}"` : ''}><title>${esc(what)}</title>`);
    out.push(`<path d="M${right[a.from].toFixed(1)} ${sy} H${lx - r} Q${lx} ${sy} ${lx} ${sy + r} V${ty - r} Q${lx} ${ty} ${lx - r} ${ty} H${(right[a.to] + 2).toFixed(1)}" fill="none" stroke="${layerColor(dst.category)}" stroke-width="1.5" marker-end="url(#arrow)"/>`);
    out.push('</g>');
  }
  return { svg: out.join(''), width, height: HEAD + rows.length * ROW };
}

/** The whole drawing as a standalone SVG document (fill uses currentColor, so it themes in the webview). */
export function graphSvg(g: NetworkGraph): string {
  const cols = g.generator || g.discriminator ? [g.generator, g.discriminator].filter((c): c is NetworkGraph => !!c) : [g];
  const gap = 60, top = cols.length > 1 ? 30 : 0;
  const drawn: { svg: string; width: number; height: number; x: number }[] = [];
  let cx = 10;
  for (const c of cols) {
    const d = columnSvg(c, cx, top + 10);
    drawn.push({ ...d, x: cx });
    cx += d.width + gap;
  }
  const W = cx - gap + 10;
  const H = top + 20 + Math.max(...drawn.map(d => d.height));
  let extra = '';
  if (cols.length > 1) {
    extra += `<text x="${W / 2}" y="20" text-anchor="middle" font-size="16" font-weight="bold">${esc(g.name)}: generator → discriminator</text>`;
    const ax = drawn[0].x + drawn[0].width + 6, ay = top + 10 + drawn[0].height - ROW + BOX_H / 2, bx = drawn[1].x - 6;
    extra += `<path d="M${ax} ${ay} C ${ax + gap / 2} ${ay}, ${ax + gap / 2} ${top + 10 + HEAD + BOX_H / 2}, ${bx} ${top + 10 + HEAD + BOX_H / 2}" fill="none" stroke="currentColor" stroke-width="1.5" marker-end="url(#arrow)"/>`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" class="network" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" fill="currentColor" color="#333">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0 L10 5 L0 10 z" fill="currentColor"/></marker></defs>` +
    extra + drawn.map(d => d.svg).join('') + '</svg>';
}

/** The shape of a document symbol that matters here (vscode.DocumentSymbol or the LSP one). */
export interface SymbolLike { name: string; detail?: string; children?: SymbolLike[] }

/**
 * The generator and discriminator a gan pairs, read from the server's document symbols
 * (`gan` symbols have `generator`/`discriminator` children whose detail is the network's name).
 */
export function ganParts(symbols: readonly SymbolLike[], name: string): { generator: string; discriminator: string } | undefined {
  const gan = symbols.find(s => s.name === name && /^gan\b/.test(s.detail ?? ''));
  const child = (k: string) => gan?.children?.find(c => c.name === k)?.detail?.trim().split(/\s+/)[0];
  const generator = child('generator'), discriminator = child('discriminator');
  return generator && discriminator ? { generator, discriminator } : undefined;
}

/**
 * Asks the server for a network's graph; for a gan the server cannot draw as one graph, draws its
 * two networks side by side.
 */
export async function fetchGraph(name: string, request: (name: string) => Promise<unknown>, symbols: () => Promise<readonly SymbolLike[]>): Promise<NetworkGraph | undefined> {
  let first: unknown;
  try {
    const g = asGraph(await request(name));
    if (g) return g;
  } catch (e) { first = e; }
  const parts = ganParts(await symbols(), name);
  if (!parts) { if (first) throw first; return undefined; }
  const [generator, discriminator] = await Promise.all([request(parts.generator), request(parts.discriminator)]);
  return asGraph({ name, generator, discriminator });
}
