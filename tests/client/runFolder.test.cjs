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
