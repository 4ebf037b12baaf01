// Real UI against the bundled language server: the Native AOT server is the one that starts (and the
// JIT server where it cannot run), inlay shapes, a shape-error squiggle fixed by its quick fix,
// completion of layer names, and the network view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { makeServerSuite, sleep, until } from './lib/harness.mjs';

let suite;
let skip = false;
before(async () => {
  const made = await makeServerSuite('lang', 'language tests');
  suite = made.suite;
  skip = !made.bundled;
});
after(async () => { await suite?.cleanup(); });


// the editor's visible lines in visual order (monaco recycles line elements: DOM order is not line order)
const viewText = ui => ui.page.$$eval('.editor-instance .monaco-editor .view-lines .view-line', ls => ls
  .map(l => ({ top: parseFloat(l.style.top) || 0, text: (l.textContent ?? '').replace(/\u00a0/g, ' ') }))
  .sort((a, b) => a.top - b.top).map(l => l.text));

/** The annlsp output channel as VS Code writes it to disk (a log output channel: <user-data>/logs/…/annlsp.log). */
function outputChannel(userData) {
  const logs = path.join(userData, 'logs');
  const files = fs.existsSync(logs) ? fs.readdirSync(logs, { recursive: true }).filter(f => path.basename(f) === 'annlsp.log') : [];
  return files.map(f => fs.readFileSync(path.join(logs, f), 'utf8')).join('\n');
}

/** The command lines of the running processes started from `file`. */
function processesOf(file) {
  return execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).split('\n').filter(l => l.startsWith(file));
}

test('the .vsix ships the Native AOT server and the extension starts it: output channel and process', { timeout: 120_000 }, async t => {
  if (skip) return t.skip('no bundled server');
  const aot = path.join(suite.extensionPath, 'dist', 'server', 'aot', 'annlsp-server');
  const head = fs.readFileSync(aot).subarray(0, 4);
  assert.deepEqual([...head], [0x7f, 0x45, 0x4c, 0x46], 'dist/server/aot/annlsp-server is an ELF executable');
  fs.accessSync(aot, fs.constants.X_OK);
  assert.ok(fs.existsSync(path.join(suite.extensionPath, 'dist', 'server', 'annlsp.dll')), 'the JIT server and trainer ship beside it');
  const ui = await suite.open('aot-server');
  await ui.openFile('lenet.ann');
  const log = await until(async () => { const l = outputChannel(ui.server.userData); return /server started/.test(l) && l; }, 'the output channel line "server started"');
  assert.ok(log.includes(`starting server (bundled, Native AOT): ${aot}`), log);
  assert.match(log, /server started \(Native AOT\): annlsp \d/);
  assert.doesNotMatch(log, /Falling back/);
  // one: the server; the probe that ran before it (initialize, shutdown, exit) has exited
  await until(async () => processesOf(aot).length === 1, 'exactly one Native AOT server process');
  await until(async () => (await viewText(ui)).some(x => /16×5×5/.test(x)), 'the AOT server\'s inlay hints');
  await ui.server.close();
});

test('where the AOT server cannot run, the JIT server starts instead and the output channel says why', { timeout: 150_000 }, async t => {
  if (skip) return t.skip('no bundled server');
  // a copy of the installed extension (symbolic links) whose AOT server is a binary for no machine
  const extensions = path.join(suite.tmp, 'extensions-no-aot');
  const ext = path.join(extensions, path.basename(suite.extensionPath));
  const mirror = async (from, to, except) => {
    await fsp.mkdir(to, { recursive: true });
    for (const n of await fsp.readdir(from)) if (n !== except) await fsp.symlink(path.join(from, n), path.join(to, n));
  };
  await mirror(suite.extensionPath, ext, 'dist');
  await mirror(path.join(suite.extensionPath, 'dist'), path.join(ext, 'dist'), 'server');
  await mirror(path.join(suite.extensionPath, 'dist', 'server'), path.join(ext, 'dist', 'server'), 'aot');
  const aot = path.join(ext, 'dist', 'server', 'aot', 'annlsp-server');
  await fsp.mkdir(path.dirname(aot));
  await fsp.writeFile(aot, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]), { mode: 0o755 });
  const manifest = path.join(suite.extensionsDir, 'extensions.json');
  if (fs.existsSync(manifest)) await fsp.writeFile(path.join(extensions, 'extensions.json'), (await fsp.readFile(manifest, 'utf8')).replaceAll(suite.extensionsDir, extensions));
  const installed = suite.extensionsDir;
  suite.extensionsDir = extensions;
  let ui;
  try { ui = await suite.open('aot-fallback'); } finally { suite.extensionsDir = installed; }
  await ui.openFile('lenet.ann');
  const log = await until(async () => { const l = outputChannel(ui.server.userData); return /server started/.test(l) && l; }, 'the output channel line "server started"');
  assert.match(log, new RegExp(`The Native AOT server \\(${aot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) cannot run here: it (could not be started|exited)[^\\n]*Falling back to the JIT server \\(\\S*dotnet \\S*annlsp\\.dll lsp\\)`), log);
  assert.match(log, /starting server \(bundled, JIT\)/);
  assert.match(log, /server started \(JIT\)/);
  await until(async () => (await viewText(ui)).some(x => /16×5×5/.test(x)), 'the JIT server\'s inlay hints');
  await ui.screenshot('05-aot-fallback');
  await ui.server.close();
});

