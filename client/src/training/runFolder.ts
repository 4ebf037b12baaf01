// Reading a run folder from disk (for reopening past runs): run.json, metrics.jsonl and the
// sample images under samples/. Node only, no vscode.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { emptyRun, parseMetricsLines, reduce, reduceAll, RunState, TrainingEvent } from './previewState';
import type { EpochEvent } from './progressEvents';
import { epochFromSampleName, resolveSamplePath } from '../pathSafety';

/** The fields of run.json (written by the trainer when a run starts, docs/training.md) that a past run's preview reads. */
export interface RunJson {
  target?: unknown;
  kind?: unknown;
  /** The trained .ann file's absolute path (null: read from standard input without a path). */
  source?: unknown;
  device?: unknown;
  epochs?: unknown;
  [key: string]: unknown;
}

export interface RunFolder {
  config?: RunJson;
  state: RunState;
}

export async function readRunConfig(runDir: string): Promise<RunJson | undefined> {
  try {
    const o = JSON.parse(await fs.readFile(path.join(runDir, 'run.json'), 'utf8'));
    return o && typeof o === 'object' && !Array.isArray(o) ? o : undefined;
  } catch {
    return undefined;
  }
}

function str(v: unknown): string | undefined { return typeof v === 'string' && v ? v : undefined; }

/** The document a run trained, as the editor names it (the `uri` of its live `annlsp/trainingEvent`s): run.json's source. */
export function sourceUri(config: RunJson | undefined): string {
  const source = str(config?.source);
  if (!source || !path.isAbsolute(source)) return '';
  try { return pathToFileURL(source).href; } catch { return ''; }
}

/**
 * metrics.jsonl holds the `step` and `epoch` events only: a run has finished when its last line is the epoch
 * event of its last epoch. Anything else (steps after it: stopped, failed, killed or still running) is unknown.
 */
export function statusOf(events: TrainingEvent[], config: RunJson | undefined): 'finished' | 'unknown' {
  const last = events[events.length - 1];
  if (last?.event !== 'epoch') return 'unknown';
  const e = last as Partial<EpochEvent>;
  const epochs = typeof e.epochs === 'number' ? e.epochs : typeof config?.epochs === 'number' ? config.epochs : undefined;
  return typeof e.epoch === 'number' && epochs !== undefined && e.epoch >= epochs ? 'finished' : 'unknown';
}

/** Rebuilds a run's preview state from its folder. */
export async function readRunFolder(runDir: string, fallbackTarget?: string): Promise<RunFolder> {
  const config = await readRunConfig(runDir);
  const target = str(config?.target) ?? fallbackTarget ?? path.basename(path.dirname(runDir));
  let state: RunState = { ...emptyRun(sourceUri(config), target, runDir), status: 'unknown' };
  let text = '';
  try { text = await fs.readFile(path.join(runDir, 'metrics.jsonl'), 'utf8'); } catch { /* no metrics yet */ }
  const events = parseMetricsLines(text);
  state = reduceAll(state, events, p => resolveSamplePath(runDir, p));
  if (state.status !== 'finished' && state.status !== 'failed' && state.status !== 'stopped') state.status = statusOf(events, config);
  let names: string[] = [];
  try { names = await fs.readdir(path.join(runDir, 'samples')); } catch { /* no samples */ }
  for (const n of names.sort()) {
    const ep = epochFromSampleName(n);
    if (ep !== undefined && !state.samples.some(s => s.epoch === ep)) {
      // a diffusion run writes its denoising trajectory beside each grid
      const trajectory = n.replace(/^epoch/i, 'trajectory');
      const extra = trajectory !== n && names.includes(trajectory) ? { trajectory: path.join('samples', trajectory) } : {};
      state = reduce(state, { event: 'sample', epoch: ep, path: path.join('samples', n), ...extra }, p => resolveSamplePath(runDir, p));
    }
  }
  const device = str(config?.device);
  if (device && !state.device) state.device = device;
  if (typeof config?.epochs === 'number' && state.epochsTotal === undefined) state.epochsTotal = config.epochs;
  const kind = str(config?.kind);
  if (kind && !state.kind) state.kind = kind;
  return { config, state };
}

/** Flattens run.json into label/value rows for the preview's configuration table. */
export function configRows(config: RunJson | undefined, max = 40): { key: string; value: string }[] {
  const rows: { key: string; value: string }[] = [];
  const walk = (o: unknown, prefix: string, depth: number) => {
    if (rows.length >= max) return;
    if (o && typeof o === 'object' && !Array.isArray(o) && depth < 3) {
      for (const [k, v] of Object.entries(o as Record<string, unknown>)) walk(v, prefix ? `${prefix}.${k}` : k, depth + 1);
    } else {
      const value = typeof o === 'string' ? o : JSON.stringify(o);
      rows.push({ key: prefix, value: value === undefined ? '' : value.length > 200 ? value.slice(0, 197) + '…' : value });
    }
  };
  walk(config, '', 0);
  return rows;
}
