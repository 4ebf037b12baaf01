// Real UI, graphs: the network view draws a network's graph — the main line as a stack, every skip (a
// residual's input, a named tensor read by a merge) as an arc from the box where it is defined to the
// box that reads it — and exports it as SVG; on a residual network and on examples/unet.ann.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeServerSuite, sleep, ROOT, until } from './lib/harness.mjs';

let suite;
let skip = false;
before(async () => {
  const made = await makeServerSuite('graph', 'graph tests');
  suite = made.suite;
  skip = !made.bundled;
});
after(async () => { await suite?.cleanup(); });


const example = name => fs.readFileSync(path.join(ROOT, 'examples', name), 'utf8');

/** Opens `file`, puts the cursor on `line` (inside the network) and opens the network view; returns its webview frame. */
async function networkView(ui, file, line) {
  // the first quick open of a fresh code-server can miss its file index on a loaded machine: try again
  for (let attempt = 1; ; attempt++) {
    try { await ui.openFile(file); break; } catch (e) {
      if (attempt === 3) throw e;
      await ui.page.keyboard.press('Escape');
      await sleep(3000);
    }
  }
  await ui.goTo(line, 5);
  await ui.page.locator('.editor-instance .monaco-editor .view-line').first().waitFor();
  await sleep(1000);
  await ui.runCommand('annlsp: Network View');
  const wv = ui.webview();
  await wv.locator('#drawing svg.network, #error').first().waitFor({ timeout: 30_000 });
  assert.equal(await wv.locator('#error').count(), 0, await wv.locator('#error').count() ? await wv.locator('#error').innerText() : '');
  return wv;
}

test('the network view draws a residual as its body, its join and an arc from its input', { timeout: 120_000 }, async t => {
  if (skip) return t.skip('no bundled server');
  const ui = await suite.open('graph-residual', { files: { 'vgg.ann': example('vgg.ann') } });
  const wv = await networkView(ui, 'vgg.ann', 12);
  // input, 2 × 7 block layers, the residual's body (3) and join, globalpool, dropout, dense
  assert.equal(await wv.locator('#drawing g.layer').count(), 22);
  const arcs = wv.locator('#drawing g.skip');
  assert.equal(await arcs.count(), 1, 'one skip: the residual\'s input to its join');
  assert.equal(await arcs.first().getAttribute('data-from'), '14');
  assert.equal(await arcs.first().getAttribute('data-to'), '18');
  assert.match(await arcs.first().locator('title').textContent(), /^pool\(max, 2\) \(64×7×7\) → residual$/);
  // the arc is drawn: a path of real length right of the stack
  const box = await arcs.first().locator('path').boundingBox();
  assert.ok(box && box.height > 3 * 30, `the arc spans the residual's rows: ${JSON.stringify(box)}`);
  await ui.screenshot('25-network-view-residual');

  // clicking the join jumps to the residual's line
  await wv.locator('#drawing g.layer[data-kind="add"]').click();
  await until(async () => /Ln 13,/.test(await ui.statusBarText('status.editor.selection').catch(() => '')), 'the cursor on the residual\'s line');

  // export: the SVG written is the drawing, arcs included
  await wv.locator('#export-svg').click();
  const input = ui.page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  await until(async () => (await input.inputValue()).endsWith('VggFashion.svg'), 'the save dialog to propose VggFashion.svg');
  await ui.page.keyboard.press('Enter');
  const out = path.join(ui.workspace, 'VggFashion.svg');
  await until(() => fs.existsSync(out) && fs.statSync(out).size > 0, 'VggFashion.svg to be written');
  await sleep(300);
  const svg = fs.readFileSync(out, 'utf8');
  assert.match(svg, /^<svg xmlns/);
  assert.equal((svg.match(/<g class="skip"/g) ?? []).length, 1);
  await ui.server.close();
});

test('the network view draws examples/unet.ann: each encoder tensor an arc to the concat of its Up, nested', { timeout: 120_000 }, async t => {
  if (skip) return t.skip('no bundled server');
  const ui = await suite.open('graph-unet', { files: { 'unet.ann': example('unet.ann') } });
  const wv = await networkView(ui, 'unet.ann', 8);
  // input, conv, 2 Downs (3 each), leakyrelu + conv, 3 Ups (4 each: relu, deconv, batchnorm, concat), relu, deconv, tanh
  assert.equal(await wv.locator('#drawing g.layer').count(), 25);
  const arcs = await wv.locator('#drawing g.skip').evaluateAll(gs => gs.map(g => [g.dataset.name, Number(g.dataset.from), Number(g.dataset.to)]));
  assert.deepEqual(arcs, [['e3', 7, 13], ['e2', 4, 17], ['e1', 1, 21]], 'e3 into the first Up\'s concat, e2 the second\'s, e1 the third\'s');
  // nested arcs: the outer (e1) runs in a lane further right than the inner (e3)
  const right = async name => (await wv.locator(`#drawing g.skip[data-name="${name}"] path`).boundingBox()).x;
  assert.ok(await right('e1') > await right('e2') && await right('e2') > await right('e3'), 'e1 outside e2 outside e3');
  const text = await wv.locator('#drawing').innerText();
  assert.match(text, / as e1/);
  assert.match(text, /512×4×4/, 'the first concat: 256 + 256 channels');
  assert.match(text, /1×32×32/);
  await ui.screenshot('25b-network-view-unet');
  await ui.server.close();
});
