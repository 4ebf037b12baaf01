// annlsp's VS Code extension: starts the language server (`annlsp lsp` over stdio), registers the
// commands, and hosts the training preview and network view. No language logic lives here.
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as os from 'node:os';
import {
  LanguageClient, LanguageClientOptions, ServerOptions, RevealOutputChannelOn, State, ExecuteCommandRequest,
} from 'vscode-languageclient/node';
import { resolveServer, ServerProblem, trainingEnvironment, RUNTIME_LABEL } from './serverResolution';
import { probeKey, probeServer, rememberedProbe, runnableServer } from './serverProbe';
import { PreviewPanels } from './training/previewPanels';
import { TrainingController } from './training/trainingController';
import { TrainingNotification } from './training/previewState';
import { NetworkView } from './network/networkView';
import { makeCommandGuard } from './commandGuard';

const SERVER_COMMANDS = ['annlsp.train', 'annlsp.stop', 'annlsp.exportTorchrun'];

let client: LanguageClient | undefined;
let clientDisposables: vscode.Disposable[] = [];
let output: vscode.LogOutputChannel;
let serverStatus: vscode.LanguageStatusItem | undefined;

/** The language status item ({} in the status bar next to "ANN"): is the server running, and which. */
function setServerStatus(ok: boolean, text: string, detail: string): void {
  if (!serverStatus) return;
  serverStatus.severity = ok ? vscode.LanguageStatusSeverity.Information : vscode.LanguageStatusSeverity.Error;
  serverStatus.text = text;
  serverStatus.detail = detail;
  serverStatus.command = ok ? { title: 'Restart', command: 'annlsp.restartServer' } : { title: 'Show Output', command: 'annlsp.showOutput' };
}

function log(s: string): void {
  output?.info(s);
}

function fileExists(p: string): boolean {
  try { return fs.statSync(p).isFile(); } catch { return false; }
}

/** The key a successful probe of this binary is remembered by; undefined when it cannot be read. */
function probeKeyFor(file: string): string | undefined {
  try { return probeKey(file, fs.statSync(file), `${os.release()} ${os.version()}`); } catch { return undefined; }
}

async function reportProblem(p: ServerProblem): Promise<void> {
  log(`${p.message}\nFix: ${p.fix}`);
  const buttons = p.problem === 'no-dotnet' ? ['Install .NET', 'Open Settings', 'Show Output'] : ['Open Settings', 'Show Output'];
  const pick = await vscode.window.showErrorMessage(`${p.message} ${p.fix}`, ...buttons);
  if (pick === 'Install .NET') void vscode.env.openExternal(vscode.Uri.parse('https://dotnet.microsoft.com/download/dotnet/10.0'));
  if (pick === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'annlsp.');
  if (pick === 'Show Output') output.show(true);
}

function settings() {
  const c = vscode.workspace.getConfiguration('annlsp');
  return {
    serverPath: c.get<string>('server.path', ''),
    dotnetPath: c.get<string>('dotnet.path', ''),
    device: c.get<string>('training.device', 'auto'),
    dataFolder: c.get<string>('training.dataFolder', ''),
    pythonPath: c.get<string>('training.pythonPath', ''),
    libtorchPath: c.get<string>('training.libtorchPath', ''),
  };
}

