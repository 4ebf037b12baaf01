// The preview's model: training events (from `annlsp/trainingEvent` notifications, or replayed from
// a run folder's metrics.jsonl) reduced into one plain, serialisable state per run. Pure.
import { epochFromSampleName } from '../pathSafety';
import type { FailedEvent, FinishedEvent, ProgressEvent, ProgressEventKind, ReferenceEvent } from './progressEvents';

export type TrainingEventKind = ProgressEventKind;

/**
 * An event as the reducer takes it: one of the trainer's (progressEvents.ts, generated from the trainer's records),
 * or a line of another tool's metrics file, whose fields are read where they mean the same.
 */
export type TrainingEvent = ProgressEvent | { event: string; [key: string]: unknown };

/** Params of the `annlsp/trainingEvent` notification: the trainer's event as it wrote it. */
export interface TrainingNotification {
  uri: string;
  target: string;
  runDir: string;
  event: ProgressEvent;
}

export type RunStatus = 'starting' | 'running' | 'finished' | 'failed' | 'stopped' | 'unknown';

/** One point of a metric curve; x is in epochs (fractional for steps). */
export interface MetricPoint { x: number; y: number }

/** An epoch's sample grid; a diffusion run's also its denoising trajectory (samples/trajectory-NNN.png). */
export interface SampleEntry { epoch: number; path: string; trajectory?: string }

export interface RunState {
  uri: string;
  target: string;
  runDir: string;
  status: RunStatus;
  kind?: string;
  device?: string;
  epochsTotal?: number;
  epoch?: number;
  step?: number;
  stepsPerEpoch?: number;
  /** Metrics reported at the end of each epoch, by name (`loss`, `accuracy`, `loss_g`, `loss_d` …). */
  epochMetrics: Record<string, MetricPoint[]>;
  /** Metrics reported per step (bounded; thinned when long). */
  stepMetrics: Record<string, MetricPoint[]>;
  /** Latest value of each metric, from whichever event reported it last. */
  latest: Record<string, number>;
  samples: SampleEntry[];
  checkpoints: number;
  message?: string;
  /** GANs: the data set's reference classifier that scores the samples (a `reference` event). */
  reference?: { status: string; data?: string; accuracy?: number; fdReal?: number; reason?: string };
  /** GANs: the number of classes the sample scores' coverage counts out of. */
  scoreClasses?: number;
  startedAt?: number;
  finishedAt?: number;
  seconds?: number;
  events: number;
}

/** Fields of an event that identify or time it rather than measure the model. */
const NON_METRIC = new Set([
  'epoch', 'epochs', 'step', 'steps', 'steps_per_epoch', 'stepsPerEpoch', 'total_steps', 'batch', 'batches', 'seed',
  'time', 'timestamp', 't', 'elapsed', 'seconds', 'elapsed_s', 'duration', 'duration_s', 'version', 'images', 'samples',
  'images_per_s', 'images_per_second', 'img_per_s', 'it_per_s', 'lr', 'params',
  // the trainer's own protocol (docs/progress-protocol.md): counters and rates, not model metrics
  'v', 'globalStep', 'global_step', 'imagesPerSecond', 'train', 'evaluation', 'resumedFrom', 'status',
  // sample scores: how many classes there are and what the scoring cost, beside fd / confident / coverage
  'classes', 'scoreSamples', 'scoreSeconds',
]);

export const MAX_STEP_POINTS = 600;

export function emptyRun(uri: string, target: string, runDir: string): RunState {
  return { uri, target, runDir, status: 'starting', epochMetrics: {}, stepMetrics: {}, latest: {}, samples: [], checkpoints: 0, events: 0 };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Numeric, model-describing fields of an event (`loss`, `accuracy`, `loss_g` …). */
export function metricsOf(e: TrainingEvent): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k === 'event' || NON_METRIC.has(k)) continue;
    const n = typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    if (n !== undefined) out[k] = n;
  }
  return out;
}

/** Keeps every other point once a series outgrows `max` (the first and the last always stay). */
export function thin(points: MetricPoint[], max: number): MetricPoint[] {
  if (points.length <= max) return points;
  const out = points.filter((_, i) => i % 2 === 0);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]);
  return out;
}

