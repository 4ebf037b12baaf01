// annlsp.train / annlsp.stop before they reach the server (client/src/commandGuard.ts).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { makeCommandGuard } = require('../../out/client/src/commandGuard.js');

function harness(over = {}) {
  const calls = { refused: 0, info: [], sent: [], picks: 0 };
  const guard = makeCommandGuard({
    isTrusted: () => true,
    refuseUntrusted: () => { calls.refused++; },
    pickTrainTarget: async () => { calls.picks++; return ['file:///w/gan.ann', 'ShapesGAN']; },
    running: () => [],
    pickRun: async runs => runs[1],
    info: m => calls.info.push(m),
    openFile: async p => { calls.opened = [...(calls.opened ?? []), p]; },
    ...over,
  });
  const next = (command, args) => { calls.sent.push([command, args]); return 'sent'; };
  return { guard, next, calls };
}

test('an untrusted workspace never sends annlsp.train to the server, with or without arguments', async () => {
  const { guard, next, calls } = harness({ isTrusted: () => false });
  assert.equal(await guard('annlsp.train', ['file:///w/gan.ann', 'ShapesGAN'], next), undefined);
  assert.equal(await guard('annlsp.train', [], next), undefined);
  assert.equal(calls.refused, 2);
  assert.deepEqual(calls.sent, []);
  assert.equal(calls.picks, 0, 'not even the picker is shown');
  // other commands still pass (stop, the network graph)
  assert.equal(await guard('annlsp.stop', ['u', 't'], next), 'sent');
  assert.equal(await guard('annlsp.networkGraph', ['u', 'LeNet5'], next), 'sent');
});

test('train with arguments (the code lens) passes them through unchanged', async () => {
  const { guard, next, calls } = harness();
  assert.equal(await guard('annlsp.train', ['file:///w/lenet.ann', 'LeNet5'], next), 'sent');
  assert.deepEqual(calls.sent, [['annlsp.train', ['file:///w/lenet.ann', 'LeNet5']]]);
  assert.equal(calls.picks, 0);
});

test('train from the palette asks for a target; cancelling sends nothing', async () => {
  const h = harness();
  await h.guard('annlsp.train', [], h.next);
  assert.deepEqual(h.calls.sent, [['annlsp.train', ['file:///w/gan.ann', 'ShapesGAN']]]);
  const c = harness({ pickTrainTarget: async () => undefined });
  assert.equal(await c.guard('annlsp.train', [], c.next), undefined);
  assert.deepEqual(c.calls.sent, []);
});

test('stop without arguments: nothing running, one run, several runs', async () => {
  const none = harness();
  assert.equal(await none.guard('annlsp.stop', [], none.next), undefined);
  assert.deepEqual(none.calls.info, ['No training run is in progress.']);
  const runs = [{ uri: 'u1', target: 'A', runDir: '/w/runs/A/1' }, { uri: 'u2', target: 'B', runDir: '/w/runs/B/1' }];
  const one = harness({ running: () => runs.slice(0, 1) });
  await one.guard('annlsp.stop', [], one.next);
  assert.deepEqual(one.calls.sent, [['annlsp.stop', ['u1', 'A']]]);
  const two = harness({ running: () => runs });
  await two.guard('annlsp.stop', [], two.next);
  assert.deepEqual(two.calls.sent, [['annlsp.stop', ['u2', 'B']]], 'the picked run');
});

test('export for torchrun: refused untrusted, asks for a target from the palette, opens the README the server wrote', async () => {
  const untrusted = harness({ isTrusted: () => false });
  assert.equal(await untrusted.guard('annlsp.exportTorchrun', ['u', 'T'], untrusted.next), undefined);
  assert.deepEqual(untrusted.calls.sent, []);
  const h = harness();
  const next = (command, args) => { h.calls.sent.push([command, args]); return { folder: '/w/torchrun/ShapesGAN', readme: '/w/torchrun/ShapesGAN/README.md' }; };
  const result = await h.guard('annlsp.exportTorchrun', [], next);
  assert.deepEqual(h.calls.sent, [['annlsp.exportTorchrun', ['file:///w/gan.ann', 'ShapesGAN']]]);
  assert.equal(result.folder, '/w/torchrun/ShapesGAN');
  assert.deepEqual(h.calls.opened, ['/w/torchrun/ShapesGAN/README.md']);
  const failed = harness();
  await failed.guard('annlsp.exportTorchrun', ['u', 'T'], () => undefined);
  assert.equal(failed.calls.opened, undefined, 'nothing to open when the server wrote nothing');
});