async function startClient(ctx: vscode.ExtensionContext, training: TrainingController): Promise<void> {
  const s = settings();
  const resolved = resolveServer({
    serverPath: s.serverPath, dotnetPath: s.dotnetPath, extensionPath: ctx.extensionPath,
    env: process.env, platform: process.platform, arch: process.arch, homedir: os.homedir(), fileExists,
  });
  if (!resolved.ok) { setServerStatus(false, 'annlsp: no server', resolved.message); void reportProblem(resolved); return; }
  const env: NodeJS.ProcessEnv = { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' };
  Object.assign(env, trainingEnvironment(s, process.env.PATH));
  // the Native AOT server is tried first; where it cannot run, its JIT fallback, and the output says why. A binary
  // that ran here before is not probed again (one server start on activation, not two).
  let rememberedKey: string | undefined;
  const runnable = await runnableServer(resolved, async a => {
    const key = probeKeyFor(a.command);
    const result = await rememberedProbe(key, ctx.globalState, () => probeServer(a.command, a.args, { env }));
    if (result.ok && result.remembered) rememberedKey = key;
    return result;
  });
  for (const line of runnable.log) output.warn(line);
  const r = runnable.server;
  if (!r.ok) { setServerStatus(false, 'annlsp: no server', r.message); void reportProblem(r); return; }
  const runtime = RUNTIME_LABEL[r.runtime];
  log(`starting server (${r.source}, ${runtime}): ${r.command} ${r.args.join(' ')}`);
  const serverOptions: ServerOptions = { command: r.command, args: r.args, options: { env } };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'ann' }, { scheme: 'untitled', language: 'ann' }],
    outputChannel: output,
    traceOutputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: {
      training: { device: s.device, dataFolder: s.dataFolder, pythonPath: s.pythonPath, libtorchPath: s.libtorchPath, enabled: vscode.workspace.isTrusted },
      client: { preview: true, trainingEvents: true },
      ...(r.trainerCommand ? { trainerCommand: r.trainerCommand } : {}),
    },
    synchronize: { configurationSection: 'annlsp' },
    middleware: {
      executeCommand: makeCommandGuard({
        isTrusted: () => vscode.workspace.isTrusted,
        refuseUntrusted: () => void refuseUntrusted(),
        pickTrainTarget,
        running: () => training.running(),
        pickRun: async runs => (await vscode.window.showQuickPick(runs.map(r => ({ label: r.target, description: r.runDir, r })), { placeHolder: 'Stop which run?' }))?.r,
        info: m => void vscode.window.showInformationMessage(m),
        openFile: async p => { await vscode.window.showTextDocument(vscode.Uri.file(p), { preview: false }); },
      }),
    },
  };
  const c = new LanguageClient('annlsp', 'annlsp', serverOptions, clientOptions);
  client = c;
  clientDisposables.push(c.onNotification('annlsp/trainingEvent', (p: TrainingNotification) => training.onEvent(p)));
  try {
    await c.start();
  } catch (e) {
    log(`the server did not start: ${e instanceof Error ? e.message : String(e)}`);
    if (rememberedKey !== undefined && runnable.server === resolved) {
      // it ran here before, but not now (the system changed under it): probe it again, which falls back to the JIT server
      log('the Native AOT server ran here before; probing it again');
      await ctx.globalState.update(rememberedKey, undefined);
      await stopClient();
      return startClient(ctx, training);
    }
    setServerStatus(false, 'annlsp: server failed', `${r.command} ${r.args.join(' ')}`);
    void vscode.window.showErrorMessage(`annlsp: the language server did not start (${r.command} ${r.args.join(' ')}). See the annlsp output for details.`, 'Show Output')
      .then(a => { if (a) output.show(true); });
    return;
  }
  const info = c.initializeResult?.serverInfo;
  const detail = `language server (${r.source}, ${runtime}): ${r.server}`;
  setServerStatus(true, `annlsp ${info?.version ?? ''}`.trim(), detail);
  clientDisposables.push(c.onDidChangeState(e => {
    if (e.newState === State.Stopped && client === c) setServerStatus(false, 'annlsp: server stopped', 'the language server stopped; see the output');
    if (e.newState === State.Running && client === c) setServerStatus(true, `annlsp ${info?.version ?? ''}`.trim(), detail);
  }));
  const declared = c.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  log(`server started (${runtime}): ${info?.name ?? 'annlsp'} ${info?.version ?? ''}; commands: ${declared.join(', ') || '(none)'}`);
  // The language client registers a VS Code command for each command the server declares; a
  // server that handles one without declaring it still gets it through this fallback.
  for (const cmd of SERVER_COMMANDS) {
    if (declared.includes(cmd)) continue;
    clientDisposables.push(vscode.commands.registerCommand(cmd, (...args: unknown[]) =>
      clientOptions.middleware!.executeCommand!(cmd, args, (command, a) => c.sendRequest(ExecuteCommandRequest.type, { command, arguments: a }))));
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  for (const d of clientDisposables) d.dispose();
  clientDisposables = [];
  if (c && c.state !== State.Stopped) {
    try { await c.stop(5000); } catch (e) { log(`stopping the server: ${e instanceof Error ? e.message : String(e)}`); }
  }
}

async function refuseUntrusted(): Promise<void> {
  const pick = await vscode.window.showWarningMessage('annlsp: training is disabled in an untrusted workspace (a training run executes code and writes files). Trust the workspace to train.', 'Manage Workspace Trust');
  if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
}

/** Train from the palette: offers the server's own "▶ Train" code lenses of the active file. */
async function pickTrainTarget(): Promise<unknown[] | undefined> {
  const ed = vscode.window.activeTextEditor;
  if (!ed || ed.document.languageId !== 'ann') { void vscode.window.showInformationMessage('Open an .ann file with a train block to train.'); return undefined; }
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', ed.document.uri, 10) ?? [];
  const trains = lenses.filter(l => l.command?.command === 'annlsp.train' && l.command.arguments?.length);
  if (!trains.length) { void vscode.window.showInformationMessage('No train block in this file.'); return undefined; }
  if (trains.length === 1) return trains[0].command!.arguments;
  const pick = await vscode.window.showQuickPick(trains.map(l => ({
    label: String(l.command!.arguments![1]), description: `line ${l.range.start.line + 1}`, args: l.command!.arguments!,
  })), { placeHolder: 'Train which target?' });
  return pick?.args;
}

