// Real UI, end to end: press ▶ Train on a short `shapes` GAN run and watch the preview webview show
// the epoch's sample grid and the loss curves while the status bar counts epochs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeServerSuite, sleep } from './lib/harness.mjs';

let suite;
let skip = false;
before(async () => {
  const made = await makeServerSuite('train', 'training test');
  suite = made.suite;
  skip = !made.bundled;
});
after(async () => { await suite?.cleanup(); });

function findRunDirs(root) {
  const out = [];
  const walk = d => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else if (e.name === 'run.json') out.push(d); } };
  if (fs.existsSync(root)) walk(root);
  return out;
}

test('▶ Train on a shapes GAN: the preview shows the epoch grid and the curves', { timeout: 240_000 }, async t => {
  if (skip) return t.skip('no bundled server');
  const ui = await suite.open('train');
  const page = ui.page;
  await ui.openFile('gan.ann');
  const lens = page.locator('.codelens-decoration a', { hasText: /Train/ }).first();
  await lens.waitFor({ timeout: 60_000 });
  await ui.screenshot('07-train-lens');
  const t0 = Date.now();
  await lens.click();

  const wv = ui.webview();
  await wv.locator('#status').waitFor({ timeout: 60_000 });
  // the status bar counts epochs while the run goes on
  const item = page.locator('.statusbar-item', { hasText: 'ShapesGAN' }).first();
  await item.waitFor({ timeout: 60_000 });

  const img = wv.locator('img.sample-grid');
  await img.waitFor({ timeout: 180_000 });
  for (let i = 0; i < 50 && !(await img.evaluate(e => e.complete && e.naturalWidth > 0)); i++) await sleep(100);
  assert.ok(await img.evaluate(e => e.naturalWidth > 0), 'the sample grid image loaded');
  assert.ok(Number(await img.getAttribute('data-epoch')) >= 1);
  await wv.locator('svg.chart path.series-steps, svg.chart circle.point').first().waitFor({ timeout: 30_000 });
  assert.match(await wv.locator('#charts').innerText(), /loss/i);
  await ui.screenshot('08-training-preview');

  // the run finishes: status in the webview, a run folder with run.json and the sample PNGs
  await wv.locator('#status[data-status="finished"]').waitFor({ timeout: 180_000 });
  console.log(`# training run finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  assert.match(await wv.locator('#epoch-label').innerText(), /^epoch 2$/);
  assert.match(await item.innerText(), /ShapesGAN/);
  const runs = findRunDirs(path.join(ui.workspace, 'runs'));
  assert.equal(runs.length, 1, `one run folder: ${runs.join(', ')}`);
  assert.ok(fs.existsSync(path.join(runs[0], 'samples')), 'samples/ was written');
  assert.ok(fs.readdirSync(path.join(runs[0], 'samples')).filter(f => f.endsWith('.png')).length >= 2, 'a grid per epoch');
  await ui.screenshot('09-training-finished');
  await ui.server.close();
});

test('▶ Train on the quick diffusion target: the preview shows the sample grid, the denoising trajectory and the loss', { timeout: 600_000 }, async t => {
  if (skip) return t.skip('no bundled server');
  const ui = await suite.open('train-diffusion');
  const page = ui.page;
  await ui.openFile('diffusion.ann');
  const lens = page.locator('.codelens-decoration a', { hasText: /Train/ }).first();
  await lens.waitFor({ timeout: 60_000 });
  const t0 = Date.now();
  await lens.click();

  const wv = ui.webview();
  await wv.locator('#status').waitFor({ timeout: 60_000 });
  const grid = wv.locator('img.sample-grid');
  const strip = wv.locator('img.trajectory-strip');
  await strip.waitFor({ timeout: 540_000 });
  for (const img of [grid, strip])
    for (let i = 0; i < 50 && !(await img.evaluate(e => e.complete && e.naturalWidth > 0)); i++) await sleep(100);
  assert.ok(await grid.evaluate(e => e.naturalWidth > 0), 'the sample grid image loaded');
  // ten frames of 28 px plus gutters across, four samples down
  assert.deepEqual(await strip.evaluate(e => [e.naturalWidth, e.naturalHeight]), [10 * 32, 4 * 32]);
  assert.equal(await strip.getAttribute('data-epoch'), '1');
  assert.match(await wv.locator('#trajectory').innerText(), /noise/);
  await wv.locator('svg.chart path.series-steps, svg.chart circle.point').first().waitFor({ timeout: 30_000 });
  assert.match(await wv.locator('#charts').innerText(), /loss/i);
  await wv.locator('#status[data-status="finished"]').waitFor({ timeout: 120_000 });
  console.log(`# diffusion run finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await ui.screenshot('10-diffusion-preview');
  const runs = findRunDirs(path.join(ui.workspace, 'runs')).filter(d => d.includes('ShapesDiffusion'));
  assert.equal(runs.length, 1, `one run folder: ${runs.join(', ')}`);
  assert.deepEqual(fs.readdirSync(path.join(runs[0], 'samples')).sort(), ['epoch-001.png', 'trajectory-001.png']);
  await ui.server.close();
});

test('■ Stop ends a long run: the trainer stops, the preview and the status bar say so', { timeout: 180_000 }, async t => {
  if (skip) return t.skip('no bundled server');
  const gan = fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'workspace', 'gan.ann'), 'utf8');
  const ui = await suite.open('stop', { files: { 'long.ann': gan.replace(/epochs: \d+/, 'epochs: 200') } });
  const page = ui.page;
  await ui.openFile('long.ann');
  const train = page.locator('.codelens-decoration a', { hasText: /Train/ }).first();
  await train.waitFor({ timeout: 60_000 });
  await train.click();
  const wv = ui.webview();
  // wait until it really trains (step losses drawn), then stop it from the code lens
  await wv.locator('svg.chart path.series-steps').first().waitFor({ timeout: 120_000 });
  const stop = page.locator('.codelens-decoration a', { hasText: /Stop/ }).first();
  await stop.waitFor({ timeout: 30_000 });
  const t0 = Date.now();
  await stop.click();
  await wv.locator('#status[data-status="stopped"]').waitFor({ timeout: 60_000 });
  console.log(`# stopped ${((Date.now() - t0) / 1000).toFixed(1)} s after ■ Stop`);
  const epochs = Number((await wv.locator('#status').innerText()).match(/epoch (\d+)/)?.[1]);
  assert.ok(epochs >= 1 && epochs < 200, `stopped part-way (epoch ${epochs})`);
  await page.locator('.codelens-decoration a', { hasText: /Train/ }).first().waitFor({ timeout: 30_000 });
  const item = page.locator('.statusbar-item', { hasText: 'ShapesGAN' }).first();
  assert.doesNotMatch(await item.innerText(), /epoch \d+\/200 .*spin/);
  await ui.screenshot('10-training-stopped');
  await ui.server.close();
});

