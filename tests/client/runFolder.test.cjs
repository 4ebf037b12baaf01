// Rebuilding a past run from its folder (client/src/training/runFolder.ts).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { readRunFolder, configRows } = require('../../out/client/src/training/runFolder.js');

function makeRun(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'annlsp-run-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

test('a finished GAN run: run.json, metrics.jsonl (steps and epochs), sample files', async () => {
  const dir = makeRun({
    'run.json': JSON.stringify({ target: 'ShapesGAN', kind: 'gan', device: 'cpu', epochs: 2, optimizer: { name: 'adam', lr: 0.002 } }),
    'metrics.jsonl': [
      { v: 1, event: 'step', epoch: 1, step: 5, steps: 10, loss_d: 1.3, loss_g: 0.7 },
      { v: 1, event: 'epoch', epoch: 1, epochs: 2, loss_d: 1.2, loss_g: 0.8 },
      { v: 1, event: 'epoch', epoch: 2, epochs: 2, loss_d: 1.0, loss_g: 0.9 },
    ].map(o => JSON.stringify(o)).join('\n') + '\n',
    'samples/epoch-001.png': 'png', 'samples/epoch-002.png': 'png', 'samples/notes.txt': 'x',
  });
  try {
    const { state, config } = await readRunFolder(dir);
    assert.equal(state.target, 'ShapesGAN');
    assert.equal(state.status, 'finished', 'the last epoch is in metrics.jsonl');
    assert.equal(state.device, 'cpu');
    assert.deepEqual(state.samples.map(s => [s.epoch, path.relative(dir, s.path)]), [[1, path.join('samples', 'epoch-001.png')], [2, path.join('samples', 'epoch-002.png')]]);
    assert.deepEqual(state.epochMetrics.loss_g.map(p => p.y), [0.8, 0.9]);
    assert.deepEqual(configRows(config).find(r => r.key === 'optimizer.lr'), { key: 'optimizer.lr', value: '0.002' });
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});

test('a past diffusion run: each grid is paired with the trajectory written beside it', async () => {
  const dir = makeRun({
    'run.json': JSON.stringify({ target: 'ShapesDiffusion as quick', kind: 'diffusion', epochs: 2 }),
    'samples/epoch-001.png': 'png', 'samples/trajectory-001.png': 'png', 'samples/epoch-002.png': 'png',
  });
  try {
    const { state } = await readRunFolder(dir);
    assert.equal(state.kind, 'diffusion');
    assert.deepEqual(state.samples.map(s => [s.epoch, path.relative(dir, s.path), s.trajectory && path.relative(dir, s.trajectory)]),
      [[1, path.join('samples', 'epoch-001.png'), path.join('samples', 'trajectory-001.png')], [2, path.join('samples', 'epoch-002.png'), undefined]]);
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});

test('an interrupted run stays a past run; a folder without files still opens', async () => {
  const dir = makeRun({ 'run.json': '{"target":"LeNet5","epochs":5}', 'metrics.jsonl': '{"event":"epoch","epoch":2,"loss":0.4}\n' });
  const empty = makeRun({});
  try {
    assert.equal((await readRunFolder(dir)).state.status, 'unknown');
    const e = await readRunFolder(empty, 'Fallback');
    assert.equal(e.state.target, 'Fallback');
    assert.equal(e.config, undefined);
    assert.deepEqual(e.state.samples, []);
  } finally { fs.rmSync(dir, { recursive: true, force: true }); fs.rmSync(empty, { recursive: true, force: true }); }
});

// run.json holds the trained file's path (`source`), never a `uri` or a `status`: the document URI and the status come
// from what the trainer writes (run.json, metrics.jsonl), so a past run's preview is the same panel as a live run of it.
test('a past run: the document URI from run.json\'s source, the status from metrics.jsonl', async () => {
  const { pathToFileURL } = require('node:url');
  const source = path.join(os.tmpdir(), 'a workspace', 'shapes.ann');
  const epoch = (n, of) => JSON.stringify({ v: 1, event: 'epoch', time: '2026-12-01T10:00:00.000Z', epoch: n, epochs: of, globalStep: 10 * n, loss: 1 / n, accuracy: 0.5, seconds: 1, imagesPerSecond: 100 });
  const step = (e, s) => JSON.stringify({ v: 1, event: 'step', time: '2026-12-01T10:00:00.000Z', epoch: e, step: s, steps: 10, globalStep: 10 * (e - 1) + s, loss: 0.5, lr: 0.001, imagesPerSecond: 100 });
  const runJson = JSON.stringify({ target: 'ShapeNet', kind: 'classifier', source, device: 'cpu', epochs: 2 });
  const finished = makeRun({ 'run.json': runJson, 'metrics.jsonl': [step(1, 10), epoch(1, 2), step(2, 10), epoch(2, 2)].join('\n') + '\n' });
  // resumed with --epochs 4 and stopped in epoch 3: its last epoch line (2 of 2) is not where it ended
  const resumedAndStopped = makeRun({ 'run.json': runJson, 'metrics.jsonl': [epoch(1, 2), epoch(2, 2), step(3, 4)].join('\n') + '\n' });
  try {
    const done = (await readRunFolder(finished)).state;
    assert.equal(done.uri, pathToFileURL(source).href);
    assert.equal(done.status, 'finished');
    const stopped = (await readRunFolder(resumedAndStopped)).state;
    assert.equal(stopped.uri, pathToFileURL(source).href);
    assert.equal(stopped.status, 'unknown', 'steps after the last epoch: the run did not end there');
  } finally { fs.rmSync(finished, { recursive: true, force: true }); fs.rmSync(resumedAndStopped, { recursive: true, force: true }); }
});
