// The run preview webview panels: one per training target (reused by its next run), opened beside
// the editor. Each panel may read only the extension's media and its own run folder.
import * as vscode from 'vscode';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunState } from './previewState';
import { classNames, previewView } from './previewView';
import { configRows, readRunConfig } from './runFolder';
import { makeNonce, shellHtml } from '../webview/html';

interface Entry {
  panel: vscode.WebviewPanel;
  runDir: string;
  state?: RunState;
  config?: Record<string, unknown>;
  configRead: boolean;
  ready: boolean;
  pending?: NodeJS.Timeout;
}

export class PreviewPanels implements vscode.Disposable {
  private readonly panels = new Map<string, Entry>();
  static readonly viewType = 'annlsp.preview';

  constructor(private readonly extensionUri: vscode.Uri) {}

  private key(s: RunState): string { return `${s.uri}#${s.target}`; }

  has(s: RunState): boolean { return this.panels.has(this.key(s)); }

  /** Opens (or reveals) the panel for a run and draws it. */
  async show(s: RunState, config?: Record<string, unknown>, preserveFocus = true): Promise<void> {
    const key = this.key(s);
    let e = this.panels.get(key);
    if (!e) {
      const panel = vscode.window.createWebviewPanel(PreviewPanels.viewType, `Run · ${s.target}`,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, this.options(s.runDir));
      e = this.attach(panel, key, s.runDir);
    } else {
      e.panel.reveal(undefined, preserveFocus);
    }
    if (e.runDir !== s.runDir) {
      e.runDir = s.runDir;
      e.configRead = false;
      e.config = undefined;
      e.panel.webview.options = this.options(s.runDir);
    }
    if (config) { e.config = config; e.configRead = true; }
    e.state = s;
    await this.refreshConfig(e);
    this.post(e);
  }

  private attach(panel: vscode.WebviewPanel, key: string, runDir: string): Entry {
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'client', 'media', 'icon.png');
    const entry: Entry = { panel, runDir, configRead: false, ready: false };
    this.panels.set(key, entry);
    panel.onDidDispose(() => { if (entry.pending) clearTimeout(entry.pending); if (this.panels.get(key) === entry) this.panels.delete(key); });
    panel.webview.onDidReceiveMessage(m => {
      if (m?.type === 'ready') { entry.ready = true; this.post(entry); }
      if (m?.type === 'openSource') void PreviewPanels.openSource(entry.runDir);
    });
    panel.webview.html = this.html(panel.webview);
    return entry;
  }

  /**
   * A preview panel VS Code restores after a reload (its webview state holds the last view): it is
   * redrawn from its run folder on disk, or closed when that folder is not in this workspace any more.
   */
  async restore(panel: vscode.WebviewPanel, state: unknown, accept: (runDir: string) => string | undefined, load: (runDir: string) => Promise<{ state: RunState; config?: Record<string, unknown> }>): Promise<void> {
    const view = (state as { view?: { runDir?: unknown } } | undefined)?.view;
    const runDir = typeof view?.runDir === 'string' ? accept(view.runDir) : undefined;
    if (!runDir) { panel.dispose(); return; }
    const { state: s, config } = await load(runDir);
    panel.webview.options = this.options(runDir);
    const e = this.attach(panel, this.key(s), runDir);
    e.state = s;
    if (config) { e.config = config; e.configRead = true; }
  }

  /** Redraws the panel of a run if one is open (throttled). */
  update(s: RunState): void {
    const e = this.panels.get(this.key(s));
    if (!e || e.runDir !== s.runDir) return;
    e.state = s;
    if (!e.configRead || s.status !== 'running') void this.refreshConfig(e).then(() => this.schedule(e));
    else this.schedule(e);
  }

  private schedule(e: Entry): void {
    if (e.pending) return;
    e.pending = setTimeout(() => { e.pending = undefined; this.post(e); }, 200);
    e.pending.unref?.();
  }

  private async refreshConfig(e: Entry): Promise<void> {
    if (e.configRead && e.config) return;
    const c = await readRunConfig(e.runDir);
    if (c) { e.config = c; e.configRead = true; }
  }

  private options(runDir: string): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.extensionUri, 'client', 'media'), vscode.Uri.file(runDir)],
    };
  }

  private html(webview: vscode.Webview): string {
    return shellHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(n => crypto.randomBytes(n)),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'preview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'client', 'media', 'webview.css')).toString(),
      title: 'annlsp run preview',
    });
  }

  private post(e: Entry): void {
    if (!e.state || !e.ready) return;
    const webview = e.panel.webview;
    const s = e.state;
    const hasSource = fs.existsSync(path.join(s.runDir, PreviewPanels.sourceFile));
    const view = previewView(s, p => webview.asWebviewUri(vscode.Uri.file(p)).toString(), configRows(e.config), classNames(e.config), hasSource);
    e.panel.title = `Run · ${s.target}${s.status === 'running' ? ' (training)' : ''}`;
    void webview.postMessage({ type: 'state', view });
  }

  dispose(): void {
    for (const e of this.panels.values()) e.panel.dispose();
    this.panels.clear();
  }

  static readonly sourceFile = 'source.ann';

  /** Opens the text a run trained (its run folder's source.ann) in the first editor group, read-only for the session: it is the run's record. */
  static async openSource(runDir: string): Promise<void> {
    const file = vscode.Uri.file(path.join(runDir, PreviewPanels.sourceFile));
    try {
      await vscode.window.showTextDocument(file, { viewColumn: vscode.ViewColumn.One, preview: true });
      await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession');
    } catch (e) {
      void vscode.window.showErrorMessage(`Cannot open ${file.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  static runLabel(runDir: string): string {
    return `${path.basename(path.dirname(runDir))} / ${path.basename(runDir)}`;
  }
}
