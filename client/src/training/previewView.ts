// Turns a run's state into what the preview webview draws (chart SVG, sample list, labels). Pure;
// the sample paths are mapped to webview URIs by the caller.
import { chartGroups, resultSummary, RunState, sampleScoresText } from './previewState';
import { chartSvg, Series } from '../webview/curves';

export interface PreviewView {
  target: string;
  runDir: string;
  status: RunState['status'];
  headline: string;
  device?: string;
  kind?: string;
  epoch?: number;
  epochsTotal?: number;
  message?: string;
  /** GANs: the latest sample scores and the reference classifier behind them. */
  scoring?: string;
  /** Each epoch's grid and, for a diffusion run, its denoising trajectory strip. */
  samples: { epoch: number; src: string; trajectory?: string }[];
  charts: { title: string; svg: string }[];
  config: { key: string; value: string }[];
  /** Classifiers: class names by number, to read the predicted class in each framed test image. */
  classes?: string[];
  /** The run folder keeps the exact text it trained (source.ann): the preview offers to open it. */
  hasSource?: boolean;
}

/** `data.classes` of run.json, when it is a list of names. */
export function classNames(config: Record<string, unknown> | undefined): string[] | undefined {
  const data = config?.data as { classes?: unknown } | undefined;
  return Array.isArray(data?.classes) && data.classes.every(c => typeof c === 'string') ? data.classes as string[] : undefined;
}

const STATUS_LABEL: Record<RunState['status'], string> = {
  starting: 'starting…', running: 'training', finished: 'finished', failed: 'failed', stopped: 'stopped', unknown: 'past run',
};

export function previewView(s: RunState, toSrc: (p: string) => string, config: { key: string; value: string }[] = [], classes?: string[], hasSource = false): PreviewView {
  const charts = chartGroups(s).map(g => ({
    title: g.title,
    svg: chartSvg(g.keys.map<Series>(k => ({ name: k, steps: s.stepMetrics[k], epochs: s.epochMetrics[k] })), { title: g.title }),
  }));
  const progress = s.epoch !== undefined ? `epoch ${s.epoch}${s.epochsTotal ? ` of ${s.epochsTotal}` : ''}` : '';
  const summary = s.status === 'finished' || s.status === 'unknown' ? resultSummary(s) : '';
  return {
    target: s.target,
    runDir: s.runDir,
    status: s.status,
    headline: [STATUS_LABEL[s.status], progress, summary].filter(Boolean).join(' · '),
    device: s.device,
    kind: s.kind,
    epoch: s.epoch,
    epochsTotal: s.epochsTotal,
    message: s.message,
    scoring: scoringLine(s),
    samples: s.samples.map(x => (x.trajectory ? { epoch: x.epoch, src: toSrc(x.path), trajectory: toSrc(x.trajectory) } : { epoch: x.epoch, src: toSrc(x.path) })),
    charts,
    config,
    classes: s.kind === 'classifier' ? classes : undefined,
    hasSource,
  };
}

/** `FD 12.3 · 94% confident · 4/4 classes — real vs real FD 8.6; reference classifier of shapes: 100.0% test accuracy`. */
export function scoringLine(s: RunState): string | undefined {
  const r = s.reference;
  const latest = s.latest.fd !== undefined ? sampleScoresText(s) : undefined;
  if (!r) return latest;
  if (r.status === 'training') return `training the reference classifier of ${r.data ?? 'the data set'} to score the samples (first use; cached afterwards)…`;
  if (r.status === 'failed') return `no sample scores: ${r.reason ?? 'the reference classifier is unavailable'}`;
  const about = [
    r.fdReal !== undefined ? `real vs real FD ${r.fdReal.toFixed(1)}` : undefined,
    r.accuracy !== undefined ? `reference classifier of ${r.data ?? 'the data set'}: ${(r.accuracy * 100).toFixed(1)}% test accuracy` : undefined,
  ].filter(Boolean).join('; ');
  return [latest ?? 'samples are scored after each epoch', about].filter(Boolean).join(' — ');
}
