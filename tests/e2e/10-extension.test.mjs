// Real UI: the extension installs from the .vsix, activates on an .ann file, colours it with its
// grammar, and its run preview webview draws a past run (sample grid, epoch slider, curves, config).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { checkPrerequisites, makeSuite, sleep } from './lib/harness.mjs';
import { sampleGrid } from './lib/png.mjs';

let suite;
before(async () => {
  checkPrerequisites();
  suite = await makeSuite('ext');
  const [{ ms }] = await Promise.all([suite.installExtension(), suite.launchBrowser()]);
  console.log(`# installed the .vsix in ${ms} ms`);
});
after(async () => { await suite?.cleanup(); });

test('opening an .ann file activates the extension: language mode and grammar colours', { timeout: 120_000 }, async () => {
  const ui = await suite.open('activation');
  await ui.openFile('lenet.ann');
  const mode = ui.page.locator('#status\\.editor\\.mode');
  await mode.waitFor({ timeout: 20_000 });
  await assert.doesNotReject(async () => {
    for (let i = 0; i < 50 && !/ANN/.test(await mode.innerText()); i++) await sleep(200);
  });
  assert.match(await mode.innerText(), /ANN/, 'the status bar shows the ANN language mode');

  // grammar: keyword, type name, layer, shape literal, number and comment get distinct colours
  // the editor colours its lines in passes: wait until every token this test compares has its colour
  let toks = [];
  const colour = text => toks.find(t => t.text?.trim() === text)?.color;
  const commentColour = () => toks.find(t => t.text?.startsWith('# A LeNet'))?.color;
  for (let i = 0; i < 50; i++) {
    toks = await ui.tokens();
    if (['network', 'LeNet5', 'conv', '1x28x28', '6'].every(t => colour(t)) && commentColour()) break;
    await sleep(200);
  }
  const comment = commentColour();
  const c = { network: colour('network'), name: colour('LeNet5'), conv: colour('conv'), shape: colour('1x28x28'), number: colour('6'), comment };
  for (const [k, v] of Object.entries(c)) assert.ok(v, `token ${k} is rendered (${JSON.stringify(toks.slice(0, 30))})`);
  assert.notEqual(c.network, c.name, 'keyword and declared name differ');
  assert.notEqual(c.network, c.comment, 'keyword and comment differ');
  assert.notEqual(c.conv, c.comment, 'layer and comment differ');
  assert.equal(c.shape, c.number, 'a shape literal is coloured as a number');
  assert.notEqual(c.shape, c.name, 'shape literal and name differ');
  // one token for the whole shape literal: 1x28x28 is not split into number/identifier pieces
  assert.ok(toks.some(t => t.text === '1x28x28'), 'the shape literal is one token');
  await ui.screenshot('01-grammar');
  await ui.server.close();
});

