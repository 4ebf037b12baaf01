// Training from the editor, client side: receives the server's `annlsp/trainingEvent`
// notifications, keeps one state per run, drives the status bar and the preview panels.
// Starting and stopping go through the server (`workspace/executeCommand`), so any LSP client can train.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { emptyRun, reduce, resultSummary, RunState, statusText, TrainingNotification } from './previewState';
import { acceptRunDir, isInside, resolveSamplePath } from '../pathSafety';
import { PreviewPanels } from './previewPanels';
import { readRunFolder } from './runFolder';

export class TrainingController implements vscode.Disposable {
  private readonly runs = new Map<string, RunState>();
  private readonly autoOpened = new Set<string>();
  private readonly status: vscode.StatusBarItem;
  private hideTimer?: NodeJS.Timeout;

  constructor(private readonly panels: PreviewPanels, private readonly log: (s: string) => void) {
    this.status = vscode.window.createStatusBarItem('annlsp.training', vscode.StatusBarAlignment.Left, 50);
    this.status.name = 'annlsp training';
  }

  private workspaceRoots(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter(f => f.uri.scheme === 'file').map(f => f.uri.fsPath);
  }

  /** Runs in progress (for Stop without arguments). */
  running(): RunState[] {
    return [...this.runs.values()].filter(r => r.status === 'running' || r.status === 'starting');
  }

  liveRun(runDir: string): RunState | undefined {
    return [...this.runs.values()].find(r => r.runDir === runDir);
  }

  onEvent(p: TrainingNotification): void {
    if (!p || typeof p !== 'object' || !p.event || typeof p.target !== 'string') { this.log(`ignored malformed trainingEvent: ${JSON.stringify(p)}`); return; }
    // The server reports runDir once the trainer has said where it writes (null before that).
    let runDir = '';
    if (p.runDir !== null && p.runDir !== undefined && p.runDir !== '') {
      const ok = acceptRunDir(this.workspaceRoots(), p.runDir);
      if (!ok) { this.log(`ignored trainingEvent: run folder ${JSON.stringify(p.runDir)} is not inside the workspace`); return; }
      runDir = ok;
    }
    const key = `${p.uri}#${p.target}`;
    let s = this.runs.get(key);
    const over = (st: RunState) => st.status === 'finished' || st.status === 'failed' || st.status === 'stopped';
    if (!s || (runDir && s.runDir && s.runDir !== runDir) || (p.event.event === 'started' && over(s))) s = emptyRun(p.uri, p.target, runDir);
    else if (runDir && !s.runDir) s = { ...s, runDir };
    const dir = s.runDir;
    s = reduce(s, p.event, q => dir ? resolveSamplePath(dir, q) : undefined);
    this.runs.set(key, s);
    const ev = p.event.event;
    const openOnTrain = vscode.workspace.getConfiguration('annlsp').get<boolean>('preview.openOnTrain', true);
    // open beside the editor when a run starts (or as soon as its run folder is known)
    if (!s.runDir) { /* no folder yet: status bar only */ }
    else if (!this.panels.has(s) && openOnTrain && !this.autoOpened.has(s.runDir) && ev !== 'finished' && ev !== 'failed') {
      this.autoOpened.add(s.runDir); // once per run: a panel the user closes stays closed
      void this.panels.show(s);
    }
    else this.panels.update(s);
    if (ev === 'failed') {
      this.log(`training ${p.target} failed: ${s.message}`);
      if (s.status === 'failed') {
        void vscode.window.showErrorMessage(`Training ${p.target} failed: ${s.message}`, 'Show Output', 'Open Preview').then(a => {
          if (a === 'Show Output') void vscode.commands.executeCommand('annlsp.showOutput');
          if (a === 'Open Preview' && s?.runDir) void this.panels.show(s, undefined, false);
        });
      }
    }
    if (ev === 'finished') this.log(`training ${p.target} finished: ${resultSummary(s)} (${runDir})`);
    this.updateStatus(s);
  }

  private updateStatus(last: RunState): void {
    const running = this.running();
    void vscode.commands.executeCommand('setContext', 'annlsp.training', running.length > 0);
    const shown = running.length ? running[running.length - 1] : last;
    this.status.text = statusText(shown) + (running.length > 1 ? ` (+${running.length - 1})` : '');
    this.status.tooltip = new vscode.MarkdownString(`**${shown.target}** — ${shown.status}\n\n${resultSummary(shown)}\n\n${shown.runDir}\n\nClick to open the run preview.`);
    this.status.command = { title: 'Open Run Preview', command: 'annlsp.openRunPreview', arguments: [shown.runDir] };
    this.status.backgroundColor = shown.status === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.status.show();
    if (this.hideTimer) { clearTimeout(this.hideTimer); this.hideTimer = undefined; }
    if (!running.length) {
      this.hideTimer = setTimeout(() => this.status.hide(), 60_000);
      this.hideTimer.unref?.();
    }
  }

  /** Opens the preview of a run folder: a live run's state, or one rebuilt from its files. */
  async openRunPreview(runDir?: string): Promise<void> {
    const roots = this.workspaceRoots();
    if (!runDir) {
      const found = await vscode.workspace.findFiles('**/run.json', '{**/node_modules/**,**/.git/**}', 500);
      const items: (vscode.QuickPickItem & { dir: string; mtime: number })[] = [];
      for (const f of found) {
        const dir = path.dirname(f.fsPath);
        if (!acceptRunDir(roots, dir)) continue;
        let mtime = 0;
        try { mtime = (await vscode.workspace.fs.stat(f)).mtime; } catch { /* gone */ }
        const live = this.liveRun(dir);
        items.push({ label: PreviewPanels.runLabel(dir), description: vscode.workspace.asRelativePath(dir), detail: live ? `${live.status} · ${resultSummary(live)}` : new Date(mtime).toLocaleString(), dir, mtime });
      }
      for (const r of this.runs.values()) {
        if (!items.some(i => i.dir === r.runDir)) items.push({ label: PreviewPanels.runLabel(r.runDir), description: vscode.workspace.asRelativePath(r.runDir), detail: r.status, dir: r.runDir, mtime: Date.now() });
      }
      if (!items.length) { void vscode.window.showInformationMessage('No training runs in this workspace yet (runs/**/run.json). Press ▶ Train above a train block to start one.'); return; }
      items.sort((a, b) => b.mtime - a.mtime);
      const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Open the preview of which run?', matchOnDescription: true });
      if (!pick) return;
      runDir = pick.dir;
    }
    const dir = acceptRunDir(roots, runDir) ?? (roots.some(r => isInside(r, runDir as string)) ? runDir : undefined);
    if (!dir) { void vscode.window.showErrorMessage(`Not a run folder inside this workspace: ${runDir}`); return; }
    const live = this.liveRun(dir);
    if (live) { await this.panels.show(live, undefined, false); return; }
    const { state, config } = await readRunFolder(dir);
    await this.panels.show(state, config, false);
  }

  /** Restores a preview panel after a window reload (registered as its WebviewPanelSerializer). */
  restorePanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    return this.panels.restore(panel, state, dir => acceptRunDir(this.workspaceRoots(), dir), async dir => this.liveRun(dir) ? { state: this.liveRun(dir) as RunState } : readRunFolder(dir));
  }

  dispose(): void {
    if (this.hideTimer) clearTimeout(this.hideTimer);
    this.status.dispose();
  }
}