test('in an untrusted workspace ▶ Train is refused by the extension and nothing runs', { timeout: 120_000 }, async t => {
  if (skip) return t.skip('no bundled server');
  const ui = await suite.open('untrusted', { trusted: false });
  const page = ui.page;
  await ui.openFile('gan.ann');
  // restricted mode: the language features still work (the server runs), training does not
  const lens = page.locator('.codelens-decoration a', { hasText: /Train/ }).first();
  await lens.waitFor({ timeout: 60_000 });
  await lens.click();
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /training is disabled in an untrusted workspace/ }).first();
  await toast.waitFor({ timeout: 20_000 });
  await ui.screenshot('11-untrusted');
  await sleep(3000);
  assert.equal(findRunDirs(path.join(ui.workspace, 'runs')).length, 0, 'no run folder was written');
  assert.equal(await page.locator('.statusbar-item', { hasText: 'ShapesGAN' }).count(), 0, 'no training in the status bar');
  await ui.server.close();
});

test('▶ Train a classifier: accuracy and loss curves, framed test images and their class names', { timeout: 180_000 }, async t => {
  if (skip) return t.skip('no bundled server');
  const ui = await suite.open('classifier', { files: { 'shapes.ann': [
    '# a tiny classifier of the 4 generated shapes',
    'network ShapeNet {',
    '    input(1x28x28)',
    '    conv(4, kernel: 5) -> relu',
    '    pool(max, 2)',
    '    flatten',
    '    dense(4)',
    '}',
    '',
    'train ShapeNet {',
    '    data: shapes',
    '    epochs: 1',
    '    batch: 128',
    '    optimizer: adam(lr: 3e-3)',
    '    preview: 4x4',
    '}',
    '',
  ].join('\n') } });
  const page = ui.page;
  await ui.openFile('shapes.ann');
  const lens = page.locator('.codelens-decoration a', { hasText: /Train/ }).first();
  await lens.waitFor({ timeout: 60_000 });
  await lens.click();
  const wv = ui.webview();
  await wv.locator('#status[data-status="finished"]').waitFor({ timeout: 150_000 });
  await wv.locator('img.sample-grid').waitFor({ timeout: 10_000 });
  assert.match(await wv.locator('#classes').innerText(), /0 circle · 1 square · 2 triangle · 3 cross/);
  const charts = await wv.locator('#charts').innerText();
  assert.match(charts, /Loss/);
  assert.match(charts, /Accuracy/);
  const acc = Number((await wv.locator('#status').innerText()).match(/acc (\d\.\d+)/)?.[1]);
  assert.ok(acc > 0.25, `better than chance on 4 classes after one epoch (acc ${acc})`);
  await ui.screenshot('13-classifier');
  await ui.server.close();
});

