// Reduction of training events into the preview's state (client/src/training/previewState.ts).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { emptyRun, reduce, reduceAll, parseMetricsLines, statusText, resultSummary, chartGroups, thin, MAX_STEP_POINTS } = require('../../out/client/src/training/previewState.js');

const run = () => emptyRun('file:///w/lenet.ann', 'LeNet5', '/w/runs/LeNet5/20260101-000000');

test('a classifier run: started → steps → epochs → finished', () => {
  let s = run();
  assert.equal(s.status, 'starting');
  s = reduce(s, { event: 'started', epochs: 5, device: 'cpu', steps_per_epoch: 100, kind: 'classifier' });
  assert.equal(s.status, 'running');
  assert.equal(s.epochsTotal, 5);
  assert.equal(s.device, 'cpu');
  assert.equal(s.kind, 'classifier');
  s = reduce(s, { event: 'step', epoch: 1, step: 50, loss: 1.2 });
  assert.deepEqual(s.stepMetrics.loss, [{ x: 0.5, y: 1.2 }], 'step x is a fraction of the epoch');
  s = reduce(s, { event: 'epoch', epoch: 1, loss: 0.61, accuracy: 0.79, time: 5.3 });
  s = reduce(s, { event: 'epoch', epoch: 2, loss: 0.42, accuracy: 0.85 });
  assert.deepEqual(s.epochMetrics.loss, [{ x: 1, y: 0.61 }, { x: 2, y: 0.42 }]);
  assert.deepEqual(s.epochMetrics.accuracy.map(p => p.y), [0.79, 0.85]);
  assert.equal(s.epochMetrics.time, undefined, 'time is not a metric');
  assert.equal(s.epoch, 2);
  assert.equal(statusText(s), '$(sync~spin) LeNet5 · epoch 2/5 · loss 0.420 · acc 0.850');
  s = reduce(s, { event: 'finished', seconds: 130, accuracy: 0.912 });
  assert.equal(s.status, 'finished');
  assert.equal(resultSummary(s), 'acc 0.912 · 2 epochs · 2m10s');
  assert.match(statusText(s), /^\$\(check\) LeNet5/);
});

test('reduce does not modify the state it is given', () => {
  const s0 = reduce(run(), { event: 'started', epochs: 2 });
  const frozen = JSON.stringify(s0);
  reduce(s0, { event: 'epoch', epoch: 1, loss: 1 });
  reduce(s0, { event: 'sample', epoch: 1, path: 'samples/epoch-001.png' });
  assert.equal(JSON.stringify(s0), frozen);
});

test('a GAN run: loss_g/loss_d curves and samples by epoch, latest epoch replaces a rewrite', () => {
  let s = reduce(run(), { event: 'started', epochs: 2 });
  s = reduce(s, { event: 'epoch', epoch: 1, loss_g: 1.5, loss_d: 0.6 });
  s = reduce(s, { event: 'sample', epoch: 1, path: 'samples/epoch-001.png' }, p => `/abs/${p}`);
  s = reduce(s, { event: 'sample', path: 'samples/epoch-002.png' }, p => `/abs/${p}`);
  s = reduce(s, { event: 'sample', epoch: 1, path: 'samples/epoch-001b.png' }, p => `/abs/${p}`);
  assert.deepEqual(s.samples, [{ epoch: 1, path: '/abs/samples/epoch-001b.png' }, { epoch: 2, path: '/abs/samples/epoch-002.png' }]);
  assert.equal(statusText(s), '$(sync~spin) LeNet5 · epoch 1/2 · G 1.500 D 0.600');
  assert.deepEqual(chartGroups(s), [{ title: 'Loss', keys: ['loss_d', 'loss_g'] }]);
});

test('samples rejected by the path check are dropped', () => {
  let s = reduce(run(), { event: 'sample', epoch: 1, path: '../../etc/passwd.png' }, () => undefined);
  assert.deepEqual(s.samples, []);
  s = reduce(s, { event: 'sample', epoch: 1 });
  assert.deepEqual(s.samples, [], 'a sample without a path is ignored');
});

test('failed and stopped runs', () => {
  const f = reduce(reduce(run(), { event: 'started' }), { event: 'failed', message: 'out of memory' });
  assert.equal(f.status, 'failed');
  assert.equal(f.message, 'out of memory');
  assert.match(statusText(f), /^\$\(error\)/);
  const st = reduce(reduce(run(), { event: 'started' }), { event: 'finished', reason: 'stopped' });
  assert.equal(st.status, 'stopped');
  const st2 = reduce(reduce(run(), { event: 'started' }), { event: 'failed', reason: 'cancelled', message: 'stopped by the user' });
  assert.equal(st2.status, 'stopped');
});

