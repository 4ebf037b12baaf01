// The real-UI harness: code-server 4.139.1 (on Node 24 from .tools/) serving the built .vsix,
// driven by Debian's chromium through playwright-core. Each test gets a fresh copy of the
// workspace fixture, a fresh code-server user-data dir and a fresh browser context; the extension
// is installed once per test file into its own extensions dir.
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const execFileP = promisify(execFile);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const TOOLS = path.join(ROOT, '.tools');
export const NODE24 = path.join(TOOLS, 'node24', 'bin', 'node');
export const CODE_SERVER = path.join(TOOLS, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const VSIX = process.env.ANNLSP_VSIX ?? path.join(ROOT, 'annlsp.vsix');
export const FIXTURE = path.join(ROOT, 'tests', 'e2e', 'fixtures', 'workspace');
export const ARTIFACTS = path.join(ROOT, 'tests', 'e2e', 'artifacts');
export const WORK = path.join(ROOT, 'tests', 'e2e', '.work');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const sleep = ms => new Promise(r => { const t = setTimeout(r, ms); t.unref?.(); });

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/** Polls `fn` every 200 ms until it returns something truthy, and returns that; throws naming `what` after `ms`. */
export async function until(fn, what, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** A suite for tests that need the bundled server: the .vsix installed, a browser up. `bundled` is false,
 * and a line says that `skipped` are skipped, when the .vsix has no server (dist/server/annlsp.dll). */
export async function makeServerSuite(name, skipped) {
  checkPrerequisites();
  const suite = await makeSuite(name);
  const [{ extensionPath }] = await Promise.all([suite.installExtension(), suite.launchBrowser()]);
  const bundled = fs.existsSync(path.join(extensionPath, 'dist', 'server', 'annlsp.dll'));
  if (!bundled) console.log(`# the .vsix has no bundled server (dist/server/annlsp.dll): ${skipped} skipped`);
  return { suite, bundled };
}

export function checkPrerequisites() {
  const missing = [];
  if (!fs.existsSync(NODE24)) missing.push(`${NODE24} (run scripts/e2e-setup.sh)`);
  if (!fs.existsSync(CODE_SERVER)) missing.push(`${CODE_SERVER} (run scripts/e2e-setup.sh)`);
  if (!fs.existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (apt-get install -y chromium)`);
  if (!fs.existsSync(VSIX)) missing.push(`${VSIX} (run npm run package)`);
  if (missing.length) throw new Error(`e2e prerequisites missing:\n  ${missing.join('\n  ')}`);
}

function baseEnv(tmp) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_') || k.startsWith('ELECTRON_')) delete env[k];
  return {
    ...env,
    PATH: `${path.dirname(NODE24)}:${env.PATH ?? '/usr/bin:/bin'}`,
    HOME: path.join(tmp, 'home'),
    XDG_DATA_HOME: path.join(tmp, 'xdg', 'data'),
    XDG_CONFIG_HOME: path.join(tmp, 'xdg', 'config'),
    XDG_CACHE_HOME: path.join(tmp, 'xdg', 'cache'),
    DOTNET_CLI_HOME: path.join(tmp, 'home'),
    DOTNET_CLI_TELEMETRY_OPTOUT: '1',
    DOTNET_NOLOGO: '1',
  };
}

/** A temp folder for one test file; removed by cleanup(). */
export async function makeSuite(name) {
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), `annlsp-e2e-${name}-`));
  for (const d of ['home', 'xdg/data', 'xdg/config', 'xdg/cache', 'extensions']) await fsp.mkdir(path.join(tmp, d), { recursive: true });
  await fsp.mkdir(ARTIFACTS, { recursive: true });
  const suite = {
    tmp,
    extensionsDir: path.join(tmp, 'extensions'),
    browser: undefined,
    servers: new Set(),
    /** Installs the .vsix with code-server's --install-extension, once per .vsix build: the test
     * files share an extensions folder under tests/e2e/.work/ named after the .vsix's size and time. */
    async installExtension() {
      const t0 = Date.now();
      const st = fs.statSync(VSIX);
      const cached = path.join(WORK, `extensions-${st.size}-${Math.floor(st.mtimeMs)}`);
      if (!fs.existsSync(path.join(cached, '.installed'))) {
        await fsp.rm(WORK, { recursive: true, force: true });
        const staging = `${cached}.tmp`;
        await fsp.mkdir(staging, { recursive: true });
        const { stdout, stderr } = await execFileP(NODE24, [CODE_SERVER, '--user-data-dir', path.join(tmp, 'install-data'), '--extensions-dir', staging, '--install-extension', VSIX, '--force'],
          { env: baseEnv(tmp), timeout: 120_000, maxBuffer: 16 << 20 });
        const out = stdout + stderr;
        if (!/successfully installed/i.test(out)) throw new Error(`installing ${VSIX} failed:\n${out}`);
        await fsp.writeFile(path.join(staging, '.installed'), out);
        await fsp.rename(staging, cached);
      }
      suite.extensionsDir = cached;
      const dirs = await fsp.readdir(suite.extensionsDir);
      const ext = dirs.find(d => d.startsWith('annlsp.annlsp-'));
      if (!ext) throw new Error(`extension not found in ${suite.extensionsDir}: ${dirs.join(', ')}`);
      suite.extensionPath = path.join(suite.extensionsDir, ext);
      return { ms: Date.now() - t0, extensionPath: suite.extensionPath };
    },
    async launchBrowser() {
      suite.browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--disable-extensions', '--disable-component-update'],
      });
      return suite.browser;
    },
    /** A fresh workspace copy, a fresh code-server and a fresh page on it. */
    async open(testName, { settings = {}, machineSettings = {}, files = {}, trusted = true } = {}) {
      const slug = testName.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
      const dir = await fsp.mkdtemp(path.join(tmp, `${slug}-`));
      const workspace = path.join(dir, 'workspace');
      await fsp.cp(FIXTURE, workspace, { recursive: true });
      for (const [rel, content] of Object.entries(files)) {
        await fsp.mkdir(path.dirname(path.join(workspace, rel)), { recursive: true });
        await fsp.writeFile(path.join(workspace, rel), content);
      }
      const userData = path.join(dir, 'user-data');
      await fsp.mkdir(path.join(userData, 'User'), { recursive: true });
      await fsp.writeFile(path.join(userData, 'User', 'settings.json'), JSON.stringify({
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.ignoreRecommendations': true,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'security.workspace.trust.enabled': !trusted,
        'security.workspace.trust.startupPrompt': 'never',
        'chat.disableAIFeatures': true,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'chat.commandCenter.enabled': false,
        'window.commandCenter': false,
        'editor.inlayHints.enabled': 'on',
        'editor.codeLens': true,
        'editor.minimap.enabled': false,
        'editor.fontSize': 14,
        'files.autoSave': 'off',
        'git.enabled': false,
        ...settings,
      }, null, 2));
      // machine-scoped settings (annlsp.server.path …) live in the remote "Machine" settings: code-server's
      // workbench is a remote one, and VS Code ignores machine-scoped values in user settings there
      await fsp.mkdir(path.join(userData, 'Machine'), { recursive: true });
      await fsp.writeFile(path.join(userData, 'Machine', 'settings.json'), JSON.stringify(machineSettings, null, 2));
      const port = await freePort();
      const args = [CODE_SERVER, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
        ...(trusted ? ['--disable-workspace-trust'] : []), '--disable-getting-started-override', '--user-data-dir', userData, '--extensions-dir', suite.extensionsDir, workspace];
      const logFile = path.join(dir, 'code-server.log');
      const log = fs.openSync(logFile, 'a');
      const proc = spawn(NODE24, args, { env: baseEnv(tmp), stdio: ['ignore', log, log], detached: true });
      fs.closeSync(log);
      const server = { proc, port, workspace, userData, logFile, dir };
      suite.servers.add(server);
      const url = `http://127.0.0.1:${port}/`;
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (proc.exitCode !== null) throw new Error(`code-server exited (${proc.exitCode}):\n${await fsp.readFile(logFile, 'utf8')}`);
        try { const r = await fetch(`${url}healthz`); if (r.ok) break; } catch { /* not yet */ }
        if (Date.now() > deadline) throw new Error(`code-server did not listen on ${url}:\n${await fsp.readFile(logFile, 'utf8')}`);
        await sleep(150);
      }
      const context = await suite.browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      const consoleLines = [];
      page.on('console', m => { if (consoleLines.length < 500) consoleLines.push(`${m.type()}: ${m.text()}`); });
      await page.goto(`${url}?folder=${encodeURIComponent(workspace)}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      const ui = new Workbench(page, server, consoleLines);
      server.ui = ui;
      server.close = async () => {
        await context.close().catch(() => {});
        await stopProcess(proc);
        suite.servers.delete(server);
      };
      return ui;
    },
    async cleanup() {
      for (const s of [...suite.servers]) await s.close();
      await suite.browser?.close().catch(() => {});
      if (!process.env.ANNLSP_E2E_KEEP) await fsp.rm(tmp, { recursive: true, force: true }).catch(() => {});
    },
  };
  return suite;
}

async function stopProcess(proc) {
  if (proc.exitCode !== null || proc.signalCode) return;
  const exited = new Promise(r => proc.once('exit', r));
  try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* gone */ }
  const t = setTimeout(() => { try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
  t.unref();
  await Promise.race([exited, sleep(5000)]);
  clearTimeout(t);
}

/** Thin helpers over the VS Code workbench DOM (selectors from architecture.md). */
export class Workbench {
  constructor(page, server, consoleLines) {
    this.page = page;
    this.server = server;
    this.consoleLines = consoleLines;
    this.workspace = server.workspace;
  }

  async screenshot(name) {
    const file = path.join(ARTIFACTS, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async openFile(name) {
    const page = this.page;
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 } }).catch(() => {});
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(name);
    await page.locator('.quick-input-widget .monaco-list-row').first().waitFor({ timeout: 15_000 });
    await sleep(300);
    await page.keyboard.press('Enter');
    await page.locator(`.tabs-container .tab[data-resource-name="${name}"], .tabs-container .tab[aria-label*="${name}"]`).first().waitFor({ timeout: 15_000 });
    await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 15_000 });
    return this.editor();
  }

  editor() { return this.page.locator('.editor-instance .monaco-editor').first(); }

  async runCommand(title) {
    const page = this.page;
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(`>${title}`);
    await this.acceptQuickPick(title);
  }

  /** Waits until the focused row of the open quick pick shows `text`, then accepts it with Enter
   * (a click can land on a hover that covers the row). */
  async acceptQuickPick(text) {
    const page = this.page;
    await page.mouse.move(2, 2);
    const row = page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: text }).first();
    await row.waitFor({ timeout: 20_000 });
    await sleep(150);
    await page.keyboard.press('Enter');
  }

  /** The text and colour of each token span on the editor's visible lines. */
  async tokens() {
    return this.page.$$eval('.editor-instance .monaco-editor .view-lines .view-line span span', spans =>
      spans.map(s => ({ text: (s.textContent ?? '').replace(/\u00a0/g, ' '), cls: s.className, color: getComputedStyle(s).color })));
  }

  async statusBarText(id) {
    return this.page.locator(`#${id.replace(/\./g, '\\.')}`).innerText();
  }

  async notifications() {
    return this.page.$$eval('.notifications-toasts .notification-toast .notification-list-item-message', els => els.map(e => e.textContent ?? ''));
  }

  /** Places the cursor on a 1-based line/column with "Go to Line" (Ctrl+G). */
  async goTo(line, column = 1) {
    const page = this.page;
    await this.editor().locator('.view-lines').click();
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${line}:${column}`);
    await page.keyboard.press('Enter');
    await sleep(200);
  }

  webview() {
    return this.page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
  }
}