test('inlay hints show the output shape of each layer', { timeout: 120_000 }, async t => {
  if (skip) return t.skip('no bundled server');
  const ui = await suite.open('inlay');
  await ui.openFile('lenet.ann');
  const lines = await until(async () => { const l = await viewText(ui); return l.some(x => /16×5×5/.test(x)) && l; }, 'the inlay hint 16×5×5');
  const line = i => lines.find(l => l.trimStart().startsWith(i)) ?? '';
  assert.match(line('conv(6'), /6×28×28/, 'conv(6, kernel: 5, padding: 2) → 6×28×28');
  assert.match(line('flatten'), /400/, 'flatten → 400');
  assert.match(line('dense(10)'), /\b10\b.*$/);
  await ui.screenshot('03-inlay-hints');
  await ui.server.close();
});

test('a shape error is squiggled, listed in Problems, and its quick fix (insert flatten) removes it', { timeout: 150_000 }, async t => {
  if (skip) return t.skip('no bundled server');
  const ui = await suite.open('quickfix');
  const page = ui.page;
  await ui.openFile('broken.ann');
  await page.locator('.editor-instance .monaco-editor .squiggly-error').first().waitFor({ timeout: 30_000 });
  await until(async () => /Errors: 1\b/.test(await page.locator('#status\\.problems').getAttribute('aria-label') ?? ''), 'one error in the status bar');

  await page.keyboard.press('Control+Shift+M');
  const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'dense expects a vector' }).first();
  await row.waitFor({ timeout: 15_000 });
  const text = await row.innerText();
  assert.match(text, /16×12×12/, `the message names the shape: ${text}`);
  assert.match(text, /ANN3001/, `the code is shown: ${text}`);
  await ui.screenshot('04-shape-error');

  // quick fix on the dense line. Ctrl+. can land while Go to Line is still closing or before the
  // code actions for the new cursor arrive (the widget then says none): ask again, up to three times.
  const fix = page.locator('.action-widget .monaco-list-row', { hasText: /flatten/i }).first();
  for (let attempt = 1; ; attempt++) {
    await ui.goTo(6, 6);
    await page.keyboard.press('Control+.');
    try { await fix.waitFor({ timeout: 8_000 }); break; } catch (e) {
      if (attempt === 3) throw e;
      await page.keyboard.press('Escape');
    }
  }
  await fix.click();
  const lines = await until(async () => { const l = await viewText(ui); return l.some(x => x.trim().startsWith('flatten')) && l; }, 'the inserted flatten');
  await ui.screenshot('04b-quick-fix-applied');
  const code = lines.map(l => l.trim()).filter(Boolean);
  const i = code.findIndex(x => x.startsWith('flatten'));
  assert.match(code[i + 1] ?? '', /^dense\(10\)/, `flatten is inserted right before dense:\n${lines.join('\n')}`);
  await until(async () => await page.locator('.editor-instance .monaco-editor .squiggly-error').count() === 0, 'the squiggle to go away');
  await until(async () => /Errors: 0\b|No Problems/i.test(await page.locator('#status\\.problems').getAttribute('aria-label') ?? ''), 'no errors in the status bar');
  await ui.server.close();
});

test('completion offers layer names at the start of a layer', { timeout: 120_000 }, async t => {
  if (skip) return t.skip('no bundled server');
  const ui = await suite.open('completion');
  const page = ui.page;
  await ui.openFile('empty.ann');
  await ui.goTo(3, 5);
  await page.keyboard.type('de');
  await page.keyboard.press('Control+Space');
  const rows = page.locator('.editor-widget.suggest-widget.visible .monaco-list-row');
  await rows.first().waitFor({ timeout: 20_000 });
  const labels = await until(async () => {
    const l = await rows.evaluateAll(rs => rs.map(r => r.getAttribute('aria-label') ?? r.textContent ?? ''));
    return l.some(x => /\bdense\b/.test(x)) && l.some(x => /\bdeconv\b/.test(x)) && l;
  }, 'dense and deconv in the suggestions');
  assert.ok(labels.length >= 2);
  await ui.screenshot('05-completion');
  await page.keyboard.press('Enter');
  const lines = await until(async () => { const l = await viewText(ui); return l.some(x => /^\s*de(nse|conv)/.test(x)) && l; }, 'the accepted completion');
  assert.ok(lines.some(x => /^\s*de(nse|conv)/.test(x)));
  await ui.server.close();
});

