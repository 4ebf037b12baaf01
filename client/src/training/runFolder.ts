// Reading a run folder from disk (for reopening past runs): run.json, metrics.jsonl and the
// sample images under samples/. Node only, no vscode.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { emptyRun, parseMetricsLines, reduce, reduceAll, RunState } from './previewState';
import { epochFromSampleName, resolveSamplePath } from '../pathSafety';

export interface RunFolder {
  config?: Record<string, unknown>;
  state: RunState;
}

export async function readRunConfig(runDir: string): Promise<Record<string, unknown> | undefined> {
  try {
    const o = JSON.parse(await fs.readFile(path.join(runDir, 'run.json'), 'utf8'));
    return o && typeof o === 'object' && !Array.isArray(o) ? o : undefined;
  } catch {
    return undefined;
  }
}

function str(v: unknown): string | undefined { return typeof v === 'string' && v ? v : undefined; }

/** Rebuilds a run's preview state from its folder. */
export async function readRunFolder(runDir: string, fallbackTarget?: string): Promise<RunFolder> {
  const config = await readRunConfig(runDir);
  const target = str(config?.target) ?? str(config?.name) ?? fallbackTarget ?? path.basename(path.dirname(runDir));
  const uri = str(config?.uri) ?? str(config?.source) ?? '';
  let state = emptyRun(uri, target, runDir);
  state.status = 'unknown';
  let text = '';
  try { text = await fs.readFile(path.join(runDir, 'metrics.jsonl'), 'utf8'); } catch { /* no metrics yet */ }
  state = reduceAll(state, parseMetricsLines(text), p => resolveSamplePath(runDir, p));
  let names: string[] = [];
  try { names = await fs.readdir(path.join(runDir, 'samples')); } catch { /* no samples */ }
  for (const n of names.sort()) {
    const ep = epochFromSampleName(n);
    if (ep !== undefined && !state.samples.some(s => s.epoch === ep)) {
      state = reduce(state, { event: 'sample', epoch: ep, path: path.join('samples', n) }, p => resolveSamplePath(runDir, p));
    }
  }
  if (config) {
    const device = str(config.device) ?? str((config.training as Record<string, unknown> | undefined)?.device);
    if (device && !state.device) state.device = device;
    const epochs = config.epochs ?? (config.training as Record<string, unknown> | undefined)?.epochs;
    if (typeof epochs === 'number' && state.epochsTotal === undefined) state.epochsTotal = epochs;
    const status = str(config.status);
    if (state.status === 'unknown' && (status === 'finished' || status === 'failed' || status === 'stopped')) state.status = status;
  }
  // metrics.jsonl keeps steps and epochs only: a run whose last epoch is there has finished
  if (state.status === 'unknown' && state.epochsTotal !== undefined && state.epoch !== undefined && state.epoch >= state.epochsTotal) {
    state.status = 'finished';
  }
  return { config, state };
}

/** Flattens run.json into label/value rows for the preview's configuration table. */
export function configRows(config: Record<string, unknown> | undefined, max = 40): { key: string; value: string }[] {
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
