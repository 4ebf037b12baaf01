// "annlsp: Network View": asks the server for a network's structure (`annlsp.networkGraph`) and
// draws it in a webview, with export to SVG and PNG.
import * as vscode from 'vscode';
import * as crypto from 'node:crypto';
import { fetchGraph, graphSvg, SymbolLike } from './graph';
import { makeNonce, shellHtml } from '../webview/html';

export type GraphRequest = (uri: string, name: string) => Promise<unknown>;

export class NetworkView implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private current?: { uri: vscode.Uri; name: string; svg?: string };
  private ready = false;

  private readonly subscriptions: vscode.Disposable[] = [];
  private debounce?: NodeJS.Timeout;

  constructor(private readonly extensionUri: vscode.Uri, private readonly request: GraphRequest, private readonly log: (s: string) => void) {
    // redraw as the file is edited (debounced: the server re-analyses on each change)
    this.subscriptions.push(vscode.workspace.onDidChangeTextDocument(e => {
      if (!this.panel || !this.current || e.document.uri.toString() !== this.current.uri.toString()) return;
      if (this.debounce) clearTimeout(this.debounce);
      this.debounce = setTimeout(() => { this.debounce = undefined; void this.load(true); }, 600);
      this.debounce.unref?.();
    }));
  }

  async show(uri: vscode.Uri, name: string): Promise<void> {
    this.current = { uri, name };
    if (!this.panel) {
      this.ready = false;
      this.panel = vscode.window.createWebviewPanel('annlsp.network', `Network · ${name}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.extensionUri, 'client', 'media')],
      });
      this.panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'client', 'media', 'icon.png');
      this.panel.onDidDispose(() => { this.panel = undefined; });
      this.panel.webview.onDidReceiveMessage(m => void this.onMessage(m));
      this.panel.webview.html = shellHtml({
        cspSource: this.panel.webview.cspSource,
        nonce: makeNonce(n => crypto.randomBytes(n)),
        scriptUri: this.panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'network.js')).toString(),
        styleUri: this.panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'client', 'media', 'webview.css')).toString(),
        title: 'annlsp network view',
      });
    } else {
      this.panel.reveal(undefined, true);
    }
    this.panel.title = `Network · ${name}`;
    await this.load();
  }

  /** `auto`: a redraw after an edit, which keeps the last drawing while the file does not check. */
  private async load(auto = false): Promise<void> {
    const cur = this.current;
    if (!cur || !this.panel) return;
    let msg: { type: 'graph'; svg?: string; name: string; error?: string };
    try {
      const g = await fetchGraph(cur.name, n => this.request(cur.uri.toString(), n),
        async () => await vscode.commands.executeCommand<SymbolLike[]>('vscode.executeDocumentSymbolProvider', cur.uri) ?? []);
      if (!g) msg = { type: 'graph', name: cur.name, error: `The server has no structure for "${cur.name}" (is it a network or gan without errors?).` };
      else { cur.svg = graphSvg(g); msg = { type: 'graph', name: cur.name, svg: cur.svg }; }
    } catch (e) {
      this.log(`networkGraph failed: ${e instanceof Error ? e.message : String(e)}`);
      msg = { type: 'graph', name: cur.name, error: `Could not get the network from the server: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (auto && msg.error && cur.svg) return;
    if (this.ready) void this.panel.webview.postMessage(msg);
    this.lastMessage = msg;
  }
  private lastMessage?: unknown;

  private async onMessage(m: { type?: string; format?: string; data?: string; line?: number; message?: string }): Promise<void> {
    const cur = this.current;
    switch (m?.type) {
      case 'ready':
        this.ready = true;
        if (this.lastMessage) void this.panel?.webview.postMessage(this.lastMessage);
        break;
      case 'refresh':
        await this.load();
        break;
      case 'reveal':
        if (cur && typeof m.line === 'number') {
          const doc = await vscode.workspace.openTextDocument(cur.uri);
          const line = Math.max(0, Math.min(doc.lineCount - 1, m.line));
          const ed = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
          ed.selection = new vscode.Selection(line, 0, line, 0);
          ed.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        }
        break;
      case 'export': {
        if (!cur?.svg) return;
        const png = m.format === 'png';
        const base = vscode.Uri.joinPath(cur.uri, '..', `${cur.name}.${png ? 'png' : 'svg'}`);
        const target = await vscode.window.showSaveDialog({ defaultUri: base, filters: png ? { 'PNG image': ['png'] } : { 'SVG image': ['svg'] } });
        if (!target) return;
        const bytes = png ? Buffer.from(String(m.data ?? '').replace(/^data:image\/png;base64,/, ''), 'base64') : Buffer.from(cur.svg, 'utf8');
        await vscode.workspace.fs.writeFile(target, bytes);
        void vscode.window.showInformationMessage(`Saved ${vscode.workspace.asRelativePath(target)}`);
        break;
      }
      case 'error':
        void vscode.window.showErrorMessage(`Network view: ${m.message}`);
        break;
    }
  }

  dispose(): void {
    if (this.debounce) clearTimeout(this.debounce);
    for (const d of this.subscriptions) d.dispose();
    this.panel?.dispose();
  }
}