function upsert(series: MetricPoint[] | undefined, p: MetricPoint): MetricPoint[] {
  const s = (series ?? []).filter(q => q.x !== p.x);
  s.push(p);
  s.sort((a, b) => a.x - b.x);
  return s;
}

function timeOf(e: Record<string, unknown>): number | undefined {
  const t = e.time ?? e.timestamp;
  if (typeof t === 'number') return t > 1e11 ? t : t * 1000;
  if (typeof t === 'string') { const d = Date.parse(t); return Number.isNaN(d) ? undefined : d; }
  return undefined;
}

/** Applies one event; returns a new state (the input is not modified). */
export function reduce(state: RunState, e: TrainingEvent, resolveSample: (p: string) => string | undefined = p => p): RunState {
  const s: RunState = {
    ...state,
    epochMetrics: { ...state.epochMetrics },
    stepMetrics: { ...state.stepMetrics },
    latest: { ...state.latest },
    samples: state.samples,
    events: state.events + 1,
  };
  if (!e || typeof e !== 'object') return s;
  // the fields several kinds of event share (and other tools' names for them); each kind's own fields by its type below
  const o = e as Record<string, unknown>;
  const epochs = num(o.epochs);
  if (epochs !== undefined) s.epochsTotal = epochs;
  const spe = num(o.steps_per_epoch ?? o.stepsPerEpoch ?? o.steps);
  if (spe !== undefined && e.event !== 'finished') s.stepsPerEpoch = spe;
  const device = str(o.device);
  if (device) s.device = device;
  const kind = str(o.kind) ?? str(o.task) ?? str(o.mode);
  if (kind) s.kind = kind;
  const epoch = num(o.epoch);
  const t = timeOf(o);
  const classes = num(o.classes);
  if (classes !== undefined && e.event !== 'reference') s.scoreClasses = classes;

  switch (e.event) {
    case 'started':
      s.status = 'running';
      s.startedAt = t ?? s.startedAt;
      break;
    case 'reference': {
      const r = e as Partial<ReferenceEvent>;
      s.reference = { status: str(r.status) ?? 'unknown', data: str(r.data), accuracy: num(r.accuracy), fdReal: num(r.fd_real), reason: str(r.reason) };
      break;
    }
    case 'step': {
      if (s.status === 'starting') s.status = 'running';
      const step = num(o.step);
      if (epoch !== undefined) s.epoch = epoch;
      if (step !== undefined) s.step = step;
      // x in epochs: epoch e (1-based) step k of n lies at (e-1) + k/n; without n, the step count itself
      const ep = epoch ?? s.epoch;
      const x = step === undefined ? s.events
        : s.stepsPerEpoch && ep !== undefined ? (ep - 1) + Math.min(step, s.stepsPerEpoch) / s.stepsPerEpoch
        : step;
      for (const [k, v] of Object.entries(metricsOf(e))) {
        s.stepMetrics[k] = thin([...(s.stepMetrics[k] ?? []), { x, y: v }], MAX_STEP_POINTS);
        s.latest[k] = v;
      }
      break;
    }
    case 'epoch':
      if (s.status === 'starting') s.status = 'running';
      if (epoch !== undefined) {
        s.epoch = epoch;
        for (const [k, v] of Object.entries(metricsOf(e))) {
          s.epochMetrics[k] = upsert(s.epochMetrics[k], { x: epoch, y: v });
          s.latest[k] = v;
        }
      }
      break;
    case 'sample': {
      const p = str(o.path);
      const abs = p ? resolveSample(p) : undefined;
      const ep = epoch ?? (p ? epochFromSampleName(p) : undefined) ?? s.epoch;
      if (abs && ep !== undefined) {
        const t = str(o.trajectory);
        const trajectory = t ? resolveSample(t) : undefined;
        const entry: SampleEntry = trajectory ? { epoch: ep, path: abs, trajectory } : { epoch: ep, path: abs };
        s.samples = [...s.samples.filter(x => x.epoch !== ep), entry].sort((a, b) => a.epoch - b.epoch);
      }
      break;
    }
    case 'checkpoint':
      s.checkpoints = state.checkpoints + 1;
      break;
    case 'finished': {
      const stopped = (e as Partial<FinishedEvent>).status === 'stopped' || o.stopped === true || o.cancelled === true || o.reason === 'stopped' || o.reason === 'cancelled';
      s.status = stopped ? 'stopped' : 'finished';
      if (epoch !== undefined) s.epoch = epoch;
      s.finishedAt = t ?? s.finishedAt;
      const secs = num(o.seconds ?? o.elapsed ?? o.duration_s ?? o.elapsed_s);
      if (secs !== undefined) s.seconds = secs;
      for (const [k, v] of Object.entries(metricsOf(e))) s.latest[k] = v;
      break;
    }
    case 'failed':
      s.status = o.reason === 'stopped' || o.reason === 'cancelled' ? 'stopped' : 'failed';
      s.message = str(o.message) ?? str(o.error) ?? str((e as Partial<FailedEvent>).reason) ?? 'training failed';
      s.finishedAt = t ?? s.finishedAt;
      break;
    default:
      break;
  }
  return s;
}