test('▶ Train trains the unsaved text: run.json and source.ann have the edit, the file on disk does not', { timeout: 180_000 }, async t => {
  if (skip) return t.skip('no bundled server');
  const text = [
    'network Quick {',
    '    input(1x28x28)',
    '    flatten',
    '    dense(4)',
    '}',
    '',
    'train Quick {',
    '    data: shapes',
    '    epochs: 1',
    '    batch: 128',
    '    preview: 2x2',
    '}',
    '',
  ].join('\n');
  const ui = await suite.open('unsaved', { files: { 'quick.ann': text } });
  const page = ui.page;
  await ui.openFile('quick.ann');
  await page.locator('.codelens-decoration a', { hasText: /Train/ }).first().waitFor({ timeout: 60_000 });
  // replace "batch: 128" by "batch: 100" and leave the file unsaved
  await ui.goTo(10, 12);
  await page.keyboard.press('Shift+End');
  await page.keyboard.type('100');
  await page.locator('.tabs-container .tab.dirty', { hasText: 'quick.ann' }).waitFor({ timeout: 10_000 });
  assert.match(fs.readFileSync(path.join(ui.workspace, 'quick.ann'), 'utf8'), /batch: 128/);
  await sleep(500); // let the edit reach the server
  await page.locator('.codelens-decoration a', { hasText: /Train/ }).first().click();

  const wv = ui.webview();
  await wv.locator('#status[data-status="finished"]').waitFor({ timeout: 150_000 });
  const runs = findRunDirs(path.join(ui.workspace, 'runs'));
  assert.equal(runs.length, 1, `one run folder: ${runs.join(', ')}`);
  const run = JSON.parse(fs.readFileSync(path.join(runs[0], 'run.json'), 'utf8'));
  assert.equal(run.batch, 100, 'the edited batch size trained');
  const source = fs.readFileSync(path.join(runs[0], 'source.ann'), 'utf8');
  assert.match(source, /batch: 100/);
  assert.equal(source, text.replace('batch: 128', 'batch: 100'), 'source.ann is the editor\'s text');
  assert.match(fs.readFileSync(path.join(ui.workspace, 'quick.ann'), 'utf8'), /batch: 128/, 'the file on disk is untouched');
  assert.ok(await page.locator('.tabs-container .tab.dirty', { hasText: 'quick.ann' }).count() === 1, 'still unsaved');

  // the preview opens what was trained
  await wv.locator('#open-source').click();
  await page.locator('.tabs-container .tab', { hasText: 'source.ann' }).first().waitFor({ timeout: 15_000 });
  assert.match(await ui.editor().locator('.view-lines').innerText(), /batch:\s100/);
  await ui.screenshot('14-trained-unsaved-source');
  await ui.server.close();
});
