// A run folder written by the torchrun package (annlsp export --torchrun, then Debian's torchrun with two
// CPU processes) read by the editor's run-folder code (client/src/training/runFolder.ts): what
// "Open run preview" shows for a cluster run. Needs the built CLI (dotnet build server/Annlsp.Cli) and
// python3-torch; skipped without them outside CI.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { readRunFolder, configRows } = require('../../out/client/src/training/runFolder.js');

const repo = path.join(__dirname, '..', '..');
const cli = ['Release', 'Debug'].map(c => path.join(repo, 'server', 'Annlsp.Cli', 'bin', c, 'net10.0', 'annlsp.dll')).find(p => fs.existsSync(p));
const torchrun = '/usr/bin/torchrun';
const ci = process.env.CI === 'true' || process.env.CI === '1';
const missing = !cli ? 'server/Annlsp.Cli is not built' : !fs.existsSync(torchrun) ? 'torchrun (python3-torch) is not installed' : undefined;

test('a two-process torchrun run folder opens in the run preview like a local run', { skip: !ci && missing, timeout: 300_000 }, async () => {
  assert.equal(missing, undefined, missing);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'annlsp-torchrun-'));
  try {
    const pkg = path.join(dir, 'package');
    const exported = spawnSync('dotnet', [cli, 'export', path.join(repo, 'examples', 'shapes.ann'), '--target', 'ShapeNet', '--torchrun', '--out', pkg], { encoding: 'utf8' });
    assert.equal(exported.status, 0, exported.stderr);
    const env = { ...process.env, OMP_NUM_THREADS: '1' };
    delete env.LD_LIBRARY_PATH;
    // --redirects 2 --tee 2: Debian's torchrun (PyTorch 1.13, Python 3.11) cannot parse its own default (TorchrunTests.cs says why)
    const run = spawnSync(torchrun, ['--standalone', '--nproc_per_node=2', '--redirects', '2', '--tee', '2', 'train.py', '--epochs', '1', '--limit', '128', '--out', path.join(dir, 'runs')],
      { cwd: pkg, env, encoding: 'utf8', timeout: 280_000 });
    assert.equal(run.status, 0, run.stderr);
    const [stamp] = fs.readdirSync(path.join(dir, 'runs', 'ShapeNet'));
    const runDir = path.join(dir, 'runs', 'ShapeNet', stamp);

    const { state, config } = await readRunFolder(runDir);
    assert.equal(state.target, 'ShapeNet');
    assert.equal(state.status, 'finished', 'its one epoch is in metrics.jsonl');
    assert.equal(state.device, 'cpu');
    assert.equal(state.epochsTotal, 1);
    assert.deepEqual(state.samples.map(s => [s.epoch, path.relative(runDir, s.path)]), [[1, path.join('samples', 'epoch-001.png')]]);
    assert.equal(state.epochMetrics.accuracy.length, 1);
    assert.ok(state.epochMetrics.loss[0].y > 0);
    assert.ok(Object.keys(state.stepMetrics).includes('loss'), 'the step curve');
    const rows = configRows(config, 200);
    assert.deepEqual(rows.find(r => r.key === 'distributed.processes'), { key: 'distributed.processes', value: '2' });
    assert.deepEqual(rows.find(r => r.key === 'optimizer.name'), { key: 'optimizer.name', value: 'adam' });
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});