test('unknown events and junk fields are tolerated', () => {
  let s = reduce(run(), { event: 'telemetry', foo: 1 });
  assert.equal(s.status, 'starting');
  assert.equal(s.events, 1);
  s = reduce(s, { event: 'epoch', epoch: 'x', loss: 'NaN' });
  assert.deepEqual(s.epochMetrics, {});
  s = reduce(s, { event: 'epoch', epoch: 3, loss: Infinity, accuracy: 0.5 });
  assert.deepEqual(Object.keys(s.epochMetrics), ['accuracy']);
});

test('step series are thinned and keep first and last point', () => {
  let s = reduce(run(), { event: 'started', steps_per_epoch: 10000 });
  for (let i = 1; i <= MAX_STEP_POINTS * 3; i++) s = reduce(s, { event: 'step', epoch: 1, step: i, loss: i });
  const pts = s.stepMetrics.loss;
  assert.ok(pts.length <= MAX_STEP_POINTS + 1, `thinned to ${pts.length}`);
  assert.equal(pts[0].y, 1);
  assert.equal(pts[pts.length - 1].y, MAX_STEP_POINTS * 3);
  for (let i = 1; i < pts.length; i++) assert.ok(pts[i].x > pts[i - 1].x, 'x increases');
  assert.deepEqual(thin([{ x: 1, y: 1 }, { x: 2, y: 2 }], 5), [{ x: 1, y: 1 }, { x: 2, y: 2 }], 'short series are kept whole');
});

test('metrics.jsonl: events, bare epoch lines, malformed lines', () => {
  const text = [
    '{"event":"started","epochs":2}',
    'not json',
    '{"epoch":1,"loss":0.5}',
    '{"epoch":1,"step":3,"loss":0.7}',
    '[1,2]',
    '{"type":"finished"}',
    '',
  ].join('\n');
  const evs = parseMetricsLines(text);
  assert.deepEqual(evs.map(e => e.event), ['started', 'epoch', 'step', 'finished']);
  const s = reduceAll(run(), evs);
  assert.equal(s.status, 'finished');
  assert.deepEqual(s.epochMetrics.loss, [{ x: 1, y: 0.5 }]);
});

test('the trainer protocol as annlsp train --progress json writes it (v1)', () => {
  const lines = [
    { v: 1, event: 'started', time: '2026-11-28T18:00:00.000Z', target: 'ShapesGAN', kind: 'gan', device: 'cpu', libtorch: 'bundled', runDir: '/w/runs/ShapesGAN/1', epochs: 2, stepsPerEpoch: 10, train: 320, resumedFrom: null, seed: 7 },
    { v: 1, event: 'step', time: '2026-11-28T18:00:01.000Z', epoch: 1, step: 5, steps: 10, globalStep: 5, loss_d: 1.2, loss_g: 0.8, d_x: 0.6, d_g_z: 0.4, imagesPerSecond: 900 },
    { v: 1, event: 'epoch', time: '2026-11-28T18:00:02.000Z', epoch: 1, epochs: 2, globalStep: 10, loss_d: 1.1, loss_g: 0.9, d_x: 0.55, d_g_z: 0.45, seconds: 2, imagesPerSecond: 800 },
    { v: 1, event: 'sample', time: '2026-11-28T18:00:02.100Z', epoch: 1, path: '/w/runs/ShapesGAN/1/samples/epoch-001.png' },
    { v: 1, event: 'checkpoint', time: '2026-11-28T18:00:02.200Z', epoch: 1, step: 0, globalStep: 10, path: '/w/runs/ShapesGAN/1/checkpoint.bin' },
    { v: 1, event: 'finished', time: '2026-11-28T18:00:04.000Z', status: 'finished', runDir: '/w/runs/ShapesGAN/1', epoch: 2, globalStep: 20 },
  ];
  const s = reduceAll(emptyRun('u', 'ShapesGAN', '/w/runs/ShapesGAN/1'), lines);
  assert.equal(s.status, 'finished');
  assert.equal(s.kind, 'gan');
  assert.equal(s.stepsPerEpoch, 10);
  assert.deepEqual(s.stepMetrics.loss_g, [{ x: 0.5, y: 0.8 }]);
  assert.deepEqual(Object.keys(s.epochMetrics).sort(), ['d_g_z', 'd_x', 'loss_d', 'loss_g']);
  assert.deepEqual(chartGroups(s).map(g => g.title), ['Loss', 'Discriminator output']);
  assert.equal(s.samples.length, 1);
  assert.equal(s.checkpoints, 1);
  assert.equal(resultSummary(s), 'G 0.900 · D 1.100 · 2 epochs · 4.0s', 'duration from the event times');
  const stopped = reduce(s, { v: 1, event: 'finished', status: 'stopped' });
  assert.equal(stopped.status, 'stopped');
  const failed = reduce(emptyRun('u', 'X', '/w/r'), { v: 1, event: 'failed', reason: 'the loss became NaN at epoch 1, step 3' });
  assert.equal(failed.status, 'failed');
  assert.equal(failed.message, 'the loss became NaN at epoch 1, step 3');
});

