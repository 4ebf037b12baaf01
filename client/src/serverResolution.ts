// Where the language server comes from. Pure: the file system and environment are passed in, so
// the order can be unit-tested. Order: the `annlsp.server.path` setting (machine-scoped, so a
// workspace cannot set it), then the server bundled in the extension — the Native AOT
// `dist/server/aot/annlsp-server` (no .NET needed, starts in tens of milliseconds) with the JIT
// server `dist/server/annlsp.dll` (framework-dependent, run with `dotnet`) as its fallback —, then a
// development build in the repository.
import * as path from 'node:path';

export interface ResolveInput {
  /** `annlsp.server.path`: an executable or an `annlsp.dll`. */
  serverPath?: string;
  /** `annlsp.dotnet.path`. */
  dotnetPath?: string;
  extensionPath: string;
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  /** `process.arch`: the bundled Native AOT server is a linux-x64 binary. */
  arch: string;
  homedir: string;
  fileExists(p: string): boolean;
}

export type ServerSource = 'setting' | 'bundled' | 'development';

/** `aot`: the bundled Native AOT server; `jit`: an `annlsp.dll` run by `dotnet`; `executable`: one named by the setting. */
export type ServerRuntime = 'aot' | 'jit' | 'executable';

export const RUNTIME_LABEL: Record<ServerRuntime, string> = { aot: 'Native AOT', jit: 'JIT', executable: 'executable' };

export interface ResolvedServer {
  ok: true;
  command: string;
  args: string[];
  source: ServerSource;
  runtime: ServerRuntime;
  /** The server file (dll or executable) that was chosen. */
  server: string;
  /** The dotnet host when the server is a dll. */
  dotnet?: string;
  /** The Native AOT server only: what to start when it cannot run here (the JIT server, or why there is none). */
  fallback?: Resolution;
  /** `initializationOptions.trainerCommand`, when the server is not the trainer's own CLI: the bundled `annlsp`. */
  trainerCommand?: string[];
  /** Lines for the output channel: why this server was chosen over the preferred one, what will not work. */
  notes: string[];
}

export interface ServerProblem {
  ok: false;
  problem: 'setting-missing' | 'no-dotnet' | 'no-server';
  message: string;
  fix: string;
}

export type Resolution = ResolvedServer | ServerProblem;

export const DOTNET_INSTALL_FIX =
  'Install the .NET 10 runtime (Debian/Ubuntu: `sudo apt-get install dotnet-runtime-10.0`; other systems: https://dotnet.microsoft.com/download/dotnet/10.0), ' +
  'then run "annlsp: Restart Language Server". If dotnet is installed somewhere unusual, set `annlsp.dotnet.path`; ' +
  'or point `annlsp.server.path` at a self-contained `annlsp` executable.';

const NO_SERVER_FIX = 'Reinstall the extension, or build the server (`dotnet publish server/Annlsp.Cli -c Release -o dist/server`) and set `annlsp.server.path` to its annlsp.dll.';

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}

/** Candidate locations of the `dotnet` host, in order. */
export function dotnetCandidates(input: Pick<ResolveInput, 'dotnetPath' | 'env' | 'platform' | 'homedir'>): string[] {
  const exe = input.platform === 'win32' ? 'dotnet.exe' : 'dotnet';
  const p = input.platform === 'win32' ? path.win32 : path.posix;
  const out: string[] = [];
  if (input.dotnetPath) out.push(expandHome(input.dotnetPath, input.homedir));
  const root = input.env.DOTNET_ROOT;
  if (root) out.push(p.join(root, exe));
  const sep = input.platform === 'win32' ? ';' : ':';
  for (const dir of (input.env.PATH ?? input.env.Path ?? '').split(sep)) if (dir) out.push(p.join(dir, exe));
  if (input.platform === 'win32') {
    out.push('C:\\Program Files\\dotnet\\dotnet.exe');
  } else {
    out.push('/usr/share/dotnet/dotnet', '/usr/lib/dotnet/dotnet', '/usr/local/share/dotnet/dotnet', '/opt/dotnet/dotnet', '/snap/bin/dotnet');
    out.push(p.join(input.homedir, '.dotnet', 'dotnet'));
  }
  return [...new Set(out)];
}

export function findDotnet(input: ResolveInput): string | undefined {
  return dotnetCandidates(input).find(c => input.fileExists(c));
}

function viaDotnet(input: ResolveInput, dll: string, source: ServerSource): Resolution {
  const dotnet = findDotnet(input);
  if (!dotnet) {
    return {
      ok: false,
      problem: 'no-dotnet',
      message: `The annlsp language server needs the .NET 10 runtime, and no \`dotnet\` was found (looked at annlsp.dotnet.path, DOTNET_ROOT, PATH and the usual install folders).`,
      fix: DOTNET_INSTALL_FIX,
    };
  }
  return { ok: true, command: dotnet, args: [dll, 'lsp'], source, runtime: 'jit', server: dll, dotnet, notes: [] };
}