export function reduceAll(state: RunState, events: Iterable<TrainingEvent>, resolveSample?: (p: string) => string | undefined): RunState {
  let s = state;
  for (const e of events) s = reduce(s, e, resolveSample);
  return s;
}

/**
 * Parses metrics.jsonl: one JSON object a line. Lines with an `event` field are events; a bare
 * object with an `epoch` and metrics counts as an epoch event (and one with a `step` as a step).
 * Malformed lines are skipped.
 */
export function parseMetricsLines(text: string): TrainingEvent[] {
  const out: TrainingEvent[] = [];
  for (const line of text.split(/\r?\n/)) {
    const l = line.trim();
    if (!l) continue;
    let o: unknown;
    try { o = JSON.parse(l); } catch { continue; }
    if (!o || typeof o !== 'object' || Array.isArray(o)) continue;
    const rec = o as Record<string, unknown>;
    if (typeof rec.event === 'string') out.push(rec as TrainingEvent);
    else if (typeof rec.type === 'string') out.push({ ...rec, event: rec.type } as TrainingEvent);
    else if (rec.step !== undefined) out.push({ ...rec, event: 'step' });
    else if (rec.epoch !== undefined) out.push({ ...rec, event: 'epoch' });
  }
  return out;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : a >= 100 ? v.toFixed(1) : v.toFixed(3);
}

/** The status bar text for a run: `$(sync~spin) LeNet5 · epoch 2/5 · loss 0.412`. */
export function statusText(s: RunState): string {
  const parts: string[] = [s.target];
  if (s.epoch !== undefined) parts.push(`epoch ${s.epoch}${s.epochsTotal ? `/${s.epochsTotal}` : ''}`);
  else if (s.status === 'starting' || s.status === 'running') parts.push('starting');
  const l = s.latest;
  if (l.loss !== undefined) parts.push(`loss ${fmt(l.loss)}`);
  if (l.loss_g !== undefined && l.loss_d !== undefined) parts.push(`G ${fmt(l.loss_g)} D ${fmt(l.loss_d)}`);
  const acc = l.accuracy ?? l.val_accuracy ?? l.acc;
  if (acc !== undefined) parts.push(`acc ${fmt(acc)}`);
  if (l.fd !== undefined) parts.push(`FD ${l.fd.toFixed(1)}`);
  if (l.psnr !== undefined) parts.push(`PSNR ${l.psnr.toFixed(1)} dB`);
  const icon = s.status === 'running' || s.status === 'starting' ? '$(sync~spin)'
    : s.status === 'finished' ? '$(check)' : s.status === 'failed' ? '$(error)' : '$(debug-stop)';
  return `${icon} ${parts.join(' · ')}`;
}