test('a GAN run with sample scores: FD beside its floor in one chart, confident and coverage, the lens text', () => {
  const dir = '/w/runs/ShapesGAN/1';
  const lines = [
    { v: 1, event: 'started', time: '2026-12-01T08:00:00.000Z', target: 'ShapesGAN', kind: 'gan', device: 'cpu', runDir: dir, epochs: 2, stepsPerEpoch: 10, train: 6000 },
    { v: 1, event: 'reference', status: 'ready', data: 'shapes', accuracy: 0.998, fd_real: 8.55, classes: 4, trained: false, seconds: 0, scoreSamples: 1000 },
    { v: 1, event: 'epoch', epoch: 1, epochs: 2, loss_d: 1.1, loss_g: 0.9, d_x: 0.55, d_g_z: 0.45, seconds: 2, fd: 300.5, fd_real: 8.55, confident: 0.41, coverage: 2, classes: 4, scoreSamples: 1000, scoreSeconds: 1.5 },
    { v: 1, event: 'epoch', epoch: 2, epochs: 2, loss_d: 1.0, loss_g: 1.0, d_x: 0.5, d_g_z: 0.5, seconds: 2, fd: 12.34, fd_real: 8.55, confident: 0.936, coverage: 4, classes: 4, scoreSamples: 1000, scoreSeconds: 1.4 },
    { v: 1, event: 'finished', time: '2026-12-01T08:00:04.000Z', status: 'finished', runDir: dir, epoch: 2, fd: 12.34, fd_real: 8.55, confident: 0.936, coverage: 4, classes: 4 },
  ];
  const s = reduceAll(emptyRun('u', 'ShapesGAN', dir), lines);
  assert.deepEqual(s.reference, { status: 'ready', data: 'shapes', accuracy: 0.998, fdReal: 8.55, reason: undefined });
  assert.deepEqual(s.epochMetrics.fd, [{ x: 1, y: 300.5 }, { x: 2, y: 12.34 }]);
  assert.deepEqual(s.epochMetrics.coverage, [{ x: 1, y: 2 }, { x: 2, y: 4 }]);
  assert.equal(s.epochMetrics.scoreSeconds, undefined, 'the scoring time is not a curve');
  assert.equal(s.epochMetrics.classes, undefined);
  assert.deepEqual(chartGroups(s).map(g => [g.title, g.keys]), [
    ['Loss', ['loss_d', 'loss_g']],
    ['Discriminator output', ['d_g_z', 'd_x']],
    ['Sample FD (lower is better; fd_real: real vs real)', ['fd', 'fd_real']],
    ['Confident samples (p ≥ 0.9)', ['confident']],
    ['Classes among confident samples', ['coverage']],
  ]);
  assert.equal(resultSummary(s), 'FD 12.3 · 94% confident · 4/4 classes · 2 epochs · 4.0s');
  assert.match(statusText(s), /ShapesGAN · epoch 2\/2 · G 1\.000 D 1\.000 · FD 12\.3$/);
});

