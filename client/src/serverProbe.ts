// Can this server run here? The bundled Native AOT server is a linux-x64 glibc binary: on another
// libc, an older glibc, a noexec mount or with a lost exec bit it cannot start, and the client must
// know before it hands the command to the language client (whose failed start ends in an error
// notification rather than a fallback). The probe is the real thing: spawn the server, send
// `initialize`, wait for its answer, then `shutdown` and `exit`. It costs one server start (tens of
// milliseconds for the AOT server), so a success is remembered (rememberedProbe): later activations
// start the server once, not twice.
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { ResolvedServer, Resolution } from './serverResolution';
import { RUNTIME_LABEL } from './serverResolution';

export type ProbeResult = { ok: true } | { ok: false; reason: string };

export type Spawn = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

function frame(message: object): string {
  const body = JSON.stringify({ jsonrpc: '2.0', ...message });
  return `Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`;
}

/** Starts `command args`, sends `initialize` and resolves once it answers (ok) or fails to (with the reason). */
export function probeServer(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; spawn?: Spawn } = {}): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise(resolve => {
    let settled = false;
    let stderr = '';
    let child: ChildProcess;
    const finish = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (r.ok) {
        child.stdin?.end(frame({ id: 2, method: 'shutdown' }) + frame({ method: 'exit' }));
        // a server that ignores exit is not left behind
        setTimeout(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); }, 2000).unref();
      } else if (child?.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
      }
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: `it did not answer initialize within ${timeoutMs / 1000} s` }), timeoutMs);
    try {
      child = (options.spawn ?? nodeSpawn)(command, args, { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      finish({ ok: false, reason: `it could not be started (${e instanceof Error ? e.message : String(e)})` });
      return;
    }
    child.on('error', e => finish({ ok: false, reason: `it could not be started (${(e as NodeJS.ErrnoException).code ?? e.message}: ${e.message})` }));
    child.stderr?.on('data', (d: Buffer) => { if (stderr.length < 4000) stderr += d.toString('utf8'); });
    child.on('exit', (code, signal) => {
      const said = stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' / ')}` : '';
      finish({ ok: false, reason: `it exited (${signal ?? `code ${code}`}) before answering initialize${said}` });
    });
    child.stdin?.on('error', () => { /* the exit or error event reports it */ });
    let buffer = Buffer.alloc(0);
    child.stdout?.on('data', (d: Buffer) => {
      buffer = Buffer.concat([buffer, d]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = /Content-Length:\s*(\d+)/i.exec(buffer.subarray(0, end).toString('ascii'));
        if (!length) { finish({ ok: false, reason: 'it answered with something that is not LSP' }); return; }
        const start = end + 4, stop = start + Number(length[1]);
        if (buffer.length < stop) return;
        let message: { id?: unknown; result?: unknown; error?: { message?: string } };
        try { message = JSON.parse(buffer.subarray(start, stop).toString('utf8')); } catch { finish({ ok: false, reason: 'it answered initialize with invalid JSON' }); return; }
        buffer = buffer.subarray(stop);
        if (message.id !== 1) continue;   // a log message or request before the answer
        finish(message.result ? { ok: true } : { ok: false, reason: `it answered initialize with an error (${message.error?.message ?? 'no result'})` });
        return;
      }
    });
    child.stdin?.write(frame({ id: 1, method: 'initialize', params: { processId: process.pid, rootUri: null, capabilities: {} } }));
  });
}

/** Where successful probes are remembered (the extension's globalState). */
export interface ProbeMemory {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void> | Promise<void> | void;
}

/**
 * What a successful probe is remembered by: the binary (path, size, modification time) and the system it ran on
 * (kernel release and version), so a rebuilt or reinstalled server, or an upgraded system, is probed again.
 */
export function probeKey(file: string, stat: { size: number; mtimeMs: number }, system: string): string {
  return `annlsp.probe:${file}:${stat.size}:${Math.round(stat.mtimeMs)}:${system}`;
}

/** The probe's answer, from memory when this binary already answered initialize on this system (`remembered`). */
export async function rememberedProbe(key: string | undefined, memory: ProbeMemory, probe: () => Promise<ProbeResult>): Promise<ProbeResult & { remembered?: boolean }> {
  if (key !== undefined && memory.get(key) === true) return { ok: true, remembered: true };
  const result = await probe();
  if (result.ok && key !== undefined) await memory.update(key, true);
  return result;
}

export interface RunnableServer {
  /** The server to start, or the problem to report when neither the AOT server nor its fallback can run. */
  server: Resolution;
  /** For the output channel. */
  log: string[];
}

/**
 * The server to start: the resolved one, unless it is the Native AOT server and the probe says it
 * cannot run here — then its JIT fallback, and the output channel says why.
 */
export async function runnableServer(r: ResolvedServer, probe: (s: ResolvedServer) => Promise<ProbeResult>): Promise<RunnableServer> {
  const log = [...r.notes];
  if (r.runtime !== 'aot' || !r.fallback) return { server: r, log };
  const result = await probe(r);
  if (result.ok) return { server: r, log };
  const fallback = r.fallback;
  if (fallback.ok) {
    log.push(`The ${RUNTIME_LABEL.aot} server (${r.server}) cannot run here: ${result.reason}. Falling back to the ${RUNTIME_LABEL[fallback.runtime]} server (${fallback.command} ${fallback.args.join(' ')}), which starts slower.`);
    log.push(...fallback.notes);
  } else {
    log.push(`The ${RUNTIME_LABEL.aot} server (${r.server}) cannot run here: ${result.reason}. Its fallback, the JIT server, cannot run either: ${fallback.message}`);
  }
  return { server: fallback, log };
}
