// Where the language server comes from. Pure: the file system and environment are passed in, so
// the order can be unit-tested. Order: the `annlsp.server.path` setting (machine-scoped, so a
// workspace cannot set it), then the server bundled in the extension (`dist/server/annlsp.dll`,
// framework-dependent, run with `dotnet`), then a development build in the repository.
import * as path from 'node:path';

export interface ResolveInput {
  /** `annlsp.server.path`: an executable or an `annlsp.dll`. */
  serverPath?: string;
  /** `annlsp.dotnet.path`. */
  dotnetPath?: string;
  extensionPath: string;
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  homedir: string;
  fileExists(p: string): boolean;
}

export type ServerSource = 'setting' | 'bundled' | 'development';

export interface ResolvedServer {
  ok: true;
  command: string;
  args: string[];
  source: ServerSource;
  /** The server file (dll or executable) that was chosen. */
  server: string;
  /** The dotnet host when the server is a dll. */
  dotnet?: string;
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
  return { ok: true, command: dotnet, args: [dll, 'lsp'], source, server: dll, dotnet };
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
    return { ok: true, command: p, args: ['lsp'], source: 'setting', server: p };
  }
  const ext = input.extensionPath;
  const bundled = [path.join(ext, 'dist', 'server', 'annlsp.dll'), path.join(ext, 'server', 'annlsp.dll')];
  for (const dll of bundled) if (input.fileExists(dll)) return viaDotnet(input, dll, 'bundled');
  for (const cfg of ['Debug', 'Release']) {
    const dll = path.join(ext, 'server', 'Annlsp.Cli', 'bin', cfg, 'net10.0', 'annlsp.dll');
    if (input.fileExists(dll)) return viaDotnet(input, dll, 'development');
  }
  return {
    ok: false,
    problem: 'no-server',
    message: 'The annlsp language server was not found in the extension.',
    fix: 'Reinstall the extension, or build the server (`dotnet publish server/Annlsp.Cli -c Release -o dist/server`) and set `annlsp.server.path` to its annlsp.dll.',
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