test('the network view draws the network under the cursor, a gan side by side, and exports SVG and PNG', { timeout: 120_000 }, async t => {
  if (skip) return t.skip('no bundled server');
  const ui = await suite.open('network');
  await ui.openFile('lenet.ann');
  await ui.goTo(5, 5);
  await ui.page.locator('.editor-instance .monaco-editor .view-line').first().waitFor();
  await sleep(1000);
  await ui.runCommand('annlsp: Network View');
  const wv = ui.webview();
  await wv.locator('#drawing svg.network, #error').first().waitFor({ timeout: 30_000 });
  assert.equal(await wv.locator('#error').count(), 0, await wv.locator('#error').count() ? await wv.locator('#error').innerText() : '');
  const layers = await wv.locator('#drawing g.layer').count();
  assert.equal(layers, 14, 'input + the 13 layers of LeNet5');
  assert.match(await wv.locator('#drawing').innerText(), /16×5×5/);
  await ui.screenshot('06-network-view');

  // editing the file redraws the view: dense(120) → dense(100)
  await ui.goTo(11, 11);
  for (let i = 0; i < 3; i++) await ui.page.keyboard.press('Delete');
  await ui.page.keyboard.type('100');
  await until(async () => /dense\(100\)/.test(await wv.locator('#drawing').innerText().catch(() => '')), 'the drawing to follow the edit');
  assert.doesNotMatch(await wv.locator('#drawing').innerText(), /dense\(120\)/);

  // a gan: its generator and discriminator side by side
  await ui.openFile('gan.ann');
  await ui.goTo(19, 5);
  await sleep(500);
  await ui.runCommand('annlsp: Network View');
  await until(async () => /generator → discriminator/.test(await wv.locator('#drawing').innerText().catch(() => '')), 'the gan drawing');
  const text = await wv.locator('#drawing').innerText();
  assert.match(text, /Generator/);
  assert.match(text, /Discriminator/);
  assert.match(text, /16×7×7/, 'the generator reshape');
  await ui.screenshot('06b-network-view-gan');

  // export: SVG as drawn, PNG rasterised in the webview; VS Code's save dialog proposes <name>.svg/.png beside the file
  for (const [button, file, magic] of [['#export-svg', 'ShapesGAN.svg', '<svg'], ['#export-png', 'ShapesGAN.png', '\x89PNG']]) {
    await wv.locator(button).click();
    const input = ui.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await until(async () => (await input.inputValue()).endsWith(file), `the save dialog to propose ${file}`);
    await ui.page.keyboard.press('Enter');
    const out = path.join(ui.workspace, file);
    await until(() => fs.existsSync(out) && fs.statSync(out).size > 0, `${file} to be written`);
    await sleep(300);
    assert.equal(fs.readFileSync(out).subarray(0, magic.length).toString('latin1'), magic, `${file} is a real ${magic.replace(/\W/g, '')} file`);
    assert.ok(fs.statSync(out).size > 1000, `${file} has the drawing`);
  }
  await ui.server.close();
});

test("a workspace's .vscode/settings.json cannot choose the server binary", { timeout: 120_000 }, async t => {
  if (skip) return t.skip('no bundled server');
  const evil = path.join(suite.tmp, 'evil-server.sh');
  fs.writeFileSync(evil, `#!/bin/sh\ntouch "${path.join(suite.tmp, 'evil-ran')}"\nexec sleep 60\n`, { mode: 0o755 });
  const ui = await suite.open('workspace-server-path', { files: { '.vscode/settings.json': JSON.stringify({ 'annlsp.server.path': evil, 'annlsp.dotnet.path': evil }) } });
  await ui.openFile('lenet.ann');
  // the bundled server runs (inlay shapes appear) and the workspace's binary never does
  await until(async () => (await viewText(ui)).some(x => /16×5×5/.test(x)), 'the bundled server\'s inlay hints');
  assert.equal(fs.existsSync(path.join(suite.tmp, 'evil-ran')), false, 'the workspace-provided server was not started');
  await ui.server.close();
});