/** The bundled linux-x64 Native AOT server where this machine can run it, with the JIT server as its fallback. */
function bundled(input: ResolveInput, dist: string): Resolution | undefined {
  const dll = path.join(dist, 'annlsp.dll');
  const aot = path.join(dist, 'aot', 'annlsp-server');
  const jit = input.fileExists(dll) ? viaDotnet(input, dll, 'bundled') : undefined;
  if (!input.fileExists(aot)) {
    if (jit?.ok) jit.notes.push(`This extension has no Native AOT server (${aot}): using the JIT server, which starts slower.`);
    return jit;
  }
  if (input.platform !== 'linux' || input.arch !== 'x64') {
    if (jit?.ok) jit.notes.push(`The bundled Native AOT server is built for linux-x64 and this is ${input.platform}-${input.arch}: using the JIT server, which starts slower.`);
    return jit;
  }
  const notes: string[] = [];
  let trainerCommand: string[] | undefined;
  if (jit?.ok) trainerCommand = [jit.command, dll];
  else if (jit) {
    // the AOT server needs no .NET, so editing works; the trainer is the framework-dependent CLI
    notes.push(`Training from the editor needs the .NET 10 runtime: ${jit.message} Fix: ${jit.fix}`);
    const apphost = path.join(dist, 'annlsp');
    if (input.fileExists(apphost)) trainerCommand = [apphost];
  }
  return {
    ok: true, command: aot, args: [], source: 'bundled', runtime: 'aot', server: aot, trainerCommand, notes,
    fallback: jit ?? { ok: false, problem: 'no-server', message: `The Native AOT server cannot run here and the extension has no JIT server (${dll}).`, fix: NO_SERVER_FIX },
  };
}

export function resolveServer(input: ResolveInput): Resolution {
  const setting = input.serverPath?.trim();
  if (setting) {
    const p = expandHome(setting, input.homedir);
    if (!input.fileExists(p)) {
      return {
        ok: false,
        problem: 'setting-missing',
        message: `annlsp.server.path is set to "${setting}", but no such file exists.`,
        fix: 'Correct `annlsp.server.path` in your user settings (remote: the machine settings), or clear it to use the server bundled with the extension.',
      };
    }
    if (/\.dll$/i.test(p)) return viaDotnet(input, p, 'setting');
    return { ok: true, command: p, args: ['lsp'], source: 'setting', runtime: 'executable', server: p, notes: [] };
  }
  const ext = input.extensionPath;
  for (const dist of [path.join(ext, 'dist', 'server'), path.join(ext, 'server')]) {
    const r = bundled(input, dist);
    if (r) return r;
  }
  for (const cfg of ['Debug', 'Release']) {
    const dll = path.join(ext, 'server', 'Annlsp.Cli', 'bin', cfg, 'net10.0', 'annlsp.dll');
    if (input.fileExists(dll)) return viaDotnet(input, dll, 'development');
  }
  return {
    ok: false,
    problem: 'no-server',
    message: 'The annlsp language server was not found in the extension.',
    fix: NO_SERVER_FIX,
  };
}

export interface TrainingSettings { device?: string; dataFolder?: string; pythonPath?: string; libtorchPath?: string }

/**
 * Environment variables through which the server and its trainer child process read the machine's
 * training settings (see docs/training.md): `ANNLSP_LIBTORCH` (a LibTorch lib folder, `python` or
 * `bundled`), `ANNLSP_FASHION_MNIST` (the IDX files' folder), `ANNLSP_DEVICE`. A python path
 * means "use that python's PyTorch": its folder goes first on PATH and `ANNLSP_LIBTORCH=python`.
 */
export function trainingEnvironment(s: TrainingSettings, pathVar: string | undefined, pathApi: path.PlatformPath = path): Record<string, string> {
  const env: Record<string, string> = {};
  if (s.device && s.device !== 'auto') env.ANNLSP_DEVICE = s.device;
  if (s.dataFolder) env.ANNLSP_FASHION_MNIST = s.dataFolder;
  if (s.libtorchPath) env.ANNLSP_LIBTORCH = s.libtorchPath;
  if (s.pythonPath) {
    env.PATH = [pathApi.dirname(s.pythonPath), pathVar].filter(Boolean).join(pathApi.delimiter);
    if (!s.libtorchPath) env.ANNLSP_LIBTORCH = 'python';
  }
  return env;
}