/** The network or gan to draw: the document symbol under the cursor, else a pick. */
async function pickNetwork(ed: vscode.TextEditor): Promise<string | undefined> {
  const syms = await vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[]>('vscode.executeDocumentSymbolProvider', ed.document.uri) ?? [];
  const all = syms.map(s => ({ name: s.name, range: 'range' in s ? s.range : s.location.range }));
  const here = all.find(s => s.range.contains(ed.selection.active));
  if (here) return /^train\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(here.name)?.[1] ?? here.name.split(/\s+/).pop();
  const ranges = all.filter(s => !/^train\b/.test(s.name));
  let names = ranges.map(s => s.name.split(/\s+/).pop() as string);
  if (!names.length) {
    // the server has no outline yet (it is still analysing): the declaration the cursor is in, read from the
    // text, else the declared names to pick from
    const text = ed.document.getText(), at = ed.document.offsetAt(ed.selection.active);
    const declared = [...text.matchAll(/^\s*(network|gan|block|train|diffusion)\s+([A-Za-z_][A-Za-z0-9_]*)/gm)];
    const enclosing = declared.filter(m => (m.index ?? 0) <= at).pop();
    if (enclosing && (enclosing[1] === 'network' || enclosing[1] === 'gan')) return enclosing[2];
    names = declared.filter(m => m[1] === 'network' || m[1] === 'gan').map(m => m[2]);
  }
  if (names.length <= 1) return names[0];
  return vscode.window.showQuickPick(names, { placeHolder: 'Draw which network?' });
}

export async function activate(ctx: vscode.ExtensionContext): Promise<{ training: TrainingController }> {
  output = vscode.window.createOutputChannel('annlsp', { log: true });
  serverStatus = vscode.languages.createLanguageStatusItem('annlsp.server', { language: 'ann' });
  serverStatus.name = 'annlsp language server';
  setServerStatus(true, 'annlsp: starting…', 'starting the language server');
  ctx.subscriptions.push(output, serverStatus);
  log(`annlsp ${ctx.extension.packageJSON.version} activating (VS Code ${vscode.version}, ${process.platform}, trusted: ${vscode.workspace.isTrusted})`);
  const panels = new PreviewPanels(ctx.extensionUri);
  const training = new TrainingController(panels, log);
  const network = new NetworkView(ctx.extensionUri, async (uri, name) => {
    if (!client || client.state !== State.Running) throw new Error('the language server is not running');
    return client.sendRequest(ExecuteCommandRequest.type, { command: 'annlsp.networkGraph', arguments: [uri, name] });
  }, log);
  ctx.subscriptions.push(panels, training, network);

  ctx.subscriptions.push(
    vscode.commands.registerCommand('annlsp.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('annlsp.restartServer', async () => {
      log('restarting the server');
      await stopClient();
      await startClient(ctx, training);
    }),
    vscode.commands.registerCommand('annlsp.openRunPreview', (runDir?: unknown) =>
      training.openRunPreview(typeof runDir === 'string' ? runDir : runDir instanceof vscode.Uri ? vscode.Uri.joinPath(runDir, runDir.path.endsWith('run.json') ? '..' : '.').fsPath : undefined)),
    vscode.commands.registerCommand('annlsp.showNetwork', async (uri?: unknown, name?: unknown) => {
      const ed = vscode.window.activeTextEditor;
      const docUri = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri instanceof vscode.Uri ? uri : ed?.document.uri;
      if (!docUri) { void vscode.window.showInformationMessage('Open an .ann file to draw one of its networks.'); return; }
      const n = typeof name === 'string' ? name : ed && ed.document.uri.toString() === docUri.toString() ? await pickNetwork(ed) : undefined;
      if (!n) { void vscode.window.showInformationMessage('Put the cursor in a network or gan to draw it.'); return; }
      await network.show(docUri, n);
    }),
    vscode.workspace.onDidChangeConfiguration(async e => {
      if (e.affectsConfiguration('annlsp.server.path') || e.affectsConfiguration('annlsp.dotnet.path')) {
        log('server settings changed: restarting');
        await stopClient();
        await startClient(ctx, training);
      } else if (['device', 'dataFolder', 'pythonPath', 'libtorchPath'].some(k => e.affectsConfiguration(`annlsp.training.${k}`))) {
        // the trainer reads these from the server's environment: they apply from the next server start
        const running = training.running().length;
        const pick = await vscode.window.showInformationMessage(
          `annlsp: training settings changed. Restart the language server to apply them${running ? ` (this stops ${running} running training run${running === 1 ? '' : 's'})` : ''}?`, 'Restart');
        if (pick) await vscode.commands.executeCommand('annlsp.restartServer');
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => log('workspace trusted: training enabled')),
    vscode.window.registerWebviewPanelSerializer(PreviewPanels.viewType, {
      deserializeWebviewPanel: (panel, state) => training.restorePanel(panel, state),
    }),
  );
  void vscode.commands.executeCommand('setContext', 'annlsp.training', false);
  await startClient(ctx, training);
  return { training };
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