/** A one-line summary for a finished run: `acc 0.912 · 5 epochs · 2m10s`. */
export function resultSummary(s: RunState): string {
  const parts: string[] = [];
  const acc = s.latest.accuracy ?? s.latest.val_accuracy;
  if (acc !== undefined) parts.push(`acc ${acc.toFixed(3)}`);
  // pix2pix: its held-out L1/PSNR, then (on edges of a labelled data set) the scores of its translations
  else if (s.latest.psnr !== undefined) parts.push(translationText(s), ...(s.latest.fd !== undefined ? [sampleScoresText(s)] : []));
  else if (s.latest.fd !== undefined) parts.push(sampleScoresText(s));
  else if (s.latest.loss_g !== undefined) parts.push(`G ${fmt(s.latest.loss_g)} · D ${fmt(s.latest.loss_d ?? NaN)}`);
  else if (s.latest.loss !== undefined) parts.push(`loss ${fmt(s.latest.loss)}`);
  const ep = s.epoch ?? s.epochsTotal;
  if (ep !== undefined) parts.push(`${ep} epoch${ep === 1 ? '' : 's'}`);
  const secs = s.seconds ?? (s.startedAt && s.finishedAt ? (s.finishedAt - s.startedAt) / 1000 : undefined);
  if (secs !== undefined) parts.push(secs >= 60 ? `${Math.floor(secs / 60)}m${String(Math.round(secs % 60)).padStart(2, '0')}s` : `${secs.toFixed(1)}s`);
  return parts.join(' · ');
}

/** A generative run's sample scores: `FD 12.3 · 94% confident · 4/4 classes` (docs/training.md). */
export function sampleScoresText(s: RunState): string {
  const l = s.latest;
  const parts = [`FD ${l.fd.toFixed(1)}`];
  if (l.confident !== undefined) parts.push(`${Math.round(l.confident * 100)}% confident`);
  if (l.coverage !== undefined) parts.push(`${l.coverage}${s.scoreClasses !== undefined ? `/${s.scoreClasses}` : ''} classes`);
  return parts.join(' · ');
}

/** A pix2pix run's held-out measures against the input-as-answer baseline: `L1 0.031 (input 0.196) · PSNR 25.2 dB (input 8.8 dB)`. */
export function translationText(s: RunState): string {
  const l = s.latest;
  const parts: string[] = [];
  if (l.l1 !== undefined) parts.push(`L1 ${l.l1.toFixed(3)}${l.l1_input !== undefined ? ` (input ${l.l1_input.toFixed(3)})` : ''}`);
  if (l.psnr !== undefined) parts.push(`PSNR ${l.psnr.toFixed(1)} dB${l.psnr_input !== undefined ? ` (input ${l.psnr_input.toFixed(1)} dB)` : ''}`);
  return parts.join(' · ');
}

/** Groups metric names into charts: losses together, accuracies together, sample scores, anything else alone. */
export function chartGroups(s: RunState): { title: string; keys: string[] }[] {
  const keys = [...new Set([...Object.keys(s.epochMetrics), ...Object.keys(s.stepMetrics)])].sort();
  const loss = keys.filter(k => /loss/i.test(k));
  const acc = keys.filter(k => /acc/i.test(k));
  const disc = keys.filter(k => /^d_(x|g_z)$/.test(k)); // a GAN's discriminator outputs D(x), D(G(z))
  const fd: string[] = keys.filter(k => k === 'fd' || k === 'fd_real'); // the samples' FD beside the real-vs-real floor
  const scores: string[] = keys.filter(k => k === 'confident' || k === 'coverage');
  // pix2pix: the generator's held-out L1 and PSNR beside those of the input itself as the answer (the baseline)
  const l1: string[] = keys.filter(k => k === 'l1' || k === 'l1_input' || k === 'train_l1');
  const psnr: string[] = keys.filter(k => k === 'psnr' || k === 'psnr_input');
  const grouped = [...loss, ...acc, ...disc, ...fd, ...scores, ...l1, ...psnr];
  const rest = keys.filter(k => !grouped.includes(k));
  const out: { title: string; keys: string[] }[] = [];
  if (loss.length) out.push({ title: 'Loss', keys: loss });
  if (acc.length) out.push({ title: 'Accuracy', keys: acc });
  if (disc.length) out.push({ title: 'Discriminator output', keys: disc });
  if (fd.length) out.push({ title: 'Sample FD (lower is better; fd_real: real vs real)', keys: fd });
  if (l1.length) out.push({ title: 'L1 to the target (lower is better; l1_input: the input itself)', keys: l1 });
  if (psnr.length) out.push({ title: 'PSNR in dB (higher is better; psnr_input: the input itself)', keys: psnr });
  for (const k of scores) out.push({ title: k === 'confident' ? 'Confident samples (p ≥ 0.9)' : 'Classes among confident samples', keys: [k] });
  for (const k of rest) out.push({ title: k, keys: [k] });
  return out;
}