test('a pix2pix run: L1 and PSNR each in one chart beside the input-as-answer baseline, the lens text', () => {
  const dir = '/w/runs/Edges2Fashion-quick/1';
  const lines = [
    { v: 1, event: 'started', time: '2026-12-01T08:00:00.000Z', target: 'Edges2Fashion as quick', kind: 'pix2pix', device: 'cpu', runDir: dir, epochs: 2, stepsPerEpoch: 10, train: 6000 },
    { v: 1, event: 'step', epoch: 1, step: 10, steps: 10, globalStep: 10, loss_d: 0.6, loss_g: 20.5, train_l1: 0.19, lr: 0.0002, imagesPerSecond: 80 },
    { v: 1, event: 'epoch', epoch: 1, epochs: 2, loss_d: 0.6, loss_g: 20.5, l1: 0.08, psnr: 18.2, l1_input: 0.196, psnr_input: 8.85, seconds: 2, evaluationSet: 'test' },
    { v: 1, event: 'sample', epoch: 1, path: `${dir}/samples/epoch-001.png` },
    { v: 1, event: 'epoch', epoch: 2, epochs: 2, loss_d: 0.5, loss_g: 5.1, l1: 0.031, psnr: 25.17, l1_input: 0.196, psnr_input: 8.85, seconds: 2, evaluationSet: 'test' },
    { v: 1, event: 'finished', time: '2026-12-01T08:00:04.000Z', status: 'finished', runDir: dir, epoch: 2, loss_d: 0.5, loss_g: 5.1, l1: 0.031, psnr: 25.17, l1_input: 0.196, psnr_input: 8.85 },
  ];
  const s = reduceAll(emptyRun('u', 'Edges2Fashion as quick', dir), lines);
  assert.equal(s.kind, 'pix2pix');
  assert.deepEqual(s.epochMetrics.l1_input, [{ x: 1, y: 0.196 }, { x: 2, y: 0.196 }]);
  assert.deepEqual(chartGroups(s).map(g => [g.title, g.keys]), [
    ['Loss', ['loss_d', 'loss_g']],
    ['L1 to the target (lower is better; l1_input: the input itself)', ['l1', 'l1_input', 'train_l1']],
    ['PSNR in dB (higher is better; psnr_input: the input itself)', ['psnr', 'psnr_input']],
  ]);
  assert.equal(s.samples.length, 1);
  assert.equal(resultSummary(s), 'L1 0.031 (input 0.196) · PSNR 25.2 dB (input 8.8 dB) · 2 epochs · 4.0s');
  assert.match(statusText(s), /Edges2Fashion as quick · epoch 2\/2 · G 5\.100 D 0\.500 · PSNR 25\.2 dB$/);
});

test('a pix2pix run on edges of a labelled data set: the lens gives L1/PSNR and then its translations\' scores', () => {
  const dir = '/w/runs/Edges2Fashion-quick/2';
  const lines = [
    { v: 1, event: 'started', time: '2026-12-01T08:00:00.000Z', target: 'Edges2Fashion as quick', kind: 'pix2pix', device: 'cpu', runDir: dir, epochs: 1, stepsPerEpoch: 10, train: 6000 },
    { v: 1, event: 'epoch', epoch: 1, epochs: 1, loss_d: 0.5, loss_g: 23.1, l1: 0.0316, psnr: 24.76, l1_input: 0.196, psnr_input: 8.85, fd: 85.96, fd_real: 8.69, confident: 0.95, coverage: 4, classes: 4, seconds: 47, evaluationSet: 'test' },
    { v: 1, event: 'finished', time: '2026-12-01T08:00:47.000Z', status: 'finished', runDir: dir, epoch: 1, loss_d: 0.5, loss_g: 23.1, l1: 0.0316, psnr: 24.76, l1_input: 0.196, psnr_input: 8.85, fd: 85.96, fd_real: 8.69, confident: 0.95, coverage: 4, classes: 4 },
  ];
  const s = reduceAll(emptyRun('u', 'Edges2Fashion as quick', dir), lines);
  assert.equal(resultSummary(s), 'L1 0.032 (input 0.196) · PSNR 24.8 dB (input 8.8 dB) · FD 86.0 · 95% confident · 4/4 classes · 1 epoch · 47.0s');
  assert.ok(chartGroups(s).some(g => g.keys.includes('confident')));
});

test('a diffusion run: the noise loss curve and each epoch\'s grid with its denoising trajectory', () => {
  let s = reduce(run(), { event: 'started', epochs: 2, kind: 'diffusion' });
  s = reduce(s, { event: 'step', epoch: 1, step: 5, steps: 10, loss: 0.4 });
  s = reduce(s, { event: 'epoch', epoch: 1, loss: 0.3, fd: 40, confident: 0.8, coverage: 4, classes: 4 });
  s = reduce(s, { event: 'sample', epoch: 1, path: 'samples/epoch-001.png', trajectory: 'samples/trajectory-001.png' }, p => `/abs/${p}`);
  s = reduce(s, { event: 'sample', epoch: 2, path: 'samples/epoch-002.png', trajectory: '../../etc/x.png' }, p => (p.startsWith('..') ? undefined : `/abs/${p}`));
  assert.equal(s.kind, 'diffusion');
  assert.deepEqual(s.samples, [
    { epoch: 1, path: '/abs/samples/epoch-001.png', trajectory: '/abs/samples/trajectory-001.png' },
    { epoch: 2, path: '/abs/samples/epoch-002.png' },
  ], 'a trajectory rejected by the path check is dropped, its grid kept');
  assert.deepEqual(s.epochMetrics.loss, [{ x: 1, y: 0.3 }]);
  assert.ok(chartGroups(s).some(g => g.keys.includes('loss')));
});