test('"annlsp: Open Run Preview" draws a past run: sample grid, epoch slider, curves, configuration', { timeout: 120_000 }, async () => {
  const run = 'runs/ShapesGAN/20260101-120000';
  const metrics = [
    { event: 'started', epochs: 3, device: 'cpu', steps_per_epoch: 4 },
    ...[1, 2, 3].flatMap(e => [
      ...[1, 2, 3, 4].map(s => ({ event: 'step', epoch: e, step: s, loss_g: 2 - e * 0.3 - s * 0.05, loss_d: 0.7 + 0.02 * s })),
      { event: 'epoch', epoch: e, loss_g: 1.8 - e * 0.3, loss_d: 0.72 - e * 0.05 },
      { event: 'sample', epoch: e, path: `samples/epoch-00${e}.png` },
    ]),
    { event: 'finished', seconds: 42 },
  ].map(o => JSON.stringify(o)).join('\n') + '\n';
  const ui = await suite.open('preview', {
    files: {
      [`${run}/run.json`]: JSON.stringify({ target: 'ShapesGAN', kind: 'gan', device: 'cpu', epochs: 3, batch: 32, data: 'shapes', optimizer: { name: 'adam', lr: 0.0002, beta1: 0.5 } }, null, 2),
      [`${run}/metrics.jsonl`]: metrics,
      [`${run}/samples/epoch-001.png`]: sampleGrid(1),
      [`${run}/samples/epoch-002.png`]: sampleGrid(2),
      [`${run}/samples/epoch-003.png`]: sampleGrid(3),
    },
  });
  await ui.openFile('gan.ann');
  await ui.runCommand('annlsp: Open Run Preview');
  await ui.page.locator('.quick-input-widget input').fill('20260101-120000');
  await ui.acceptQuickPick('20260101-120000');

  const wv = ui.webview();
  const img = wv.locator('img.sample-grid');
  await img.waitFor({ timeout: 30_000 });
  assert.equal(await img.getAttribute('data-epoch'), '3', 'the latest epoch is shown first');
  assert.equal(await wv.locator('#epoch-label').innerText(), 'epoch 3');
  // the image really loaded through the webview's resource loader (CSP + localResourceRoots allow it)
  for (let i = 0; i < 50 && !(await img.evaluate(e => e.complete && e.naturalWidth > 0)); i++) await sleep(100);
  assert.equal(await img.evaluate(e => e.naturalWidth), 4 * 30 + 2, 'the sample grid PNG is displayed at its size');
  // the curves: step and epoch series for both losses
  assert.equal(await wv.locator('svg.chart path.series-steps').count(), 2, 'step curves for loss_d and loss_g');
  assert.equal(await wv.locator('svg.chart path.series-epochs').count(), 2, 'epoch curves for loss_d and loss_g');
  assert.match(await wv.locator('#status').innerText(), /finished|past run/);
  assert.equal(await wv.locator('#device').innerText(), 'cpu');
  assert.match(await wv.locator('#config').innerText(), /optimizer\.lr\s+0\.0002/);
  await ui.screenshot('02-run-preview');
  const csp = ui.consoleLines.filter(l => /Content Security Policy|Refused to (load|apply|execute)/i.test(l));
  assert.deepEqual(csp, [], 'the webview runs without CSP violations');

  // the slider goes back through the epochs
  const slider = wv.locator('#epoch-slider');
  await slider.focus();
  await slider.press('Home');
  for (let i = 0; i < 30 && (await wv.locator('#epoch-label').innerText()) !== 'epoch 1'; i++) await sleep(100);
  assert.equal(await wv.locator('#epoch-label').innerText(), 'epoch 1');
  assert.equal(await wv.locator('img.sample-grid').getAttribute('data-epoch'), '1');

  // after a window reload VS Code restores the panel, and the extension redraws it from the run folder
  await ui.runCommand('Developer: Reload Window');
  await ui.page.waitForLoadState('domcontentloaded');
  await ui.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const restored = ui.webview().locator('img.sample-grid');
  await restored.waitFor({ timeout: 60_000 });
  assert.equal(await ui.webview().locator('#epoch-label').innerText(), 'epoch 3', 'the restored panel shows the run again');
  await ui.server.close();
});

test('a server path that does not exist is reported with its fix, and the editor still works', { timeout: 120_000 }, async () => {
  const ui = await suite.open('bad-server-path', { machineSettings: { 'annlsp.server.path': '/nonexistent/annlsp' } });
  await ui.openFile('lenet.ann');
  const toast = ui.page.locator('.notifications-toasts .notification-toast', { hasText: 'annlsp.server.path is set to "/nonexistent/annlsp"' }).first();
  await toast.waitFor({ timeout: 30_000 }).catch(async e => { await ui.screenshot('12-bad-server-path-failed'); throw e; });
  const text = await toast.innerText();
  assert.match(text, /clear it to use the server bundled with the extension/, text);
  assert.ok(await toast.locator('a.monaco-button, .monaco-button', { hasText: 'Open Settings' }).count() > 0, 'a button to fix it');
  assert.match(await ui.page.locator('#status\\.editor\\.mode').innerText(), /ANN/, 'the grammar and language mode still work');
  await ui.screenshot('12-bad-server-path');
  await ui.server.close();
});
