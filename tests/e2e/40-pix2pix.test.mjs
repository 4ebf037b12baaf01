// Real UI, end to end: press ▶ Train on a small pix2pix run on edges(shapes) and watch the preview show a
// triplet row (input | generated | target) and the L1 / PSNR curves beside their input-as-answer baselines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeServerSuite, sleep } from './lib/harness.mjs';

// examples/pix2pix.ann's quick target, with smaller networks so one epoch takes seconds.
const SOURCE = `block Down(c) { leakyrelu(0.2) -> conv(c, kernel: 4, stride: 2, padding: 1) -> batchnorm }
block Up(c, skip) { relu -> deconv(c, kernel: 4, stride: 2, padding: 1) -> batchnorm -> concat(skip) }
network UNet {
    input(1x32x32)
    conv(8, kernel: 4, stride: 2, padding: 1)        as e1
    Down(16)                                         as e2
    leakyrelu(0.2) -> conv(16, kernel: 4, stride: 2, padding: 1)
    Up(16, e2)
    Up(8, e1)
    relu -> deconv(1, kernel: 4, stride: 2, padding: 1) -> tanh
}
network Patch {
    input(2x32x32)
    conv(8, kernel: 4, stride: 2, padding: 1) -> leakyrelu(0.2)
    conv(1, kernel: 4, padding: 1)
}
gan Edges2Shapes { generator: UNet, discriminator: Patch }
train Edges2Shapes as quick { data: edges(shapes, size: 32x32), epochs: 1, batch: 64, preview: 4, seed: 1 }
`;

let suite;
let skip = false;
before(async () => {
  const made = await makeServerSuite('pix2pix', 'pix2pix test');
  suite = made.suite;
  skip = !made.bundled;
});
after(async () => { await suite?.cleanup(); });

test('▶ Train on a pix2pix quick target: the preview shows input | generated | target rows and the L1 curve', { timeout: 300_000 }, async t => {
  if (skip) return t.skip('no bundled server');
  const ui = await suite.open('pix2pix', { files: { 'pix2pix.ann': SOURCE } });
  const page = ui.page;
  await ui.openFile('pix2pix.ann');
  const lens = page.locator('.codelens-decoration a', { hasText: /Train/ }).first();
  await lens.waitFor({ timeout: 60_000 });
  await lens.click();

  const wv = ui.webview();
  await wv.locator('#status').waitFor({ timeout: 60_000 });
  const img = wv.locator('img.sample-grid');
  await img.waitFor({ timeout: 240_000 });
  for (let i = 0; i < 50 && !(await img.evaluate(e => e.complete && e.naturalWidth > 0)); i++) await sleep(100);
  // three 32×32 cells in 2-pixel gutters per row, one row per held-out pair (preview: 4)
  assert.deepEqual(await img.evaluate(e => [e.naturalWidth, e.naturalHeight]), [3 * 36, 4 * 36], 'a grid of triplet rows');
  await wv.locator('#status[data-status="finished"]').waitFor({ timeout: 240_000 });
  const charts = await wv.locator('#charts').innerText();
  assert.match(charts, /L1 to the target/);
  assert.match(charts, /PSNR/);
  await ui.screenshot('12-pix2pix-preview');
  await ui.server.close();
});
